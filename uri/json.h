// The JSON value type used everywhere in qsock: QMP messages, parsed
// addresses and schema data. ordered_json keeps members in the order they
// were written, so conversions and --json output read like their input.
#pragma once

#include <nlohmann/json.hpp>

namespace qsock {
using Json = nlohmann::ordered_json;
}  // namespace qsock
