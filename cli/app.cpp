#include "cli/app.h"

#include <algorithm>
#include <csignal>
#include <exception>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/context.h"

namespace qsock::cli {

void configure_app(CLI::App& app, Context& ctx, std::function<ExitCode()>& action,
                   std::span<const std::string_view> words) {
  app.name("qsock");
  app.set_version_flag("--version", std::string("qsock ") + QSOCK_VERSION);
  app.require_subcommand(1);
  // Global options (--json) may also follow the command: `qsock check --json X`.
  app.fallthrough();
  app.footer(std::string(exit_code_table()) +
             "\nRun 'qsock COMMAND --help' for a command's options; see qsock(1) and "
             "qsock-sockets(7).");

  app.failure_message([](const CLI::App* failed, const CLI::Error& e) {
    std::string name = failed->get_parent() ? " " + failed->get_name() : "";
    return fmt::format("qsock: error: {}\nRun 'qsock{} --help' for usage.\n", e.what(), name);
  });

  app.add_flag("--json", ctx.json, "Machine-readable output: JSON on stdout");

  // Each command registers itself and sets `action` when it is chosen.
  register_commands(app, ctx, action, words);
}

namespace {

// CLI11 says "--socket is required" and not that QSOCK_SOCKET would do.
void print_environment_hints(const CLI::App& app) {
  for (const CLI::App* cmd : app.get_subcommands())
    for (const CLI::Option* opt : cmd->get_options())
      if (opt->get_required() && opt->count() == 0 && !opt->get_envname().empty())
        fmt::print(stderr, "qsock: {} can also be given as the environment variable {}\n",
                   opt->get_name(), opt->get_envname());
}

}  // namespace

int run(int argc, char** argv) {
  CLI::App app{"qsock: check, convert and apply QEMU socket addresses; drive QMP/HMP migrations"};
  Context ctx;
  std::function<ExitCode()> action;
  std::vector<std::string_view> words(argv + std::min(argc, 1), argv + argc);
  configure_app(app, ctx, action, words);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::RequiredError& e) {
    app.exit(e);
    print_environment_hints(app);
    return to_int(ExitCode::usage);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return to_int(ExitCode::usage);
  }
  if (!action) return to_int(fail(ctx, ExitCode::usage, "no command given"));
  // Errors are values in every layer; an exception reaching here is a bug.
  // Report it rather than abort, so a script sees a message and an exit code.
  try {
    return to_int(action());
  } catch (const std::exception& e) {
    return to_int(
        fail(ctx, ExitCode::internal,
             fmt::format("internal error (a bug in qsock, please report it): {}", e.what())));
  }
}

}  // namespace qsock::cli
