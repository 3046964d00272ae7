// qsock caps [-s SOCK] [--timeout S]: what this QEMU supports, from its schema.
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/monitor_options.h"
#include "qmp/features.h"
#include "qmp/live_schema.h"
#include "qmp/session.h"

namespace qsock::cli {

namespace {

// Words joined with spaces, wrapped before `width` columns, each line indented.
std::string wrap(const std::vector<std::string>& words, std::size_t indent, std::size_t width) {
  std::string out, line(indent, ' ');
  for (const std::string& w : words) {
    if (line.size() > indent && line.size() + 1 + w.size() > width) {
      out += line + "\n";
      line.assign(indent, ' ');
    }
    if (line.size() > indent) line += ' ';
    line += w;
  }
  if (line.size() > indent) out += line + "\n";
  return out;
}

std::string text_table(const qmp::Features& f) {
  std::string out = fmt::format("QEMU {}\n", f.version.empty() ? "(version unknown)" : f.version);
  std::size_t key_width = 7;
  for (const qmp::Feature& feature : f.features)
    key_width = std::max(key_width, feature.key.size());
  out += fmt::format("{:<{}}  {}\n", "feature", key_width, "present");
  for (const qmp::Feature& feature : f.features) {
    std::string answer = feature.present ? "yes" : "no";
    if (feature.choice && feature.present)
      answer += fmt::format(" ({})", qmp::spelling(*feature.choice));
    out += fmt::format("{:<{}}  {}\n", feature.key, key_width, answer);
  }
  out += fmt::format("\nmigration capabilities ({}):\n", f.capabilities.size());
  out += wrap(f.capabilities, 2, 100);
  out += fmt::format("migration parameters ({}):\n", f.parameters.size());
  out += wrap(f.parameters, 2, 100);
  return out;
}

ExitCode run_caps(const Context& ctx, const MonitorOptions& o) {
  auto address = resolve_monitor(ctx, o);
  if (!address) return report(ctx, address.error());
  auto deadline = deadline_from_seconds(o.timeout_seconds);
  auto session = qmp::Session::connect(*address, deadline);
  if (!session) return report(ctx, session.error());
  auto features = qmp::live_features(*session, deadline);
  if (!features) return report(ctx, features.error());
  if (ctx.json)
    fmt::print(ctx.out, "{}\n", dump_json(features->to_json()));
  else
    fmt::print(ctx.out, "{}", text_table(*features));
  return ExitCode::ok;
}

}  // namespace

void add_caps_command(CLI::App& app, Context& ctx, Action& action) {
  auto o = std::make_shared<MonitorOptions>();
  auto* cmd = app.add_subcommand(
      "caps", "Show which socket and migration features this QEMU has, from its live schema");
  add_monitor_options(*cmd, *o,
                      "Seconds to wait for the connection, greeting and replies (default 10)");
  cmd->footer(
      "Answers come from query-qmp-schema, not from the version number: a distribution "
      "build may lack a conditional member (keep-alive-count needs TCP_KEEPCNT) or carry a "
      "proposed one. backend-transfer names the spelling this QEMU has: backend-transfer, "
      "fds (an earlier proposal) or backend-transfer-ids (a list of device ids).");
  cmd->callback([&ctx, &action, o] { action = [&ctx, o] { return run_caps(ctx, *o); }; });
}

}  // namespace qsock::cli
