// qsock migrate -s SRC [-d DST] --to ADDRESS [--sockopts MODE] [knobs...]
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/migration_address.h"
#include "cli/migration_output.h"
#include "cli/migration_target.h"
#include "cli/monitor_options.h"
#include "cli/progress_line.h"
#include "migration/driver.h"
#include "migration/libvirt_driver.h"

namespace qsock::cli {

namespace {

struct MigrateOptions {
  MonitorOptions monitor;
  FollowOptions follow;
  std::string to;
  std::string sockopts = "auto";
  std::vector<std::string> caps;
  std::vector<std::string> params;
  bool netpass = false;
  std::vector<std::string> backend_transfer;
  bool local_char_socket = false;
  std::optional<long long> downtime_limit_ms;
  std::string max_bandwidth;
  bool prepare = false;
  bool postcopy = false;
  std::optional<long long> postcopy_after;
  bool resume = false;
  std::string dest_connect;  // --dest-connect, with --domain
};

// --domain: libvirt migrates its domain (its API, peer to peer); qsock bounds
// the connections and reports.
ExitCode run_libvirt_migrate(Context& ctx, const MigrateOptions& o) {
  auto target = parse_target(ctx, o.to);
  if (!target) return target.error();
  migration::LibvirtMigration m;
  m.source_uri = libvirt_address(o.monitor.domain, o.monitor.connect).uri;
  m.domain = o.monitor.domain;
  m.dest_uri = o.dest_connect;
  m.target = *target;
  if (!o.max_bandwidth.empty()) {
    auto rate = parse_max_bandwidth(ctx, o.max_bandwidth);
    if (!rate) return rate.error();
    constexpr std::uint64_t mib = std::uint64_t{1024} * 1024;
    m.bandwidth_mib = static_cast<unsigned long>((rate->rate + mib - 1) / mib);  // libvirt: MiB/s
  }
  ProgressLine line(ctx);
  return finish_outcome(
      ctx, line, migration::run_libvirt_migration(m, driver_options(o.follow), sinks_for(line)));
}

ExitCode run_migrate(Context& ctx, const MigrateOptions& o) {
  if (!o.monitor.domain.empty()) return run_libvirt_migrate(ctx, o);
  auto source = resolve_monitor(ctx, o.monitor);
  if (!source) return report(ctx, source.error());
  auto destination = follow_destination(ctx, o.follow);
  if (!destination) return destination.error();
  migration::MigrationPlan plan;
  auto target = parse_target(ctx, o.to);
  if (!target) return target.error();
  if (auto ok = check_migration_address(ctx, *source, o.to, 10.0); ok != ExitCode::ok) return ok;
  plan.target = *target;
  plan.target_text = o.to;
  plan.sockopts = migration::parse_mode(o.sockopts).value_or(migration::SockoptsMode::automatic);
  for (const std::string& c : o.caps) {
    auto eq = c.find('=');
    std::string state = eq == std::string::npos ? "" : c.substr(eq + 1);
    if (state != "on" && state != "off")
      return fail(ctx, ExitCode::usage, fmt::format("--cap '{}': give NAME=on or NAME=off", c));
    plan.capabilities.push_back({c.substr(0, eq), state == "on", ""});
  }
  for (const std::string& p : o.params)
    if (p.find('=') == std::string::npos || p.front() == '=')
      return fail(ctx, ExitCode::usage, fmt::format("--param '{}': give NAME=VALUE", p));
  plan.parameters = o.params;
  plan.netpass = o.netpass;
  plan.backend_transfer = o.backend_transfer;
  plan.local_char_socket = o.local_char_socket;
  if (o.downtime_limit_ms) plan.downtime_limit = Milliseconds(*o.downtime_limit_ms);
  if (!o.max_bandwidth.empty()) {
    auto v = parse_max_bandwidth(ctx, o.max_bandwidth);
    if (!v) return v.error();
    plan.max_bandwidth = *v;
  }

  if (o.postcopy || o.postcopy_after) {
    if (o.postcopy_after && *o.postcopy_after < 0)
      return fail(ctx, ExitCode::usage, "--postcopy-after takes a number of passes, 0 or more");
    plan.postcopy_after_passes = static_cast<std::uint64_t>(o.postcopy_after.value_or(1));
  }

  migration::DriverOptions options = driver_options(o.follow);
  options.prepare_only = o.prepare;
  ProgressLine line(ctx);
  // --resume needs -d and takes none of the knobs (CLI11 enforces both).
  auto outcome =
      o.resume ? migration::resume_migration(*source, **destination, plan, options, sinks_for(line))
               : migration::run_migration(*source, *destination, plan, options, sinks_for(line));
  return finish_outcome(ctx, line, outcome);
}

}  // namespace

void add_migrate_command(CLI::App& app, Context& ctx, Action& action) {
  auto o = std::make_shared<MigrateOptions>();
  auto* cmd = app.add_subcommand(
      "migrate", "Live-migrate a VM: preflight both sides, configure, start, follow, report");
  auto* domain = add_source_options(
      *cmd, o->monitor,
      "Migrate this libvirt domain (name, UUID or id) through libvirt's migration API, live and "
      "peer to peer, to --dest-connect; qsock bounds its connections and reports");
  auto* dest_connect = cmd->add_option(
      "--dest-connect", o->dest_connect,
      "With --domain: the destination libvirtd's URI, as the source's libvirtd reaches it");
  dest_connect->needs(domain);
  domain->needs(dest_connect);
  add_follow_options(*cmd, o->follow,
                     "Destination monitor, for a QEMU started with -incoming defer",
                     "Seconds the whole migration may take; then migrate_cancel (default: none)");
  cmd->add_option("--to", o->to,
                  "Migration address in any syntax `qsock check` knows, e.g. "
                  "'tcp:10.0.0.2:4444,user-timeout=5000,keep-alive=on'")
      ->required();
  cmd->add_option("--sockopts", o->sockopts,
                  "How socket options reach the migration socket: native, fd, inject or auto "
                  "(default: native, else fd, else inject)")
      ->check(CLI::IsMember({"auto", "native", "fd", "inject"}));
  cmd->add_option("--cap", o->caps, "Set a migration capability: NAME=on|off (repeatable)");
  cmd->add_option("--param", o->params,
                  "Set a migration parameter: NAME=VALUE, typed by the QEMU's schema "
                  "(repeatable)");
  cmd->add_flag("--netpass", o->netpass,
                "Turn on capability netpass (and return-path, which it needs)");
  cmd->add_option("--backend-transfer", o->backend_transfer,
                  "Transfer these backends (virtio-net-tap); sent as backend-transfer or fds, "
                  "whichever the QEMU has")
      ->expected(1, -1);
  cmd->add_flag("--local-char-socket", o->local_char_socket,
                "Turn on capability local-char-socket (needs a unix: target)");
  cmd->add_option("--downtime-limit", o->downtime_limit_ms,
                  "Parameter downtime-limit, in milliseconds");
  cmd->add_option("--max-bandwidth", o->max_bandwidth,
                  "Parameter max-bandwidth, bytes per second on the wire (suffixes K, M, G)");
  cmd->add_flag("--postcopy", o->postcopy,
                "Switch to postcopy once the first precopy pass is done (turns on capability "
                "postcopy-ram, on both sides with -d). A dead peer then pauses it (exit 6, "
                "'postcopy-paused'): recover with --resume");
  cmd->add_option("--postcopy-after", o->postcopy_after,
                  "--postcopy after this many precopy passes (0: as soon as it is active)");
  auto* resume =
      cmd->add_flag("--resume", o->resume,
                    "Recover a paused postcopy migration: migrate-recover --to on the destination "
                    "(-d), migrate with resume on the source, the new connections bounded too "
                    "(inject); it takes none of the knobs that configure a new migration");
  cmd->add_flag("--prepare", o->prepare,
                "Preflight and configure both sides (migrate-incoming included), then exit "
                "without starting");
  resume->needs(cmd->get_option("--destination"));
  for (const char* knob :
       {"--sockopts", "--cap", "--param", "--netpass", "--backend-transfer", "--local-char-socket",
        "--downtime-limit", "--max-bandwidth", "--postcopy", "--postcopy-after", "--prepare"})
    resume->excludes(cmd->get_option(knob));
  // libvirt configures both QEMUs itself: qsock's knobs would bypass it.
  for (const char* knob : {"--destination", "--sockopts", "--cap", "--param", "--netpass",
                           "--backend-transfer", "--local-char-socket", "--downtime-limit",
                           "--postcopy", "--postcopy-after", "--prepare", "--resume"})
    domain->excludes(cmd->get_option(knob));
  cmd->footer(
      "Exit codes: 0 completed (or prepared), 1 preflight problems (nothing changed), 3 cannot "
      "reach a monitor, 4 QEMU refused a command, 6 failed or cancelled (the source is put back "
      "running when it was), 130 interrupted (cancelled, source put back).");
  cmd->callback([&ctx, &action, o] { action = [&ctx, o] { return run_migrate(ctx, *o); }; });
}

}  // namespace qsock::cli
