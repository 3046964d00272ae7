// qsock completion SHELL: prints the completion script. The hidden
// `qsock __complete -- WORDS...` is what the script calls: one candidate a
// line, "VALUE<TAB>DESCRIPTION".
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/completion.h"
#include "cli/completion_scripts.h"
#include "schema/loader.h"

namespace qsock::cli {

void add_completion_command(CLI::App& app, Context& ctx, Action& action) {
  auto shell = std::make_shared<std::string>();
  CLI::App* cmd =
      app.add_subcommand("completion", "Print the shell completion script for bash or zsh");
  cmd->add_option("shell", *shell, "The shell: bash or zsh")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh"}));
  cmd->footer(
      "Examples:\n"
      "  source <(qsock completion bash)\n"
      "  qsock completion zsh > ~/.zfunc/_qsock\n"
      "Packages install both scripts; this is for a qsock installed by hand.");
  cmd->callback([&ctx, &action, shell] {
    action = [&ctx, shell] {
      auto script = completion_script(*shell);
      if (!script)
        return fail(ctx, ExitCode::usage, fmt::format("no completion script for '{}'", *shell));
      fmt::print(ctx.out, "{}", *script);
      return ExitCode::ok;
    };
  });

  auto words = std::make_shared<std::vector<std::string>>();
  CLI::App* complete =
      app.add_subcommand("__complete", "Completion candidates for the words given");
  complete->group("");  // hidden: the completion scripts call it
  complete->add_option("words", *words, "The words after 'qsock', the last one being completed");
  complete->callback([&app, &ctx, &action, words] {
    action = [&app, &ctx, words] {
      for (const Candidate& c : complete_words(app, *words, schema::embedded_schema()))
        fmt::print(ctx.out, "{}\t{}\n", c.value, c.description);
      return ExitCode::ok;
    };
  });
}

}  // namespace qsock::cli
