// What `qsock migrate` and `qsock watch` share: the SIGINT flag, the final
// report as text or the --json line, and the exit code of an outcome.
#pragma once

#include <atomic>

#include "cli/context.h"
#include "cli/progress_line.h"
#include "qmp/migration_driver.h"

namespace qsock::cli {

// Installs a SIGINT handler that sets the flag (once; a second Ctrl-C kills).
const std::atomic<bool>* install_interrupt_flag();

// Prints the outcome (problems, report, error) and returns the exit code:
// 0 completed or prepared, 1 preflight problems, 6 failed or cancelled,
// 130 interrupted, else the error's code.
ExitCode finish_outcome(const Context& ctx, ProgressLine& line, const qmp::DriverOutcome& o);

}  // namespace qsock::cli
