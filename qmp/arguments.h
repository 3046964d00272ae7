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

namespace qsock::qmp {

// Types one key=value leaf, e.g. from the command's schema. `path` is the
// dotted key split into its parts. Returns nullopt to fall back to the
// simple rules; an Error (kind invalid) to refuse the value.
using ValueTyper =
    std::function<Result<std::optional<Json>>(const std::vector<std::string>& path,
                                              std::string_view text)>;

// The simple rules: a JSON number, `true` or `false` becomes that; a
// double-quoted JSON string becomes the string inside (a way to pass digits
// as a string: name='"0123"'); anything else is the text as a string.
Json type_by_simple_rules(std::string_view text);

// Builds the arguments object. `args` is empty (no arguments: {}), one JSON
// object, or key=value pairs. Errors are of kind invalid and name the
// offending argument.
Result<Json> build_arguments(std::span<const std::string> args, const ValueTyper& typer = {});

}  // namespace qsock::qmp
