// qsock qmp [-s SOCK] [--timeout S] [--pretty] [--fd N] COMMAND [ARGS...]
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/monitor_options.h"
#include "qmp/arguments.h"
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
  auto arguments = qmp::build_arguments(o.args);
  if (!arguments) return report(ctx, arguments.error());
  auto deadline = deadline_from_seconds(o.monitor.timeout_seconds);
  auto session = qmp::Session::connect(*address, deadline);
  if (!session) return report(ctx, session.error());
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
                  "(addr.port=4444); a number, true or false is typed as such, \"...\" "
                  "in double quotes is a string, anything else a string");
  cmd->footer(
      "A QMP error exits 4 with its class and description on stderr (--json: the error "
      "object on stdout).");
  cmd->callback([&ctx, &action, o] { action = [&ctx, o] { return run_qmp(ctx, *o); }; });
}

}  // namespace qsock::cli
