// Which protocol a monitor socket speaks, from its first bytes: QMP greets
// with a JSON object ({"QMP": ...}), HMP with a banner and "(qemu) ".
#pragma once

#include <string>

#include "qmp/connection.h"
#include "base/deadline.h"
#include "qmp/error.h"

namespace qsock::qmp {

enum class Protocol { qmp, hmp };

struct DetectedMonitor {
  Protocol protocol;
  Connection connection;
  std::string already_read;  // hand to Session::start or HmpSession::start
};

// Reads until the first non-blank byte. Times out with the no-greeting hint.
Result<DetectedMonitor> detect_protocol(Connection connection, Deadline deadline);

}  // namespace qsock::qmp
