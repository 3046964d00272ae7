// Exit codes: the same for every qsock command, listed in --help and qsock(1).
#pragma once

#include <string_view>

namespace qsock::cli {

enum class ExitCode : int {
  ok = 0,
  invalid = 1,           // input invalid or refused
  usage = 2,             // bad command line
  connect = 3,           // cannot connect, or monitor protocol error
  qemu_error = 4,        // QEMU replied with an error
  timeout = 5,           // a deadline expired
  migration_failed = 6,  // migration failed or was cancelled
  not_checked = 7,       // qsock check: nothing invalid, but an input qsock does not check
  internal = 70,         // a bug in qsock (sysexits' EX_SOFTWARE): a service manager restarts
  interrupted = 130,     // SIGINT
};

inline int to_int(ExitCode c) { return static_cast<int>(c); }

// The table for --help and the man page.
std::string_view exit_code_table();

}  // namespace qsock::cli
