#include "qmp/connection.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include "qmp/monitor_listener.h"

namespace qsock::qmp {

Error timeout_error(const Deadline& deadline, std::string_view awaiting) {
  return Error{ErrorKind::timeout,
               fmt::format("timed out after {} awaiting {}", deadline.describe_budget(), awaiting),
               Json()};
}

Connection::Connection(int fd, Family family) : fd_(fd), family_(family) {
  int flags = ::fcntl(fd_, F_GETFL);
  if (flags >= 0) ::fcntl(fd_, F_SETFL, flags | O_NONBLOCK);
  ::fcntl(fd_, F_SETFD, FD_CLOEXEC);
}

Connection::Connection(Connection&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), family_(other.family_) {}

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    family_ = other.family_;
  }
  return *this;
}

Connection::~Connection() {
  if (fd_ >= 0) ::close(fd_);
}

namespace {

// Owns a descriptor until released; closes it on every early return.
struct FdGuard {
  int fd;
  ~FdGuard() {
    if (fd >= 0) ::close(fd);
  }
  int release() { return std::exchange(fd, -1); }
};

// Waits for a non-blocking connect to finish. Returns 0 or an errno value;
// ETIMEDOUT when the deadline passed.
int finish_connect(int fd, const Deadline& deadline) {
  for (;;) {
    pollfd p{fd, POLLOUT, 0};
    int n = ::poll(&p, 1, deadline.poll_timeout());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    if (n == 0) return ETIMEDOUT;
    int err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) return errno;
    return err;
  }
}

// A monitor another client holds is refused at once, with no connection
// added to its queue (monitor_listener.h). A client that has just left may
// still be counted for a moment: QEMU closes its end on its next loop.
Result<void> refuse_if_held(const MonitorAddress& a, const Deadline& deadline) {
  auto settle = Deadline::after(std::min(deadline.remaining(), Milliseconds(300)));
  std::optional<MonitorListener> l = monitor_listener(a.path);
  while (l && l->served > 0 && !settle.expired()) {
    std::this_thread::sleep_for(Milliseconds(20));
    l = monitor_listener(a.path);
  }
  if (!l || l->served == 0) return {};
  std::string queued =
      l->queued == 0 ? ""
                     : fmt::format(", and {} earlier connection{} wait{} in its queue", l->queued,
                                   l->queued == 1 ? "" : "s", l->queued == 1 ? "s" : "");
  std::string domain = libvirt_domain_of(a.path);
  std::string via = domain.empty()
                        ? "; use it through that client, or stop it first"
                        : fmt::format(
                              "; it is the monitor of libvirt domain '{}', which libvirt "
                              "holds for the domain's life",
                              domain);
  Error e{ErrorKind::connect,
          fmt::format("{} is held by another client: QEMU serves a monitor to one client at a "
                      "time{}; qsock did not connect, as it would only wait behind it{}",
                      a.describe(), queued, via),
          Json(), domain};
  return tl::unexpected(e);
}

Result<Connection> open_unix(const MonitorAddress& a, const Deadline& deadline) {
  if (auto held = refuse_if_held(a, deadline); !held) return tl::unexpected(held.error());
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  std::memcpy(sa.sun_path, a.path.data(), a.path.size());
  for (;;) {
    FdGuard fd{::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)};
    if (fd.fd < 0) return fail(ErrorKind::connect, fmt::format("socket: {}", strerror(errno)));
    int rc = ::connect(fd.fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    int err = rc == 0 ? 0 : errno;
    if (err == EINPROGRESS) err = finish_connect(fd.fd, deadline);
    if (err == 0) return Connection(fd.release(), Connection::Family::unix_socket);
    // A full listen backlog: a non-blocking UNIX connect says EAGAIN; retry.
    if (err == EAGAIN && !deadline.expired()) {
      std::this_thread::sleep_for(std::min(deadline.remaining(), Milliseconds(10)));
      continue;
    }
    if (err == ETIMEDOUT || err == EAGAIN)
      return tl::unexpected(timeout_error(deadline, "a connection to " + a.describe()));
    std::string hint;
    if (err == ENOENT) hint = " (no such socket: is QEMU running with -qmp/-monitor unix:...?)";
    if (err == ECONNREFUSED) hint = " (nothing listens there: QEMU has exited?)";
    return fail(ErrorKind::connect,
                fmt::format("cannot connect to {}: {}{}", a.describe(), strerror(err), hint));
  }
}

