// What the monitor commands (qmp, hmp, events) share: -s/--socket (or
// QSOCK_SOCKET), --timeout, and turning a qmp::Error into a message and an
// exit code.
#pragma once

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "base/deadline.h"
#include "cli/context.h"
#include "qmp/error.h"
#include "qmp/monitor_address.h"

namespace qsock::cli {

struct MonitorOptions {
  std::string socket;
  std::string domain;   // --domain: through libvirt instead of a socket
  std::string connect;  // -c/--connect: libvirt's URI
  double timeout_seconds = 10.0;
  int pass_fd = -1;  // --fd N, where the command offers it
};

// Adds -s/--socket (or --domain with -c/--connect: one of the two is
// required, a usage error otherwise) and --timeout to `cmd`. `timeout_help`
// describes what it bounds.
void add_monitor_options(CLI::App& cmd, MonitorOptions& options,
                         const std::string& timeout_help =
                             "Seconds to wait for the connection, greeting and reply "
                             "(default 10)");

// --domain and -c/--connect on `cmd` (binding `domain` and `connect`); with
// `socket`, the two exclude each other and one is required. Returns --domain.
CLI::Option* add_domain_options(CLI::App& cmd, std::string& domain, std::string& connect,
                                CLI::Option* socket);

// migrate's and watch's source: -s/--socket (or $QSOCK_SOCKET) or --domain
// with -c, one of them required; `domain_help` says what --domain does there.
CLI::Option* add_source_options(CLI::App& cmd, MonitorOptions& options,
                                const std::string& domain_help);

// The address of a libvirt domain's QEMU (--domain, -c).
qmp::MonitorAddress libvirt_address(const std::string& domain, const std::string& connect);

// The monitor address to use; warns (once) that QMP over TCP is unauthenticated.
qmp::Result<qmp::MonitorAddress> resolve_monitor(const Context& ctx, const MonitorOptions& options);

Deadline deadline_from_seconds(double seconds);

ExitCode exit_code_for(const qmp::Error& error);

// Prints the error ("qsock: error: ..."; a QEMU error with its class and
// desc, or with --json its error object on stdout) and returns its exit code.
ExitCode report(const Context& ctx, const qmp::Error& error);

}  // namespace qsock::cli
