// Command arguments from the command line: one JSON object, or key=value
// pairs whose dotted keys build nested objects (addr.port=4444 ->
// {"addr": {"port": ...}}). How a value is typed is decided in one place,
// `type_value`, which a schema-aware typer can take over.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "qmp/error.h"
#include "schema/model.h"

namespace qsock::qmp {

// Types one key=value leaf, e.g. from the command's schema. `path` is the
// dotted key split into its parts. Returns nullopt to fall back to the
// simple rules; an Error (kind invalid) to refuse the value.
using ValueTyper = std::function<Result<std::optional<Json>>(const std::vector<std::string>& path,
                                                             std::string_view text)>;

// The simple rules: a JSON number, `true` or `false` becomes that; a
// double-quoted JSON string becomes the string inside (a way to pass digits
// as a string: name='"0123"'); anything else is the text as a string.
Json type_by_simple_rules(std::string_view text);

// Builds the arguments object. `args` is empty (no arguments: {}), one JSON
// object, or key=value pairs. Errors are of kind invalid and name the
// offending argument.
Result<Json> build_arguments(std::span<const std::string> args, const ValueTyper& typer = {});

// Whether `args` are key=value pairs (rather than none, or one JSON object),
// i.e. whether typing them needs the command's schema.
bool has_key_value_arguments(std::span<const std::string> args);

// A typer that types every leaf by the argument type of `command` in
// `schema` (a live QEMU's, from live_schema): str stays a string (digits
// too), integers must be numbers, bool takes on/off/yes/no/true/false/y/n,
// an enum must be one of its values, size takes suffixes (1K, 2M), number a
// JSON number. Dotted keys walk nested objects, unions (the branch chosen by
// the discriminator given among `args`), alternates and lists (elements as
// KEY.0, KEY.1, ...; build_arguments turns them into arrays). `any` falls
// back to the simple rules. Unknown keys are refused with a "did you mean".
// Errors (kind invalid): a command the schema lacks. `schema` must outlive
// the typer; `args` are read here and not kept.
Result<ValueTyper> schema_typer(const schema::Schema& schema, std::string_view command,
                                std::span<const std::string> args);

}  // namespace qsock::qmp
