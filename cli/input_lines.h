// Command arguments where "-" means: one input per line of standard input.
#pragma once

#include <string>
#include <vector>

namespace qsock::cli {

// Expands "-" into the lines of stdin (empty lines and lines starting with
// '#' skipped); other arguments are kept as they are.
std::vector<std::string> expand_stdin(const std::vector<std::string>& args);

}  // namespace qsock::cli
