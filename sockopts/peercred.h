// Whose socket is this? The pid behind a UNIX socket path (a QMP monitor).
#pragma once

#include <sys/types.h>

#include <string>

#include "base/units.h"
#include "sockopts/error.h"

namespace qsock::sockopts {

// Connects to the UNIX socket at `path` and reads SO_PEERCRED: the pid of
// the process that listens there (QEMU for its QMP socket). Sends nothing;
// works while another client holds the monitor, since the credentials are
// the listener's.
Result<pid_t> pid_of_unix_peer(const std::string& path, Milliseconds timeout = Milliseconds(2000));

}  // namespace qsock::sockopts
