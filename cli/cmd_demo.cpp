// qsock demo [--qemu PATH] [--memory MiB] [--user-timeout MS] [--keep]:
// two local QEMUs, one live migration between them over loopback with a
// bounded dead-peer timeout, driven by the same driver as `qsock migrate`,
// then what the user saw, explained.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/migration_output.h"
#include "cli/migration_target.h"
#include "cli/monitor_options.h"
#include "cli/progress_line.h"
#include "cli/qemu_process.h"
#include "migration/driver.h"
#include "sockopts/connect.h"
#include "sockopts/detection.h"
#include "sockopts/sysctls.h"

namespace qsock::cli {

namespace {

struct DemoOptions {
  std::string qemu = "qemu-system-x86_64";
  long long memory_mib = 64;
  long long user_timeout_ms = 5000;
  std::string max_bandwidth;
  bool keep = false;
};

constexpr const char* install_hint =
    "install qemu-system-x86 (apt-get install qemu-system-x86) or give --qemu PATH";

// A TCG pc without devices: enough RAM to migrate, nothing to configure.
std::vector<std::string> machine_args(const DemoOptions& o, const std::string& name) {
  return {"-M",     "pc",    "-m",          std::to_string(o.memory_mib),
          "-accel", "tcg",   "-nodefaults", "-display",
          "none",   "-name", name};
}

// A loopback port nothing listens on now, for the migration stream.
tl::expected<std::uint16_t, std::string> free_loopback_port() {
  auto l = sockopts::listen_inet({"127.0.0.1", "0", {}});
  if (!l) return tl::unexpected(l.error().text());
  return l->port;
}

std::string mechanism_text(const std::string& via) {
  if (via == "native")
    return "QEMU set TCP_USER_TIMEOUT itself: its schema has user-timeout in the inet address, "
           "so the option went into the migration address";
  if (via == "fd")
    return "this QEMU's schema has no user-timeout in its inet address, so qsock opened the "
           "connection itself, set TCP_USER_TIMEOUT on it and passed it to QEMU with getfd "
           "(migrate fd:...)";
  if (via == "inject")
    return "QEMU opened the socket; qsock set TCP_USER_TIMEOUT on it from outside "
           "(pidfd_getfd)";
  return "no socket options were applied";
}

std::string destination_text(const std::string& via) {
  if (via == "fd")
    return "qsock listened, accepted, set the option on the accepted socket and passed it "
           "(migrate-incoming fd:...)";
  if (via == "native") return "QEMU set it from the -incoming address";
  if (via == "inject") return "qsock set it on QEMU's accepted socket from outside";
  return "not bounded";
}

// What the report showed, and how long a dead peer takes to notice with and
// without the user-timeout, from the detection model and this host's sysctls.
void explain(const Context& ctx, const DemoOptions& o, const migration::MigrationReport& r) {
  auto sys = sockopts::read_sysctls();
  sockopts::Sysctls s = sys ? *sys : sockopts::Sysctls{};
  std::string sysctl_source =
      sys ? "this host's sysctls" : "Linux's default sysctls (" + sys.error().text() + ")";
  sockopts::SocketOptions with;
  with.user_timeout = Milliseconds(o.user_timeout_ms);
  auto d_with = sockopts::detection_times(with, s);
  auto d_without = sockopts::detection_times({}, s);
  if (ctx.json) {
    fmt::print(ctx.out, "{}\n",
               dump_json({{"event", "explanation"},
                          {"user_timeout_ms", o.user_timeout_ms},
                          {"sockopts_via", via_name(r.sockopts_via)},
                          {"destination_sockopts_via", via_name(r.destination_sockopts_via)},
                          {"sysctls", sockopts::to_json(s)},
                          {"sysctls_read", sys.has_value()},
                          {"detection_with_user_timeout", sockopts::to_json(d_with)},
                          {"detection_without", sockopts::to_json(d_without)}}));
    return;
  }
  auto bound = [](const sockopts::Bound& b) {
    return fmt::format("{} ({}{})", sockopts::format_duration(b.after), b.by,
                       b.detail.empty() ? "" : ": " + b.detail);
  };
  fmt::print(ctx.out, "\nWhat you saw:\n");
  fmt::print(ctx.out, "  The migration went over tcp loopback with user-timeout={} ms.\n",
             o.user_timeout_ms);
  fmt::print(ctx.out, "  Source side: {}.\n", mechanism_text(via_name(r.sockopts_via)));
  fmt::print(ctx.out, "  Destination side: {}.\n",
             destination_text(via_name(r.destination_sockopts_via)));
  fmt::print(ctx.out, "  \"options in effect\" above is read back from the sockets themselves.\n");
  fmt::print(ctx.out, "  If the peer died while data is in flight, it would be noticed after\n");
  fmt::print(ctx.out, "    with user-timeout={}: {}\n", o.user_timeout_ms,
             bound(d_with.data_in_flight));
  fmt::print(ctx.out, "    without it:            {}\n", bound(d_without.data_in_flight));
  fmt::print(ctx.out, "  On an idle connection: {}; keep-alive=on would bound that too.\n",
             bound(d_with.idle));
  fmt::print(ctx.out,
             "  (The detection model with {}; `qsock explain` and `qsock probe` say "
             "more.)\n",
             sysctl_source);
}

void print_start(const Context& ctx, const std::string& binary, const std::string& dir,
                 const QemuProcess& src, const QemuProcess& dst,
                 const std::vector<std::string>& command) {
  if (ctx.json) {
    fmt::print(ctx.out, "{}\n",
               dump_json({{"event", "demo"},
                          {"qemu", binary},
                          {"dir", dir},
                          {"source", {{"pid", src.pid()}, {"qmp", src.qmp_path()}}},
                          {"destination", {{"pid", dst.pid()}, {"qmp", dst.qmp_path()}}},
                          {"command", command}}));
  } else {
    fmt::print(ctx.out, "Two QEMUs ({}, TCG, no devices) in {}:\n", binary, dir);
    fmt::print(ctx.out, "  source       pid {}, QMP {}\n", src.pid(), src.qmp_path());
    fmt::print(ctx.out, "  destination  pid {}, QMP {} (-incoming defer)\n", dst.pid(),
               dst.qmp_path());
    fmt::print(ctx.out, "Migrating, as\n  $ qsock");
    for (const std::string& a : command) fmt::print(ctx.out, " {}", a);
    fmt::print(ctx.out, "\n");
  }
  std::fflush(ctx.out);
}

void print_kept(const Context& ctx, const std::string& dir, const QemuProcess& src,
                const QemuProcess& dst) {
  if (ctx.json) {
    fmt::print(ctx.out, "{}\n",
               dump_json({{"event", "kept"},
                          {"dir", dir},
                          {"source", {{"pid", src.pid()}, {"qmp", src.qmp_path()}}},
                          {"destination", {{"pid", dst.pid()}, {"qmp", dst.qmp_path()}}}}));
    return;
  }
  fmt::print(ctx.out, "\nThe QEMUs are still running (--keep); explore them with e.g.\n");
  fmt::print(ctx.out, "  qsock qmp -s {} query-migrate\n", src.qmp_path());
  fmt::print(ctx.out, "  qsock qmp -s {} query-status\n", dst.qmp_path());
  fmt::print(ctx.out, "Stop them with `qsock qmp -s SOCKET quit` (or kill {} {}), then rm -r {}\n",
             src.pid(), dst.pid(), dir);
}

ExitCode run_demo(Context& ctx, const DemoOptions& o) {
  const InterruptFlag* interrupted = install_interrupt_flag();
  if (o.memory_mib < 1) return fail(ctx, ExitCode::usage, "--memory: give at least 1 MiB");
  if (o.user_timeout_ms < 1)
    return fail(ctx, ExitCode::usage, "--user-timeout: give at least 1 ms");
  std::optional<BytesPerSecond> bandwidth;
  if (!o.max_bandwidth.empty()) {
    auto v = parse_max_bandwidth(ctx, o.max_bandwidth);
    if (!v) return v.error();
    bandwidth = *v;
  }
  auto binary = find_executable(o.qemu);
  if (!binary)
    return fail(ctx, ExitCode::invalid,
                fmt::format("no QEMU: {}; {}", binary.error().message, install_hint));

  // Destroyed in reverse: both QEMUs are stopped and reaped before the directory goes.
  auto dir = cli::TempDir::create("qsock-demo");
  if (!dir) return report(ctx, dir.error());
  const Deadline boot = Deadline::after(Milliseconds(20000));
  auto src = spawn_qemu(*binary, machine_args(o, "qsock-demo-source"), dir->path() + "/source",
                        boot, interrupted);
  if (!src) return interrupted->load() ? ExitCode::interrupted : report(ctx, src.error());
  std::vector<std::string> dst_args = machine_args(o, "qsock-demo-destination");
  dst_args.insert(dst_args.end(), {"-incoming", "defer"});
  auto dst = spawn_qemu(*binary, dst_args, dir->path() + "/destination", boot, interrupted);
  if (!dst) return interrupted->load() ? ExitCode::interrupted : report(ctx, dst.error());
  auto port = free_loopback_port();
  if (!port) return fail(ctx, ExitCode::connect, "no free loopback port: " + port.error());

  // The migration, planned and driven exactly as `qsock migrate` would.
  std::string to = fmt::format("tcp:127.0.0.1:{},user-timeout={}", *port, o.user_timeout_ms);
  std::vector<std::string> command = {"migrate", "-s", src->qmp_path(), "-d", dst->qmp_path(),
                                      "--to",    to};
  if (bandwidth) command.insert(command.end(), {"--max-bandwidth", o.max_bandwidth});
  migration::MigrationPlan plan;
  auto target = parse_target(ctx, to);
  if (!target) return target.error();
  plan.target = *target;
  plan.target_text = to;
  plan.sockopts = migration::SockoptsMode::automatic;
  plan.max_bandwidth = bandwidth;
  print_start(ctx, *binary, dir->path(), *src, *dst, command);
  if (interrupted->load()) return ExitCode::interrupted;

  migration::DriverOptions options;
  options.interrupted = interrupted;
  ProgressLine line(ctx);
  auto outcome = migration::run_migration(qmp::MonitorAddress::unix_at(src->qmp_path()),
                                          qmp::MonitorAddress::unix_at(dst->qmp_path()), plan,
                                          options, sinks_for(line));
  ExitCode code = finish_outcome(ctx, line, outcome);
  if (outcome.started && code != ExitCode::interrupted) explain(ctx, o, outcome.report);
  if (o.keep && code != ExitCode::interrupted) {
    print_kept(ctx, dir->path(), *src, *dst);
    src->release();
    dst->release();
    dir->release();
  }
  std::fflush(ctx.out);
  return code;
}

}  // namespace

void add_demo_command(CLI::App& app, Context& ctx, Action& action) {
  auto o = std::make_shared<DemoOptions>();
  auto* cmd = app.add_subcommand(
      "demo",
      "Start two local QEMUs and live-migrate between them over loopback with a user-timeout, "
      "as `qsock migrate` does; then explain what you saw and clean up");
  cmd->add_option("--qemu", o->qemu,
                  "QEMU binary: a path or a name on PATH "
                  "(default $QSOCK_TEST_QEMU if set, else qemu-system-x86_64)")
      ->envname("QSOCK_TEST_QEMU");
  cmd->add_option("--memory", o->memory_mib, "Guest RAM of each QEMU in MiB (default 64)");
  cmd->add_option("--user-timeout", o->user_timeout_ms,
                  "user-timeout of the migration socket in milliseconds (default 5000)");
  cmd->add_option("--max-bandwidth", o->max_bandwidth,
                  "Parameter max-bandwidth, bytes per second (suffixes K, M, G), to slow the "
                  "migration down");
  cmd->add_flag("--keep", o->keep,
                "Leave both QEMUs running afterwards and print their monitor sockets");
  cmd->footer(
      "Exit codes: 0 completed, 1 no QEMU binary (install qemu-system-x86), 3 a QEMU did not "
      "start, 5 a QEMU's monitor did not come up within 20 s, 6 the migration failed, 130 "
      "interrupted (cancelled, everything cleaned up).");
  cmd->callback([&ctx, &action, o] { action = [&ctx, o] { return run_demo(ctx, *o); }; });
}

}  // namespace qsock::cli
