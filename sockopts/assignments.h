// The --set syntax of `qsock sockets`: "user-timeout=2000,keep-alive=on".
#pragma once

#include <string_view>

#include "sockopts/error.h"
#include "sockopts/options.h"

namespace qsock::sockopts {

// Comma-separated KEY=VALUE with the QMP member names and units of the
// options that can change on an existing socket: keep-alive (on/off,
// true/false, yes/no), keep-alive-count, keep-alive-idle (s),
// keep-alive-interval (s), user-timeout (ms). Converted through
// options_from_json, so ranges are checked the same way. Family, mptcp,
// to and numeric act when a socket is created and are refused with a hint.
Result<SocketOptions> options_from_assignments(std::string_view text);

}  // namespace qsock::sockopts
