// Where a monitor listens, as given with -s/--socket or QSOCK_SOCKET:
// `PATH`, `unix:PATH` or `tcp:HOST:PORT` (an IPv6 host in brackets).
#pragma once

#include <string>
#include <string_view>

#include "qmp/error.h"

namespace qsock::qmp {

struct MonitorAddress {
  enum class Kind { unix_socket, tcp, libvirt };
  Kind kind = Kind::unix_socket;
  std::string path;    // unix_socket
  std::string host;    // tcp, without brackets
  std::string port;    // tcp, a number or service name
  std::string uri;     // libvirt: the connection URI
  std::string domain;  // libvirt: the domain's name, UUID or id

  static MonitorAddress unix_at(std::string path) {
    MonitorAddress a;
    a.path = std::move(path);
    return a;
  }
  bool is_tcp() const { return kind == Kind::tcp; }
  // "unix:/run/q.sock", "tcp:[::1]:4444", "libvirt domain 'vm1' (qemu:///system)"
  std::string describe() const;
};

// Errors are of kind `invalid`.
Result<MonitorAddress> parse_monitor_address(std::string_view text);

}  // namespace qsock::qmp
