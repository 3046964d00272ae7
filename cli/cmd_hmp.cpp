// qsock hmp [-s SOCK] [--timeout S] [--fd N] 'COMMAND LINE'
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/monitor_options.h"
#include "qmp/connection.h"
#include "qmp/hmp.h"
#include "qmp/protocol_detect.h"
#include "qmp/session.h"

namespace qsock::cli {

namespace {

struct HmpOptions {
  MonitorOptions monitor;
  std::vector<std::string> words;  // joined by spaces: `qsock hmp info status` works too
  std::string line;
};

qmp::Result<std::string> run_on_monitor(const qmp::MonitorAddress& address, const HmpOptions& o) {
  auto deadline = deadline_from_seconds(o.monitor.timeout_seconds);
  auto connection = qmp::Connection::open(address, deadline);
  if (!connection) return tl::unexpected(connection.error());
  auto detected = qmp::detect_protocol(std::move(*connection), deadline);
  if (!detected) return tl::unexpected(detected.error());
  if (detected->protocol == qmp::Protocol::hmp) {
    auto hmp =
        qmp::HmpSession::start(std::move(detected->connection), deadline, detected->already_read);
    if (!hmp) return tl::unexpected(hmp.error());
    return hmp->run(o.line, deadline, o.monitor.pass_fd);
  }
  if (o.monitor.pass_fd >= 0)
    return qmp::fail(qmp::ErrorKind::invalid,
                     "--fd needs an HMP socket; on a QMP socket use 'qsock qmp --fd N getfd "
                     "fdname=NAME'");
  auto session =
      qmp::Session::start(std::move(detected->connection), deadline, detected->already_read);
  if (!session) return tl::unexpected(session.error());
  return qmp::human_monitor_command(*session, o.line, deadline);
}

ExitCode run_hmp(Context& ctx, const HmpOptions& o) {
  // Refuse an unsafe line before connecting: nothing reaches QEMU.
  if (auto ok = qmp::check_hmp_line(o.line); !ok) return report(ctx, ok.error());
  auto address = resolve_monitor(ctx, o.monitor);
  if (!address) return report(ctx, address.error());
  auto output = run_on_monitor(*address, o);
  if (!output) return report(ctx, output.error());
  if (ctx.json) {
    Json out = Json::object();
    out["output"] = *output;
    fmt::print(ctx.out, "{}\n", dump_json(out));
  } else {
    fmt::print(ctx.out, "{}", *output);
  }
  return ExitCode::ok;
}

}  // namespace

void add_hmp_command(CLI::App& app, Context& ctx, Action& action) {
  auto o = std::make_shared<HmpOptions>();
  auto* cmd = app.add_subcommand(
      "hmp", "Run one HMP command line and print its output (QMP or HMP socket)");
  add_monitor_options(*cmd, o->monitor);
  cmd->add_option("--fd", o->monitor.pass_fd,
                  "Pass this open file descriptor with the line (HMP socket only; for "
                  "'getfd NAME')")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("line", o->words,
                  "The command line, e.g. 'info status' (several words are joined by spaces)")
      ->required();
  cmd->footer(
      "On a QMP socket the line runs through human-monitor-command; on an HMP socket "
      "(-monitor unix:PATH,server=on,wait=off) directly. A line with a newline or control "
      "character is refused (exit 1).");
  cmd->callback([&ctx, &action, o] {
    for (const auto& w : o->words) o->line += (o->line.empty() ? "" : " ") + w;
    action = [&ctx, o] { return run_hmp(ctx, *o); };
  });
}

}  // namespace qsock::cli
