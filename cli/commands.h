// Registration of every qsock command. Each command lives in its own
// cli/cmd_<name>.cpp and sets `action` when the user picks it.
#pragma once

#include <functional>
#include <span>
#include <string_view>

#include <CLI/CLI.hpp>

#include "cli/context.h"

namespace qsock::cli {

using Action = std::function<ExitCode()>;

// Registers the commands named among `words` (the command line), or every
// command when none is named; an empty `words` registers them all.
void register_commands(CLI::App& app, Context& ctx, Action& action,
                       std::span<const std::string_view> words = {});

// One per command file, cli/cmd_<name>.cpp.
void add_check_command(CLI::App& app, Context& ctx, Action& action);
void add_convert_command(CLI::App& app, Context& ctx, Action& action);
void add_explain_command(CLI::App& app, Context& ctx, Action& action);
void add_schema_command(CLI::App& app, Context& ctx, Action& action);
void add_qmp_command(CLI::App& app, Context& ctx, Action& action);
void add_hmp_command(CLI::App& app, Context& ctx, Action& action);
void add_events_command(CLI::App& app, Context& ctx, Action& action);
void add_caps_command(CLI::App& app, Context& ctx, Action& action);
void add_probe_command(CLI::App& app, Context& ctx, Action& action);
void add_sockets_command(CLI::App& app, Context& ctx, Action& action);
void add_migrate_command(CLI::App& app, Context& ctx, Action& action);
void add_watch_command(CLI::App& app, Context& ctx, Action& action);
void add_guard_command(CLI::App& app, Context& ctx, Action& action);
void add_demo_command(CLI::App& app, Context& ctx, Action& action);
void add_completion_command(CLI::App& app, Context& ctx, Action& action);

}  // namespace qsock::cli
