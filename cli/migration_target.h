// What `qsock migrate` and `qsock demo` read from their command lines the
// same way: the --to address and --max-bandwidth.
#pragma once

#include <string>

#include <tl/expected.hpp>

#include "base/json.h"
#include "base/units.h"
#include "cli/context.h"

namespace qsock::cli {

// The --to address in any syntax `qsock check` knows, as a MigrationAddress
// ({"transport":"socket","type":"inet",...}); prints the diagnostics and
// returns ExitCode::invalid when it is not one.
tl::expected<Json, ExitCode> parse_target(const Context& ctx, const std::string& text);

// --max-bandwidth: bytes per second with an optional K, M, G suffix; prints
// the error and returns ExitCode::usage when it is not one.
tl::expected<BytesPerSecond, ExitCode> parse_max_bandwidth(const Context& ctx,
                                                           const std::string& text);

}  // namespace qsock::cli
