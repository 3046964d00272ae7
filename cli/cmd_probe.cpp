// qsock probe: what this kernel supports, and its dead-peer sysctls.
#include <fmt/format.h>

#include "cli/commands.h"
#include "sockopts/detection.h"
#include "sockopts/probe.h"

namespace qsock::cli {

namespace {

// The detection times shown by probe are for a socket with keep-alive on
// and nothing else set: what the sysctls alone give.
sockopts::SocketOptions probe_socket() {
  sockopts::SocketOptions o;
  o.keep_alive = true;
  return o;
}

ExitCode run_probe(const Context& ctx) {
  sockopts::KernelProbe p = sockopts::probe_kernel();
  if (ctx.json) {
    Json j = sockopts::to_json(p);
    if (p.sysctls) {
      j["detection_for"] = sockopts::to_json(probe_socket());
      j["detection"] = sockopts::to_json(sockopts::detection_times(probe_socket(), *p.sysctls));
    }
    fmt::print(ctx.out, "{}\n", dump_json(j));
    return ExitCode::ok;
  }
  fmt::print(ctx.out, "kernel {}\n", p.kernel);
  for (const sockopts::Feature& f : p.features)
    fmt::print(ctx.out, "  {:<18} {:<4} {}\n", f.name, f.supported ? "yes" : "no", f.detail);
  if (!p.sysctls) {
    warn(ctx, p.sysctls.error().text());
    return ExitCode::ok;
  }
  const sockopts::Sysctls& s = *p.sysctls;
  auto d = sockopts::detection_times(probe_socket(), s);
  fmt::print(ctx.out, "sysctls (this network namespace)\n");
  auto row = [&ctx](std::string_view name, const std::string& value, const std::string& note) {
    std::string line = fmt::format("  net.ipv4.{:<22} {:<8} {}", name, value, note);
    line.erase(line.find_last_not_of(' ') + 1);
    fmt::print(ctx.out, "{}\n", line);
  };
  row("tcp_retries2", std::to_string(s.tcp_retries2),
      "data in flight: " + sockopts::format_duration(d.data_in_flight.after));
  row("tcp_keepalive_time", fmt::format("{} s", s.tcp_keepalive_time.count()), "");
  row("tcp_keepalive_intvl", fmt::format("{} s", s.tcp_keepalive_intvl.count()), "");
  row("tcp_keepalive_probes", std::to_string(s.tcp_keepalive_probes),
      "idle, keep-alive on: " + sockopts::format_duration(d.idle.after));
  row("tcp_syn_retries", std::to_string(s.tcp_syn_retries),
      "connect: " + sockopts::format_duration(d.connect.after));
  return ExitCode::ok;
}

}  // namespace

void add_probe_command(CLI::App& app, Context& ctx, Action& action) {
  CLI::App* cmd = app.add_subcommand(
      "probe", "Kernel support for the socket options QEMU uses, and the TCP sysctls");
  cmd->footer(
      "Tries TCP_USER_TIMEOUT, TCP_KEEPCNT/IDLE/INTVL on a fresh socket, opens an MPTCP socket,\n"
      "calls pidfd_open/pidfd_getfd on itself, and reads net.ipv4.tcp_retries2,\n"
      "tcp_keepalive_time/intvl/probes and tcp_syn_retries with the detection times they give\n"
      "a socket with keep-alive on and nothing else set.\n"
      "Exit status: 0.");
  cmd->callback([&ctx, &action] { action = [&ctx] { return run_probe(ctx); }; });
}

}  // namespace qsock::cli
