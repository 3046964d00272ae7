// qsock watch -s SRC [-d DST]: follow a migration someone else started.
#include <memory>
#include <optional>
#include <string>

#include "cli/commands.h"
#include "cli/migration_output.h"
#include "cli/monitor_options.h"
#include "cli/progress_line.h"
#include "qmp/migration_driver.h"

namespace qsock::cli {

namespace {

struct WatchOptions {
  MonitorOptions monitor;
  std::string destination;
  std::optional<double> timeout_s;
  std::optional<double> stall_s;
  bool cancel_on_stall = false;
};

ExitCode run_watch(Context& ctx, const WatchOptions& o) {
  auto source = resolve_monitor(ctx, o.monitor);
  if (!source) return report(ctx, source.error());
  std::optional<qmp::MonitorAddress> destination;
  if (!o.destination.empty()) {
    auto d = qmp::parse_monitor_address(o.destination);
    if (!d) return report(ctx, d.error());
    destination = *d;
  }
  qmp::DriverOptions options;
  if (o.timeout_s) options.timeout = Milliseconds(static_cast<long long>(*o.timeout_s * 1000));
  if (o.stall_s) options.stall = Milliseconds(static_cast<long long>(*o.stall_s * 1000));
  options.cancel_on_stall = o.cancel_on_stall;
  options.interrupted = install_interrupt_flag();
  ProgressLine line(ctx);
  qmp::DriverSinks sinks{[&](const qmp::ProgressUpdate& u) { line.update(u); },
                         [&](const std::string& n) { line.note(n); }};
  return finish_outcome(ctx, line, qmp::watch_migration(*source, destination, options, sinks));
}

}  // namespace

void add_watch_command(CLI::App& app, Context& ctx, Action& action) {
  auto o = std::make_shared<WatchOptions>();
  auto* cmd = app.add_subcommand(
      "watch", "Follow a migration someone else started: the same progress and report");
  cmd->add_option("-s,--socket", o->monitor.socket,
                  "Source monitor (QMP or HMP): PATH, unix:PATH or tcp:HOST:PORT")
      ->envname("QSOCK_SOCKET");
  cmd->add_option("-d,--destination", o->destination,
                  "Destination monitor, for the observed downtime and its fate");
  cmd->add_option("--timeout", o->timeout_s,
                  "Seconds to follow; then migrate_cancel (default: none)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--stall", o->stall_s, "Report a stall when no bytes move for this many seconds")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--cancel-on-stall", o->cancel_on_stall, "Cancel the migration on a --stall");
  cmd->footer(
      "Exit codes: 0 completed, 6 failed or cancelled, 130 interrupted (Ctrl-C stops "
      "watching and leaves the migration running).");
  cmd->callback([&ctx, &action, o] { action = [&ctx, o] { return run_watch(ctx, *o); }; });
}

}  // namespace qsock::cli
