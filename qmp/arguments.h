// A QMP command's arguments, validated and typed by the command's argument
// type in a schema (a live QEMU's, from live_schema). The walk is the one
// validator's (schema::validate): this file only finds the command's
// argument type and frames the problems.
//
// key=value words become an all-strings tree first (uri::parse_keyval_words,
// in the layers above); it is typed here in keyval mode, as QEMU's keyval
// input visitor would: str stays a string (digits too), integers with base
// detection, bool on/off/yes/no/true/false/y/n, enums with a "did you mean",
// size with suffixes (8M), unions by their discriminator, lists by index.
#pragma once

#include <string>
#include <string_view>

#include "base/diagnostics.h"
#include "base/json.h"
#include "schema/model.h"
#include "schema/validator.h"
#include "schema/versions.h"

namespace qsock::qmp {

// Validates `arguments` (an object: all strings in keyval mode, typed JSON in
// json mode) as the arguments of `command` in `schema`. The result holds the
// typed QMP JSON, or null with every problem, each naming the offending key
// (an unknown one with a "did you mean"). A command the schema lacks, or
// arguments to a command that takes none, are problems too.
schema::Validated typed_arguments(const schema::Schema& schema, std::string_view command,
                                  const Json& arguments, schema::InputMode mode,
                                  const schema::Target& target = schema::Target::newest());

}  // namespace qsock::qmp
