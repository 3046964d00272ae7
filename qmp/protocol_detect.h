// Which protocol a monitor socket speaks, from its first bytes: QMP greets
// with a JSON object ({"QMP": ...}), HMP with a banner and "(qemu) ".
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/deadline.h"
#include "qmp/connection.h"
#include "qmp/error.h"

namespace qsock::qmp {

enum class Protocol { qmp, hmp };

struct DetectedMonitor {
  Protocol protocol;
  Connection connection;
  std::string already_read;  // hand to Session::start or HmpSession::start
};

// Reads until the first non-blank byte. Times out with the no-greeting hint;
// `awaiting` names what was awaited in the timeout and hang-up messages.
Result<DetectedMonitor> detect_protocol(Connection connection, Deadline deadline,
                                        std::string_view awaiting = "the monitor's greeting");

// The first bytes' protocol: QMP when the first non-blank byte opens a JSON
// object; nullopt while there is no such byte yet.
std::optional<Protocol> protocol_of(std::string_view first_bytes);

// The error (kind protocol) for a monitor that greets like HMP where QMP was
// expected, quoting the first line of its banner and naming what to use.
Error not_qmp_error(std::string_view first_bytes);

}  // namespace qsock::qmp
