// The options of every command that reads an address (--as, --qemu-version,
// --schema, --schema-from, --timeout), and what they resolve to.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <tl/expected.hpp>

#include "cli/context.h"
#include "cli/schema_source.h"
#include "cli/version_option.h"
#include "uri/check.h"

namespace qsock::cli {

// What a check needs: the input kind (nullopt: detect), the release, the schema.
struct CheckSetup {
  std::optional<uri::InputKind> kind;
  schema::Target target;
  std::shared_ptr<const schema::Schema> schema;
  std::optional<std::string> warning;  // about --qemu-version, for the command to show
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

// A valid input and the endpoint it names, for the commands that go on from
// there (convert, explain).
struct CheckedEndpoint {
  uri::CheckResult checked;
  uri::Endpoint endpoint;
};

// Checks `input` as `setup` says and takes its endpoint. An input that is
// not valid is printed (the error and its diagnostics), one of a kind
// qsock does not check is named (exit 7), and the exit code
// returned.
tl::expected<CheckedEndpoint, ExitCode> checked_endpoint(const Context& ctx,
                                                         const std::string& input,
                                                         const CheckSetup& setup);

}  // namespace qsock::cli
