// qsock sockets: another process's TCP sockets as the kernel has them, with
// the time a dead peer would take to notice; --set adjusts them in place.
#include <fmt/format.h>

#include <memory>

#include "cli/commands.h"
#include "cli/monitor_options.h"
#include "cli/positive_number.h"
#include "qmp/libvirt_link.h"
#include "qmp/monitor_listener.h"
#include "sockopts/assignments.h"
#include "sockopts/detection.h"
#include "sockopts/peercred.h"
#include "sockopts/process_sockets.h"

namespace qsock::cli {

namespace {

struct SocketsArgs {
  int pid = 0;
  std::string monitor;  // -s: a UNIX socket whose listener is the process
  std::string domain;   // --domain: a libvirt domain's QEMU
  std::string connect;  // -c/--connect, with --domain
  std::string peer;
  std::string set;
  bool no_listening = false;
};

std::string on_off(const std::optional<bool>& b) { return b.value_or(false) ? "on" : "off"; }

std::string options_text(const sockopts::SocketOptions& o) {
  std::string ut = fmt::format("{} ms", o.user_timeout.value_or(Milliseconds(0)).count());
  if (o.user_timeout.value_or(Milliseconds(0)).count() == 0) ut += " (system default)";
  return fmt::format(
      "SO_KEEPALIVE {}, TCP_KEEPIDLE {} s, TCP_KEEPINTVL {} s, TCP_KEEPCNT {}, "
      "TCP_USER_TIMEOUT {}{}",
      on_off(o.keep_alive), o.keep_alive_idle.value_or(Seconds(0)).count(),
      o.keep_alive_interval.value_or(Seconds(0)).count(), o.keep_alive_count.value_or(0), ut,
      o.mptcp.value_or(false) ? ", MPTCP" : "");
}

std::string ms_text(Microseconds us) {
  if (us.count() % 1000 == 0) return fmt::format("{} ms", us.count() / 1000);
  return fmt::format("{:.3f} ms", static_cast<double>(us.count()) / 1000.0);
}

std::string tcp_info_text(const sockopts::TcpInfo& t) {
  return fmt::format(
      "rto {}, rtt {}, retransmits {}, backoff {}, probes {}, unacked {}, total_retrans {}, "
      "last data sent {} ms ago, last ack received {} ms ago",
      ms_text(t.rto), ms_text(t.rtt), t.retransmits, t.backoff, t.probes, t.unacked.count,
      t.total_retrans.count, t.last_data_sent.count(), t.last_ack_recv.count());
}

Json report_json(const sockopts::SocketReport& r, const std::optional<sockopts::Sysctls>& sysctls) {
  Json j = Json::object();
  j["fd"] = r.socket.fd;
  j["inode"] = r.socket.inode;
  j["local"] = r.socket.local.text();
  j["remote"] = r.socket.remote.text();
  j["state"] = std::string(sockopts::state_name(r.socket.state));
  if (r.options) {
    j["options"] = sockopts::to_json(*r.options);
    if (sysctls)
      j["detection"] = sockopts::to_json(sockopts::detection_times(*r.options, *sysctls));
  } else {
    j["options"] = nullptr;
    j["error"] = r.options.error().text();
  }
  if (r.tcp_info)
    j["tcp_info"] = sockopts::to_json(*r.tcp_info);
  else
    j["tcp_info"] = nullptr;
  if (r.set) {
    Json set = Json::object();
    set["ok"] = r.set->has_value() && r.not_applied.empty();
    if (!r.set->has_value()) set["error"] = r.set->error().text();
    Json diffs = Json::array();
    for (const auto& d : r.not_applied)
      diffs.push_back({{"key", d.key}, {"wanted", d.wanted}, {"effective", d.effective}});
    set["not_applied"] = diffs;
    j["set"] = set;
  }
  return j;
}

void print_report(const Context& ctx, const sockopts::SocketReport& r,
                  const std::optional<sockopts::Sysctls>& sysctls) {
  fmt::print(ctx.out, "fd {}  {} -> {}  {}\n", r.socket.fd, r.socket.local.text(),
             r.socket.remote.text(), sockopts::state_name(r.socket.state));
  if (r.set) {
    if (!r.set->has_value())
      fmt::print(ctx.out, "  set        failed: {}\n", r.set->error().text());
    else if (!r.not_applied.empty())
      for (const auto& d : r.not_applied)
        fmt::print(ctx.out, "  set        {} {} did not stick: reads back {}\n", d.key, d.wanted,
                   d.effective);
    else
      fmt::print(ctx.out, "  set        applied and read back\n");
  }
  if (!r.options) {
    fmt::print(ctx.out, "  error      {}\n", r.options.error().text());
    return;
  }
  fmt::print(ctx.out, "  options    {}\n", options_text(*r.options));
  if (r.socket.state == sockopts::TcpState::listen) return;  // no connection, no TCP_INFO
  if (r.tcp_info) fmt::print(ctx.out, "  tcp_info   {}\n", tcp_info_text(*r.tcp_info));
  if (sysctls) {
    auto d = sockopts::detection_times(*r.options, *sysctls);
    fmt::print(ctx.out, "  dead peer  data in flight: {}, by {}; idle: {}, by {}\n",
               sockopts::format_duration(d.data_in_flight.after), d.data_in_flight.by,
               sockopts::format_duration(d.idle.after), d.idle.by);
  }
}

ExitCode run_sockets(const Context& ctx, const SocketsArgs& args) {
  pid_t pid = args.pid;
  if (!args.domain.empty()) {
    auto link = qmp::LibvirtLink::open(libvirt_address(args.domain, args.connect).uri, args.domain,
                                       deadline_from_seconds(10.0));
    if (!link) return report(ctx, link.error());
    auto found = (*link)->qemu_pid();
    if (!found)
      return fail(ctx, ExitCode::connect,
                  fmt::format("no QEMU of libvirt domain '{}' on this host: its process is found "
                              "by the domain's UUID on QEMU's command line, which needs a local "
                              "connection (qemu:///system, qemu+unix://...) and root",
                              (*link)->domain_name()));
    pid = *found;
  } else if (!args.monitor.empty()) {
    // From the listener's inode, without a connection (a held monitor's queue
    // would keep it); from its credentials when this namespace cannot see it.
    if (auto found = qmp::listener_pid(args.monitor)) {
      pid = *found;
    } else {
      auto p = sockopts::pid_of_unix_peer(args.monitor);
      if (!p) return fail(ctx, ExitCode::connect, p.error().text());
      pid = *p;
    }
  }
  sockopts::SocketFilter filter;
  filter.include_listening = !args.no_listening;
  if (!args.peer.empty()) {
    auto peer = sockopts::parse_host_port(args.peer);
    if (!peer) return fail(ctx, ExitCode::usage, "--peer " + peer.error().text());
    filter.peer = *peer;
  }
  std::optional<sockopts::SocketOptions> set;
  if (!args.set.empty()) {
    auto o = sockopts::options_from_assignments(args.set);
    if (!o) return fail(ctx, ExitCode::usage, "--set: " + o.error().text());
    set = *o;
  }

  auto reports = sockopts::inspect_process(pid, filter, set);
  if (!reports) return fail(ctx, ExitCode::connect, reports.error().text());
  // The sysctls of qsock's own network namespace; per-socket keep-alive
  // values come from the socket itself.
  std::optional<sockopts::Sysctls> sysctls;
  if (auto s = sockopts::read_sysctls()) sysctls = *s;

  ExitCode code = ExitCode::ok;
  for (const auto& r : *reports) {
    if (!r.options) code = ExitCode::connect;
    if (r.set && (!r.set->has_value() || !r.not_applied.empty()) && code == ExitCode::ok)
      code = ExitCode::invalid;
  }
  if (set && reports->empty()) code = ExitCode::invalid;

  if (ctx.json) {
    Json j = Json::object();
    j["pid"] = pid;
    if (set) j["set"] = sockopts::to_json(*set);
    Json list = Json::array();
    for (const auto& r : *reports) list.push_back(report_json(r, sysctls));
    j["sockets"] = list;
    fmt::print(ctx.out, "{}\n", dump_json(j));
  } else {
    fmt::print(ctx.out, "pid {}: {} TCP socket{}\n", pid, reports->size(),
               reports->size() == 1 ? "" : "s");
    for (const auto& r : *reports) print_report(ctx, r, sysctls);
  }
  if (set && reports->empty()) return fail(ctx, ExitCode::invalid, "no TCP socket to --set");
  return code;
}

}  // namespace

void add_sockets_command(CLI::App& app, Context& ctx, Action& action) {
  auto args = std::make_shared<SocketsArgs>();
  CLI::App* cmd = app.add_subcommand(
      "sockets", "A process's TCP sockets: effective options, TCP_INFO, dead-peer detection");
  auto* pid =
      cmd->add_option("--pid", args->pid, "The process (e.g. QEMU)")->check(positive_number());
  auto* sock = cmd->add_option("-s,--socket", args->monitor,
                               "A UNIX socket the process listens on (its QMP monitor): the "
                               "pid of its listener, found without connecting");
  pid->excludes(sock);
  auto* domain = add_domain_options(*cmd, args->domain, args->connect, nullptr);
  domain->description("A libvirt domain (name, UUID or id): its QEMU, as libvirt names it");
  domain->excludes(pid)->excludes(sock);
  cmd->add_option("--peer", args->peer, "Only sockets connected to HOST:PORT ([IPV6]:PORT)");
  cmd->add_flag("--no-listening", args->no_listening, "Leave out listening sockets");
  cmd->add_option("--set", args->set,
                  "Set options on the selected sockets and read them back: "
                  "user-timeout=MS,keep-alive=on|off,keep-alive-idle=S,keep-alive-interval=S,"
                  "keep-alive-count=N");
  cmd->footer(
      "Each socket is duplicated with pidfd_getfd (root, or the same user with\n"
      "kernel.yama.ptrace_scope 0), read, and closed again; --set acts on the process's\n"
      "own socket, so it can bound a migration or -netdev stream link already running.\n"
      "Examples:\n"
      "  qsock sockets --pid $(pidof qemu-system-x86_64)\n"
      "  qsock sockets -s /run/qemu/vm1.qmp --peer 10.0.0.2:4444 --set user-timeout=5000\n"
      "Exit status: 0 ok, 1 a --set did not stick, 2 usage, 3 process or socket not accessible.");
  cmd->callback([&ctx, &action, args, pid, sock, domain] {
    if (pid->count() == 0 && sock->count() == 0 && domain->count() == 0) {
      action = [&ctx] {
        return fail(ctx, ExitCode::usage, "sockets: give --pid PID, -s SOCKET or --domain NAME");
      };
      return;
    }
    action = [&ctx, args] { return run_sockets(ctx, *args); };
  });
}

}  // namespace qsock::cli
