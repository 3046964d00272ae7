#include "cli/monitor_options.h"

#include <cmath>

#include <fmt/format.h>

#include "cli/positive_number.h"
#include "qmp/libvirt_link.h"

namespace qsock::cli {

void add_monitor_options(CLI::App& cmd, MonitorOptions& options, const std::string& timeout_help) {
  auto* socket = cmd.add_option("-s,--socket", options.socket,
                                "Monitor socket: PATH, unix:PATH or tcp:HOST:PORT ([IPv6] in "
                                "brackets)")
                     ->envname("QSOCK_SOCKET");
  add_domain_options(cmd, options.domain, options.connect, socket);
  cmd.add_option("--timeout", options.timeout_seconds, timeout_help)->check(positive_number());
}

CLI::Option* add_domain_options(CLI::App& cmd, std::string& domain, std::string& connect,
                                CLI::Option* socket) {
  auto* by_domain =
      cmd.add_option("--domain", domain,
                     "A libvirt domain (name, UUID or id): reach its QEMU through libvirt, which "
                     "holds its monitor");
  cmd.add_option("-c,--connect", connect,
                 "With --domain: libvirt's URI (default $LIBVIRT_DEFAULT_URI, else "
                 "qemu:///system)")
      ->needs(by_domain);
  if (socket != nullptr) {
    socket->excludes(by_domain);
    // One of the two: a usage error (exit 2) when neither is given.
    cmd.parse_complete_callback([socket, by_domain] {
      if (socket->count() == 0 && by_domain->count() == 0)
        throw CLI::RequiredError("-s/--socket (or $QSOCK_SOCKET) or --domain");
    });
  }
  return by_domain;
}

CLI::Option* add_source_options(CLI::App& cmd, MonitorOptions& options,
                                const std::string& domain_help) {
  auto* socket = cmd.add_option("-s,--socket", options.socket,
                                "Source monitor (QMP or HMP): PATH, unix:PATH or tcp:HOST:PORT")
                     ->envname("QSOCK_SOCKET");
  auto* domain = add_domain_options(cmd, options.domain, options.connect, socket);
  domain->description(domain_help);
  return domain;
}

qmp::MonitorAddress libvirt_address(const std::string& domain, const std::string& connect) {
  qmp::MonitorAddress a;
  a.kind = qmp::MonitorAddress::Kind::libvirt;
  a.domain = domain;
  a.uri = connect.empty() ? qmp::default_libvirt_uri() : connect;
  return a;
}

qmp::Result<qmp::MonitorAddress> resolve_monitor(const Context& ctx,
                                                 const MonitorOptions& options) {
  if (!options.domain.empty()) return libvirt_address(options.domain, options.connect);
  auto address = qmp::parse_monitor_address(options.socket);
  if (address && address->is_tcp()) {
    static bool warned = false;
    if (!warned) {
      warned = true;
      warn(ctx, fmt::format("QMP over TCP has no authentication: anyone who can reach {} "
                            "controls this QEMU",
                            address->describe()));
    }
  }
  return address;
}

Deadline deadline_from_seconds(double seconds) {
  auto ms = static_cast<long long>(std::ceil(seconds * 1000.0));
  return Deadline::after(Milliseconds(ms));
}

ExitCode exit_code_for(const qmp::Error& error) {
  switch (error.kind) {
    case qmp::ErrorKind::invalid:
      return ExitCode::invalid;
    case qmp::ErrorKind::connect:
    case qmp::ErrorKind::protocol:
      return ExitCode::connect;
    case qmp::ErrorKind::timeout:
      return ExitCode::timeout;
    case qmp::ErrorKind::qemu:
      return ExitCode::qemu_error;
  }
  return ExitCode::connect;
}

ExitCode report(const Context& ctx, const qmp::Error& error) {
  ExitCode code = exit_code_for(error);
  if (error.kind == qmp::ErrorKind::qemu && ctx.json && !error.qemu_error.is_null()) {
    Json out = Json::object();
    out["error"] = error.qemu_error;
    fmt::print(ctx.out, "{}\n", dump_json(out));
  }
  if (error.kind == qmp::ErrorKind::qemu) return fail(ctx, code, "QEMU: " + error.message);
  if (!error.held_by_libvirt_domain.empty())
    return fail(
        ctx, code,
        fmt::format("{}\n  hint: reach it through libvirt: --domain {} (with -c URI "
                    "for a libvirtd other than {})",
                    error.message, error.held_by_libvirt_domain, qmp::default_libvirt_uri()));
  return fail(ctx, code, error.message);
}

}  // namespace qsock::cli
