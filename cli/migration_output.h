// What `qsock migrate`, `watch` and `demo` share: the options that say how a
// migration is followed (-d, --timeout, --stall, --cancel-on-stall), the
// SIGINT flag, the progress sinks, the final report as text or the --json
// line, and the exit code of an outcome.
#pragma once

#include <atomic>
#include <cstdio>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/context.h"
#include "cli/progress_line.h"
#include "migration/driver.h"

namespace qsock::cli {

struct FollowOptions {
  std::string destination;  // -d: the destination's monitor, may be empty
  std::optional<double> timeout_s;
  std::optional<double> stall_s;
  bool cancel_on_stall = false;
};

// Adds -d/--destination, --timeout, --stall and --cancel-on-stall to `cmd`.
void add_follow_options(CLI::App& cmd, FollowOptions& o, const std::string& destination_help,
                        const std::string& timeout_help);

// The destination's monitor address, if -d was given; an error is reported
// and its exit code returned.
tl::expected<std::optional<qmp::MonitorAddress>, ExitCode> follow_destination(
    const Context& ctx, const FollowOptions& o);

// Driver options from the follow options, with the SIGINT flag installed.
migration::DriverOptions driver_options(const FollowOptions& o);

// Progress and notes go to `line`.
migration::DriverSinks sinks_for(ProgressLine& line);

// Installs a handler for SIGINT, SIGTERM and SIGHUP that sets the flag to the
// signal, once: a second signal of the same kind ends qsock at once.
const InterruptFlag* install_interrupt_flag();

// The report as text: QEMU's numbers with their sources, each end's socket
// (its options, TCP_INFO and when it was read), the VMs' states.
void print_report(std::FILE* to, const migration::MigrationReport& r);

// "native", "fd", "inject"; "" when no options reached the socket.
std::string via_name(const std::optional<migration::SockoptsMode>& via);

// Prints the outcome (problems, report, error) and returns the exit code:
// 0 completed or prepared, 1 preflight problems, 6 failed or cancelled,
// 130 interrupted, else the error's code.
ExitCode finish_outcome(const Context& ctx, ProgressLine& line, const migration::DriverOutcome& o);

}  // namespace qsock::cli
