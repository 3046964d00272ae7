// The schema a command works with: the embedded one, or the QAPI files in a
// directory the user names with --schema DIR. Reading the directory is I/O,
// so it lives here rather than in uri/.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <tl/expected.hpp>

#include "uri/schema.h"

namespace qsock::cli {

// Reads every *.json file in `dir` (in name order; includes resolve among
// them) as one schema. The error is a ready message.
tl::expected<uri::Schema, std::string> load_schema_dir(const std::filesystem::path& dir);

// The --schema option of a command, and the schema it selects.
struct SchemaSource {
  std::string dir;  // --schema DIR

  void add_options(CLI::App& cmd);
  // The embedded schema, or the directory's; the error is a ready message.
  tl::expected<std::shared_ptr<const uri::Schema>, std::string> load() const;
};

}  // namespace qsock::cli
