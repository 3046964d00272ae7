// Shell completion candidates, computed from the CLI11 app itself (its
// commands, options and option choices) and, inside an address, from the
// schema, so that completion cannot drift from what qsock accepts. The
// shell scripts (completion_scripts.h) only pass the words and show the result.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "schema/model.h"

namespace qsock::cli {

struct Candidate {
  std::string value;        // the whole word, as it replaces the word being completed
  std::string description;  // one line, "" when there is none
};

// `words`: the command line after the program name, up to the cursor; the
// last is the word being completed ("" after a space). A --qemu-version on
// the line makes address candidates those of that release.
std::vector<Candidate> complete_words(CLI::App& app, const std::vector<std::string>& words,
                                      const schema::Schema& schema);

}  // namespace qsock::cli
