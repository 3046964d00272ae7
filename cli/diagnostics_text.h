// Text rendering of diagnostics, shared by every command that checks input.
#pragma once

#include <cstdio>

#include "base/diagnostics.h"

namespace qsock::cli {

// "  error: MESSAGE\n         hint: HINT\n" for each problem, errors first.
void print_diagnostics(std::FILE* to, const Diagnostics& diags, int indent = 2);

}  // namespace qsock::cli
