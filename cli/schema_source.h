// Where a command's schema comes from: the embedded one (default), QAPI
// files in a directory (--schema DIR), or a live QEMU (--schema-from SOCK).
#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <tl/expected.hpp>

#include "uri/schema.h"

namespace qsock::cli {

struct SchemaSource {
  std::string dir;  // --schema DIR

  // Adds --schema to a command.
  void add_options(CLI::App& cmd);
  // Loads the chosen schema; the error is a message for the user.
  tl::expected<std::shared_ptr<const uri::Schema>, std::string> load() const;
};

}  // namespace qsock::cli
