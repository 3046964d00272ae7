// qsock watch -s SRC | --domain NAME [-d DST] [--bound OPTIONS [--port N]]: follow a migration
// someone else started, and with --bound set socket options on its connections.
#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/migration_output.h"
#include "cli/monitor_options.h"
#include "cli/progress_line.h"
#include "migration/driver.h"
#include "sockopts/assignments.h"

namespace qsock::cli {

namespace {

struct WatchOptions {
  MonitorOptions monitor;
  FollowOptions follow;
  std::string bound;  // --bound OPTIONS
  int port = 0;       // --port
};

ExitCode run_watch(Context& ctx, const WatchOptions& o) {
  auto source = resolve_monitor(ctx, o.monitor);
  if (!source) return report(ctx, source.error());
  auto destination = follow_destination(ctx, o.follow);
  if (!destination) return destination.error();
  migration::DriverOptions options = driver_options(o.follow);
  if (!o.bound.empty()) {
    auto bound = sockopts::options_from_assignments(o.bound);
    if (!bound) return fail(ctx, ExitCode::usage, "--bound: " + bound.error().text());
    options.bound = *bound;
  }
  if (o.port > 0) options.port = static_cast<std::uint16_t>(o.port);
  // libvirt owns a domain's migration: it cancels it and puts the source back.
  options.source_managed = source->kind == qmp::MonitorAddress::Kind::libvirt;
  ProgressLine line(ctx);
  return finish_outcome(
      ctx, line, migration::watch_migration(*source, *destination, options, sinks_for(line)));
}

}  // namespace

void add_watch_command(CLI::App& app, Context& ctx, Action& action) {
  auto o = std::make_shared<WatchOptions>();
  auto* cmd = app.add_subcommand(
      "watch", "Follow a migration someone else started: the same progress and report");
  auto* domain = add_source_options(
      *cmd, o->monitor,
      "The source is this libvirt domain's QEMU (name, UUID or id), reached through libvirt; "
      "qsock then never cancels or resumes it (libvirt does)");
  add_follow_options(*cmd, o->follow, "Destination monitor, for the observed downtime and its fate",
                     "Seconds to follow; then migrate_cancel (default: none)");
  // Cancelling a libvirt migration behind libvirt's back would leave it a
  // paused domain it did not pause.
  domain->excludes(cmd->get_option("--timeout"))->excludes(cmd->get_option("--cancel-on-stall"));
  auto* bound = cmd->add_option(
      "--bound", o->bound,
      "Set these socket options on every connection of the migration, on each side whose QEMU "
      "is local, as they appear (inject): user-timeout=MS,keep-alive=on|off,keep-alive-idle=S,"
      "keep-alive-interval=S,keep-alive-count=N");
  cmd->add_option("--port", o->port,
                  "With --bound: the migration's TCP port, when the destination's monitor cannot "
                  "say it (its query-migrate socket-address), as for a libvirt migration")
      ->check(CLI::Range(1, 65535))
      ->needs(bound);
  cmd->footer(
      "Exit codes: 0 completed, 6 failed or cancelled, 130 interrupted (Ctrl-C stops "
      "watching and leaves the migration running).");
  cmd->callback([&ctx, &action, o] { action = [&ctx, o] { return run_watch(ctx, *o); }; });
}

}  // namespace qsock::cli
