// qsock qmp [-s SOCK] [--timeout S] [--pretty] [--fd N] COMMAND [ARGS...]
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/monitor_options.h"
#include "qmp/arguments.h"
#include "qmp/live_schema.h"
#include "qmp/session.h"

namespace qsock::cli {

namespace {

struct QmpOptions {
  MonitorOptions monitor;
  bool pretty = false;
  std::string command;
  std::vector<std::string> args;
};

ExitCode run_qmp(Context& ctx, const QmpOptions& o) {
  auto address = resolve_monitor(ctx, o.monitor);
  if (!address) return report(ctx, address.error());
  // Refuse malformed arguments before connecting; type key=value pairs by
  // the live QEMU's schema once connected.
  auto arguments = qmp::build_arguments(o.args);
  if (!arguments) return report(ctx, arguments.error());
  auto deadline = deadline_from_seconds(o.monitor.timeout_seconds);
  auto session = qmp::Session::connect(*address, deadline);
  if (!session) return report(ctx, session.error());
  if (qmp::has_key_value_arguments(o.args)) {
    auto schema = qmp::live_schema(*session, deadline);
    if (!schema) return report(ctx, schema.error());
    auto typer = qmp::schema_typer(*schema, o.command, o.args);
    if (!typer) return report(ctx, typer.error());
    arguments = qmp::build_arguments(o.args, *typer);
    if (!arguments) return report(ctx, arguments.error());
  }
  auto reply = session->execute(o.command, *arguments, deadline, o.monitor.pass_fd);
  if (!reply) return report(ctx, reply.error());
  fmt::print(ctx.out, "{}\n", o.pretty ? reply->dump(2) : reply->dump());
  return ExitCode::ok;
}

}  // namespace

void add_qmp_command(CLI::App& app, Context& ctx, Action& action) {
  auto o = std::make_shared<QmpOptions>();
  auto* cmd = app.add_subcommand("qmp", "Run one QMP command and print its return value as JSON");
  add_monitor_options(*cmd, o->monitor);
  cmd->add_flag("--pretty", o->pretty, "Indent the JSON output");
  cmd->add_option("--fd", o->monitor.pass_fd,
                  "Pass this open file descriptor with the command (SCM_RIGHTS; for getfd, "
                  "add-fd)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("command", o->command, "QMP command name, e.g. query-status")->required();
  cmd->add_option("args", o->args,
                  "Arguments: one JSON object, or key=value pairs with dotted keys "
                  "(addr.port=4444, list elements as KEY.0, KEY.1); each value is typed by the "
                  "command's schema from the live QEMU (query-qmp-schema): string, integer, "
                  "boolean (on/off, yes/no, true/false), enum, size (1K, 2M)");
  cmd->footer(
      "A QMP error exits 4 with its class and description on stderr (--json: the error "
      "object on stdout).");
  cmd->callback([&ctx, &action, o] { action = [&ctx, o] { return run_qmp(ctx, *o); }; });
}

}  // namespace qsock::cli
