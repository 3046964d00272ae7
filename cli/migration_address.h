// qsock migrate's look at its --to address before the driver runs: check's
// warnings for the source QEMU's release, and a refusal of what cannot work.
#pragma once

#include <string>

#include "cli/context.h"
#include "cli/exit_code.h"
#include "qmp/monitor_address.h"

namespace qsock::cli {

// Prints the warnings; returns ExitCode::ok to go on, else the exit code
// (1 refused, 3/5 the source monitor could not be read) after saying why.
ExitCode check_migration_address(const Context& ctx, const qmp::MonitorAddress& source,
                                 const std::string& to, double timeout_seconds);

}  // namespace qsock::cli
