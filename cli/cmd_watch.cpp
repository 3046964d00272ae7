// qsock watch -s SRC [-d DST]: follow a migration someone else started.
#include <memory>
#include <optional>
#include <string>

#include "cli/commands.h"
#include "cli/migration_output.h"
#include "cli/monitor_options.h"
#include "cli/progress_line.h"
#include "migration/driver.h"

namespace qsock::cli {

namespace {

struct WatchOptions {
  MonitorOptions monitor;
  FollowOptions follow;
};

ExitCode run_watch(Context& ctx, const WatchOptions& o) {
  auto source = resolve_monitor(ctx, o.monitor);
  if (!source) return report(ctx, source.error());
  auto destination = follow_destination(ctx, o.follow);
  if (!destination) return destination.error();
  ProgressLine line(ctx);
  return finish_outcome(
      ctx, line,
      migration::watch_migration(*source, *destination, driver_options(o.follow), sinks_for(line)));
}

}  // namespace

void add_watch_command(CLI::App& app, Context& ctx, Action& action) {
  auto o = std::make_shared<WatchOptions>();
  auto* cmd = app.add_subcommand(
      "watch", "Follow a migration someone else started: the same progress and report");
  cmd->add_option("-s,--socket", o->monitor.socket,
                  "Source monitor (QMP or HMP): PATH, unix:PATH or tcp:HOST:PORT")
      ->envname("QSOCK_SOCKET")
      ->required();
  add_follow_options(*cmd, o->follow, "Destination monitor, for the observed downtime and its fate",
                     "Seconds to follow; then migrate_cancel (default: none)");
  cmd->footer(
      "Exit codes: 0 completed, 6 failed or cancelled, 130 interrupted (Ctrl-C stops "
      "watching and leaves the migration running).");
  cmd->callback([&ctx, &action, o] { action = [&ctx, o] { return run_watch(ctx, *o); }; });
}

}  // namespace qsock::cli
