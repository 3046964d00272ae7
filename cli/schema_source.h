// The schema a command works with: the embedded one, or the QAPI files in a
// directory the user names with --schema DIR. Reading the directory is I/O,
// so it lives here rather than in uri/.
#pragma once

#include <filesystem>
#include <string>

#include <tl/expected.hpp>

#include "uri/schema.h"

namespace qsock::cli {

// Reads every *.json file in `dir` (in name order; includes resolve among
// them) as one schema. The error is a ready message.
tl::expected<uri::Schema, std::string> load_schema_dir(const std::filesystem::path& dir);

}  // namespace qsock::cli
