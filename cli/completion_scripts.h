// The bash and zsh completion scripts: thin shims that hand the words to
// `qsock __complete` and show what it prints. `qsock completion SHELL`
// prints them; the build writes them to files for installation.
#pragma once

#include <optional>
#include <string_view>

namespace qsock::cli {

// The script for "bash" or "zsh"; nullopt for any other shell.
std::optional<std::string_view> completion_script(std::string_view shell);

}  // namespace qsock::cli
