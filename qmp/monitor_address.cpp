#include "qmp/monitor_address.h"

#include <sys/un.h>

#include <fmt/format.h>

namespace qsock::qmp {

std::string MonitorAddress::describe() const {
  if (kind == Kind::unix_socket) return "unix:" + path;
  if (kind == Kind::libvirt) return fmt::format("libvirt domain '{}' ({})", domain, uri);
  if (host.find(':') != std::string::npos) return fmt::format("tcp:[{}]:{}", host, port);
  return fmt::format("tcp:{}:{}", host, port);
}

static Result<MonitorAddress> parse_tcp(std::string_view rest, std::string_view text) {
  MonitorAddress a;
  a.kind = MonitorAddress::Kind::tcp;
  std::string_view port;
  if (!rest.empty() && rest.front() == '[') {
    auto close = rest.find(']');
    if (close == std::string_view::npos)
      return fail(ErrorKind::invalid, fmt::format("monitor address '{}': missing ']'", text));
    a.host = std::string(rest.substr(1, close - 1));
    auto after = rest.substr(close + 1);
    if (after.empty() || after.front() != ':')
      return fail(ErrorKind::invalid,
                  fmt::format("monitor address '{}': expected ':PORT' after ']'", text));
    port = after.substr(1);
  } else {
    auto colon = rest.rfind(':');
    if (colon == std::string_view::npos)
      return fail(ErrorKind::invalid,
                  fmt::format("monitor address '{}': expected tcp:HOST:PORT", text));
    a.host = std::string(rest.substr(0, colon));
    if (a.host.find(':') != std::string::npos)
      return fail(ErrorKind::invalid,
                  fmt::format("monitor address '{}': put an IPv6 host in brackets, "
                              "tcp:[{}]:PORT",
                              text, a.host));
    port = rest.substr(colon + 1);
  }
  if (a.host.empty())
    return fail(ErrorKind::invalid, fmt::format("monitor address '{}': host is empty", text));
  if (port.empty())
    return fail(ErrorKind::invalid, fmt::format("monitor address '{}': port is empty", text));
  a.port = std::string(port);
  return a;
}

Result<MonitorAddress> parse_monitor_address(std::string_view text) {
  if (text.empty())
    return fail(ErrorKind::invalid, "no monitor socket: give -s/--socket or set QSOCK_SOCKET");
  if (text.starts_with("tcp:")) return parse_tcp(text.substr(4), text);
  MonitorAddress a;
  a.path = std::string(text.starts_with("unix:") ? text.substr(5) : text);
  if (a.path.empty())
    return fail(ErrorKind::invalid, fmt::format("monitor address '{}': path is empty", text));
  if (a.path.size() >= sizeof(sockaddr_un::sun_path))
    return fail(ErrorKind::invalid,
                fmt::format("monitor address '{}': a UNIX socket path is limited to {} bytes", text,
                            sizeof(sockaddr_un::sun_path) - 1));
  return a;
}

}  // namespace qsock::qmp
