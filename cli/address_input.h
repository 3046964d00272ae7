// The options of every command that reads an address (--as, --qemu-version,
// --schema, --schema-from, --timeout), and what they resolve to.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <tl/expected.hpp>

#include "cli/schema_source.h"
#include "cli/version_option.h"
#include "uri/check.h"

namespace qsock::cli {

// What a check needs: the input kind (nullopt: detect), the release, the schema.
struct CheckSetup {
  std::optional<uri::InputKind> kind;
  schema::Target target;
  std::shared_ptr<const schema::Schema> schema;
};

struct AddressInput {
  std::string as;
  VersionOption version;
  SchemaSource schema;

  void add_options(CLI::App& cmd);
  // With --schema-from, the check is for the release that QEMU is, unless
  // --qemu-version names one. The error carries its exit code.
  tl::expected<CheckSetup, SchemaError> resolve() const;
};

}  // namespace qsock::cli
