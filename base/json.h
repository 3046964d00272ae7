// The JSON value type used everywhere in qsock: QMP messages, parsed
// addresses and schema data. ordered_json keeps members in the order they
// were written, so conversions and --json output read like their input.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace qsock {
using Json = nlohmann::ordered_json;

// The text of a JSON value. User input may hold any bytes; invalid UTF-8 in
// a string becomes U+FFFD here instead of an exception. Every JSON qsock
// prints or sends goes through this.
inline std::string dump_json(const Json& value, int indent = -1) {
  return value.dump(indent, ' ', false, Json::error_handler_t::replace);
}
}  // namespace qsock
