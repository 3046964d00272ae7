// qsock qmp [-s SOCK] [--timeout S] [--pretty] [--fd N] COMMAND [ARGS...]
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/diagnostics_text.h"
#include "cli/monitor_options.h"
#include "qmp/arguments.h"
#include "qmp/live_schema.h"
#include "qmp/session.h"
#include "uri/keyval.h"

namespace qsock::cli {

namespace {

struct QmpOptions {
  MonitorOptions monitor;
  bool pretty = false;
  std::string command;
  std::vector<std::string> args;
};

// One JSON object (leading blanks allowed), as QEMU's JSON parser reads it.
bool is_json_object_argument(const std::vector<std::string>& args) {
  if (args.size() != 1) return false;
  auto first = args[0].find_first_not_of(" \t\n");
  return first != std::string::npos && args[0][first] == '{';
}

struct Arguments {
  Json value;  // typed JSON, or an all-strings keyval tree
  schema::InputMode mode = schema::InputMode::json;
};

// The arguments as given: none, one JSON object (typed already), or
// key=value words (an all-strings tree, typed by the schema once connected).
tl::expected<Arguments, Diagnostic> read_arguments(const std::vector<std::string>& args) {
  if (is_json_object_argument(args)) {
    auto json = uri::parse_json_argument(args[0]);
    if (!json) return tl::unexpected(json.error());
    return Arguments{std::move(*json), schema::InputMode::json};
  }
  for (const auto& arg : args)
    if (uri::is_json_argument(arg))
      return tl::unexpected(Diagnostic{
          "give JSON arguments as a single object, not mixed with key=value pairs", "", ""});
  auto tree = uri::parse_keyval_words(args);
  if (!tree) return tl::unexpected(tree.error());
  return Arguments{std::move(*tree),
                   args.empty() ? schema::InputMode::json : schema::InputMode::keyval};
}

ExitCode refused(const Context& ctx, const std::string& what, const Diagnostics& diags) {
  fmt::print(ctx.err, "qsock: error: {}\n", what);
  print_diagnostics(ctx.err, diags);
  return ExitCode::invalid;
}

ExitCode run_qmp(Context& ctx, const QmpOptions& o) {
  auto address = resolve_monitor(ctx, o.monitor);
  if (!address) return report(ctx, address.error());
  // Refuse malformed arguments before connecting; type key=value pairs by
  // the live QEMU's schema once connected. A JSON object goes as it is.
  auto arguments = read_arguments(o.args);
  if (!arguments) {
    Diagnostics d;
    d.errors.push_back(arguments.error());
    return refused(ctx, fmt::format("the arguments of {} are not valid", o.command), d);
  }
  auto deadline = deadline_from_seconds(o.monitor.timeout_seconds);
  auto session = qmp::Session::connect(*address, deadline);
  if (!session) return report(ctx, session.error());
  Json to_send = std::move(arguments->value);
  if (arguments->mode == schema::InputMode::keyval) {
    auto schema = qmp::live_schema(*session, deadline);
    if (!schema) return report(ctx, schema.error());
    auto typed = qmp::typed_arguments(*schema, o.command, to_send, schema::InputMode::keyval);
    if (!typed.diags.ok())
      return refused(
          ctx, fmt::format("the arguments of {} are not valid for {}", o.command, schema->origin),
          typed.diags);
    to_send = std::move(typed.value);
  }
  auto reply = session->execute(o.command, to_send, deadline, o.monitor.pass_fd);
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
