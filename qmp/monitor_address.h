// Where a monitor listens, as given with -s/--socket or QSOCK_SOCKET:
// `PATH`, `unix:PATH` or `tcp:HOST:PORT` (an IPv6 host in brackets).
#pragma once

#include <string>
#include <string_view>

#include "qmp/error.h"

namespace qsock::qmp {

struct MonitorAddress {
  enum class Kind { unix_socket, tcp };
  Kind kind = Kind::unix_socket;
  std::string path;  // unix_socket
  std::string host;  // tcp, without brackets
  std::string port;  // tcp, a number or service name

  bool is_tcp() const { return kind == Kind::tcp; }
  std::string describe() const;  // "unix:/run/q.sock", "tcp:[::1]:4444"
};

// Errors are of kind `invalid`.
Result<MonitorAddress> parse_monitor_address(std::string_view text);

}  // namespace qsock::qmp
