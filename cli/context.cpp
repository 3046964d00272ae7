#include "cli/context.h"

#include <fmt/format.h>

namespace qsock::cli {

ExitCode fail(const Context& ctx, ExitCode code, std::string_view message) {
  fmt::print(ctx.err, "qsock: error: {}\n", message);
  return code;
}

void warn(const Context& ctx, std::string_view message) {
  fmt::print(ctx.err, "qsock: warning: {}\n", message);
}

}  // namespace qsock::cli
