#include "cli/monitor_options.h"

#include <cmath>

#include <fmt/format.h>

#include "cli/positive_number.h"

namespace qsock::cli {

void add_monitor_options(CLI::App& cmd, MonitorOptions& options, const std::string& timeout_help) {
  cmd.add_option("-s,--socket", options.socket,
                 "Monitor socket: PATH, unix:PATH or tcp:HOST:PORT ([IPv6] in brackets)")
      ->envname("QSOCK_SOCKET")
      ->required();  // a usage error (exit 2) when neither is given
  cmd.add_option("--timeout", options.timeout_seconds, timeout_help)->check(positive_number());
}

qmp::Result<qmp::MonitorAddress> resolve_monitor(const Context& ctx,
                                                 const MonitorOptions& options) {
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
  return fail(ctx, code, error.message);
}

}  // namespace qsock::cli
