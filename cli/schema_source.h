// The schema a command works with: the embedded one, the QAPI files in a
// directory the user names with --schema DIR, or a running QEMU's
// query-qmp-schema (--schema-from SOCK). Reading either is I/O, so it lives
// here rather than in uri/.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <tl/expected.hpp>

#include "cli/exit_code.h"
#include "schema/model.h"
#include "schema/versions.h"

namespace qsock::cli {

// Reads every *.json file in `dir` (in name order; includes resolve among
// them) as one schema. The error is a ready message.
tl::expected<schema::Schema, std::string> load_schema_dir(const std::filesystem::path& dir);

// Why a schema could not be had: a ready message and the exit code (usage
// for a bad --schema DIR; connect, timeout, ... for --schema-from).
struct SchemaError {
  ExitCode code = ExitCode::usage;
  std::string message;
};

struct LoadedSchema {
  std::shared_ptr<const schema::Schema> schema;
  // The release of the QEMU the schema came from (--schema-from), so that a
  // check is made for that release unless --qemu-version says otherwise.
  std::optional<schema::QemuVersion> live_version;
};

// The --schema and --schema-from options of a command, and the schema they select.
struct SchemaSource {
  std::string dir;                // --schema DIR
  std::string from_socket;        // --schema-from SOCK
  std::string domain;             // --domain NAME: the live schema through libvirt
  std::string connect;            // -c/--connect URI, with --domain
  double timeout_seconds = 10.0;  // --timeout, for --schema-from

  void add_options(CLI::App& cmd);
  // The embedded schema, the directory's, or the live QEMU's (versioned = false).
  tl::expected<LoadedSchema, SchemaError> load() const;
};

}  // namespace qsock::cli
