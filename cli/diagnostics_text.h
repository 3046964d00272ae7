// Text rendering of diagnostics, shared by every command that checks input.
#pragma once

#include <cstdio>

#include "uri/diagnostic.h"

namespace qsock::cli {

// "  error: MESSAGE\n         hint: HINT\n" for each problem, errors first.
void print_diagnostics(std::FILE* to, const uri::Diagnostics& diags, int indent = 2);

}  // namespace qsock::cli
