#include "cli/commands.h"

#include <algorithm>
#include <array>

namespace qsock::cli {

namespace {

struct Command {
  std::string_view name;
  void (*add)(CLI::App&, Context&, Action&);
};

// The order here is the order of `qsock --help`.
constexpr std::array<Command, 15> commands = {{
    {"check", add_check_command},
    {"convert", add_convert_command},
    {"explain", add_explain_command},
    {"schema", add_schema_command},
    {"qmp", add_qmp_command},
    {"hmp", add_hmp_command},
    {"events", add_events_command},
    {"caps", add_caps_command},
    {"probe", add_probe_command},
    {"sockets", add_sockets_command},
    {"migrate", add_migrate_command},
    {"watch", add_watch_command},
    {"guard", add_guard_command},
    {"demo", add_demo_command},
    {"completion", add_completion_command},  // also registers the hidden __complete
}};

bool named(std::span<const std::string_view> words, std::string_view name) {
  return std::find(words.begin(), words.end(), name) != words.end();
}

}  // namespace

void register_commands(CLI::App& app, Context& ctx, Action& action,
                       std::span<const std::string_view> words) {
  // CLI11 selects a subcommand only by its exact name, so a command whose
  // name is not among the words cannot be chosen: leaving it out changes no
  // parse and saves building its option tables (about 40 % of a `qsock
  // check`). Without any command name (`qsock`, a typo), for help (`qsock
  // --help check` lists every command) and for __complete, which walks the
  // whole app, every command is built.
  bool some = std::any_of(commands.begin(), commands.end(),
                          [&](const Command& c) { return named(words, c.name); });
  bool all = !some || named(words, "__complete") || named(words, "--help") || named(words, "-h");
  for (const Command& c : commands)
    if (all || named(words, c.name)) c.add(app, ctx, action);
}

}  // namespace qsock::cli