Result<Connection> open_tcp(const MonitorAddress& a, const Deadline& deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  // Name resolution is not bounded by the deadline (getaddrinfo blocks);
  // monitors are addressed by literal IPs or localhost in practice.
  int gai = ::getaddrinfo(a.host.c_str(), a.port.c_str(), &hints, &list);
  if (gai != 0)
    return fail(ErrorKind::connect,
                fmt::format("cannot resolve {}: {}", a.describe(), gai_strerror(gai)));
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owner(list, freeaddrinfo);
  int last_err = 0;
  for (addrinfo* ai = list; ai; ai = ai->ai_next) {
    FdGuard fd{
        ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol)};
    if (fd.fd < 0) {
      last_err = errno;
      continue;
    }
    int rc = ::connect(fd.fd, ai->ai_addr, ai->ai_addrlen);
    int err = rc == 0 ? 0 : errno;
    if (err == EINPROGRESS) err = finish_connect(fd.fd, deadline);
    if (err == 0) return Connection(fd.release(), Connection::Family::tcp);
    if (err == ETIMEDOUT && deadline.expired())
      return tl::unexpected(timeout_error(deadline, "a connection to " + a.describe()));
    last_err = err;
  }
  return fail(ErrorKind::connect,
              fmt::format("cannot connect to {}: {}", a.describe(), strerror(last_err)));
}

}  // namespace

Result<Connection> Connection::open(const MonitorAddress& address, Deadline deadline) {
  if (address.kind == MonitorAddress::Kind::libvirt)
    return fail(ErrorKind::invalid,
                fmt::format("{} is reached through libvirt, not by a socket: this operation needs "
                            "a monitor socket (-s)",
                            address.describe()));
  return address.is_tcp() ? open_tcp(address, deadline) : open_unix(address, deadline);
}

Result<void> Connection::send(std::string_view bytes, Deadline deadline, std::string_view what,
                              int fd_to_pass) {
  if (fd_to_pass >= 0 && !can_pass_fds())
    return fail(ErrorKind::invalid,
                "passing a file descriptor needs a UNIX socket monitor, not TCP");
  if (fd_to_pass >= 0 && bytes.empty())
    return fail(ErrorKind::invalid, "a file descriptor must travel with at least one byte");
  bool fd_sent = fd_to_pass < 0;
  std::size_t done = 0;
  while (done < bytes.size()) {
    pollfd p{fd_, POLLOUT, 0};
    int n = ::poll(&p, 1, deadline.poll_timeout());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(ErrorKind::protocol, fmt::format("poll: {}", strerror(errno)));
    if (n == 0)
      return tl::unexpected(timeout_error(deadline, "the monitor to accept " + std::string(what)));
    iovec iov{const_cast<char*>(bytes.data() + done), bytes.size() - done};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    if (!fd_sent) {
      msg.msg_control = control;
      msg.msg_controllen = sizeof control;
      cmsghdr* c = CMSG_FIRSTHDR(&msg);
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN(sizeof(int));
      std::memcpy(CMSG_DATA(c), &fd_to_pass, sizeof(int));
    }
    ssize_t w = ::sendmsg(fd_, &msg, MSG_NOSIGNAL);
    if (w < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (w < 0) {
      if (errno == EBADF && !fd_sent)
        return fail(ErrorKind::invalid,
                    fmt::format("cannot pass fd {}: not an open descriptor", fd_to_pass));
      return fail(ErrorKind::protocol, fmt::format("cannot send {}: {}", what, strerror(errno)));
    }
    fd_sent = true;
    done += static_cast<std::size_t>(w);
  }
  return {};
}

Result<std::size_t> Connection::receive(char* buffer, std::size_t capacity, Deadline deadline,
                                        std::string_view awaiting) {
  for (;;) {
    // poll(2) with a zero timeout still reports data that is there: a monitor
    // that never stops talking (an event flood) would outlast any deadline.
    if (deadline.expired()) return tl::unexpected(timeout_error(deadline, awaiting));
    pollfd p{fd_, POLLIN, 0};
    int n = ::poll(&p, 1, deadline.poll_timeout());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(ErrorKind::protocol, fmt::format("poll: {}", strerror(errno)));
    if (n == 0) return tl::unexpected(timeout_error(deadline, awaiting));
    ssize_t r = ::recv(fd_, buffer, capacity, 0);
    if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (r < 0) {
      if (errno == ECONNRESET) return std::size_t{0};
      return fail(ErrorKind::protocol, fmt::format("cannot read from the monitor awaiting {}: {}",
                                                   awaiting, strerror(errno)));
    }
    return static_cast<std::size_t>(r);
  }
}

}  // namespace qsock::qmp
