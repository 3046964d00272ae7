// What a QEMU writes to its stderr during a migration, when that is a file.
//
// A destination that refuses the incoming state says why only on its stderr
// ("load of migration failed: …", a section it does not know); the source
// sees just a reset connection. libvirt points QEMU's stderr at
// /var/log/libvirt/qemu/NAME.log, and scripts at a log file, so qsock can
// read it: it opens the file through /proc/PID/fd/2 at the start (a file it
// can still read once the process is gone, even renamed) and remembers its
// size then, so that only what the migration added is read.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "base/fd.h"

namespace qsock::migration {

struct StderrLog {
  Fd file;
  std::uint64_t start_offset = 0;
};

// The process's stderr when it is a regular file qsock may read; nothing for
// a pipe, a terminal, /dev/null, or a process qsock cannot see.
std::optional<StderrLog> open_stderr_log(pid_t pid);

// The last non-blank line written since the start (of the last 64 KiB), or
// nothing when it wrote none.
std::optional<std::string> last_line_since_start(const StderrLog& log);

}  // namespace qsock::migration
