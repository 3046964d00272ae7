// The one validator: walks any parsed input against a schema type, for a
// chosen QEMU release, and returns the value as typed QMP JSON together with
// every problem found, each in QEMU's own words plus a hint QEMU does not give.
#pragma once

#include <string_view>

#include "base/diagnostics.h"
#include "base/json.h"
#include "schema/model.h"
#include "schema/versions.h"

namespace qsock::schema {

// How scalars arrive. keyval: every leaf is a string, converted as QEMU's
// keyval input visitor does (bools on/off/yes/no/true/false/y/n, integers with
// base detection, sizes with suffixes); names in messages are dotted paths
// with list elements as ".N". json: QMP JSON, types must match exactly;
// list elements are named "[N]".
enum class InputMode { keyval, json };

struct Validated {
  Json value;  // typed QMP JSON in schema member order; null when the input is unusable
  Diagnostics diags;
};

// `path` names the value in messages ("" for a top-level object, as QEMU's
// -netdev does; "addr" for a nested start).
Validated validate(const Schema& schema, const Json& input, std::string_view type_name,
                   InputMode mode, const Target& target, std::string_view path = "");

// Scalar conversions of the keyval input visitor, exposed for the legacy
// parsers and tests. On failure they return nullopt.
std::optional<std::int64_t> keyval_int64(std::string_view text);
std::optional<std::uint64_t> keyval_uint64(std::string_view text);
std::optional<bool> keyval_bool(std::string_view text);
std::optional<std::uint64_t> keyval_size(std::string_view text);

}  // namespace qsock::schema
