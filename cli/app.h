// The command-line front end: builds the CLI11 app and runs one command.
#pragma once

#include <functional>
#include <span>
#include <string_view>

#include <CLI/CLI.hpp>

#include "cli/context.h"
#include "cli/exit_code.h"

namespace qsock::cli {

// Sets up `app` as qsock: global options and the commands `words` (the
// command line) can choose, every command when `words` is empty. The chosen
// command sets `action` during parsing.
void configure_app(CLI::App& app, Context& ctx, std::function<ExitCode()>& action,
                   std::span<const std::string_view> words = {});

int run(int argc, char** argv);

}  // namespace qsock::cli
