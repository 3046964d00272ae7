#include "sockopts/peercred.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "base/fd.h"

namespace qsock::sockopts {

Result<pid_t> pid_of_unix_peer(const std::string& path, Milliseconds timeout) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path)
    return tl::unexpected(
        Error{fmt::format("UNIX socket path '{}' is too long", path), 0, "path",
              fmt::format("Path must be less than {} bytes", sizeof addr.sun_path)});
  std::memcpy(addr.sun_path, path.data(), path.size());
  Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd.valid()) return tl::unexpected(sys_error("Failed to create Unix socket"));
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    // A full backlog makes a UNIX connect wait; anything else is final.
    if (errno != EAGAIN && errno != EINPROGRESS)
      return tl::unexpected(sys_error(fmt::format("Failed to connect to '{}'", path)));
    pollfd p{fd.get(), POLLOUT, 0};
    int rc = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (rc <= 0)
      return tl::unexpected(
          sys_error(fmt::format("Failed to connect to '{}'", path), rc == 0 ? ETIMEDOUT : errno));
  }
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(fd.get(), SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
    return tl::unexpected(sys_error("getsockopt(SO_PEERCRED)"));
  if (cred.pid <= 0)
    return tl::unexpected(Error{fmt::format("no process behind '{}'", path),
                                0,
                                {},
                                "the listener may live in another pid namespace"});
  return cred.pid;
}

}  // namespace qsock::sockopts
