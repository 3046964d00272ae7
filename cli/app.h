// The command-line front end: builds the CLI11 app and runs one command.
#pragma once

#include "cli/exit_code.h"

namespace qsock::cli {

int run(int argc, char** argv);

}  // namespace qsock::cli
