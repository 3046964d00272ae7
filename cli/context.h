// What every command sees: global options and where output goes.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

#include "cli/exit_code.h"

namespace qsock::cli {

struct Context {
  bool json = false;  // --json: machine-readable output on stdout
  std::FILE* out = stdout;
  std::FILE* err = stderr;
};

// "qsock: error: MESSAGE" on stderr; returns `code` so callers can `return fail(...)`.
ExitCode fail(const Context& ctx, ExitCode code, std::string_view message);
void warn(const Context& ctx, std::string_view message);

}  // namespace qsock::cli
