#include "sockopts/connect.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "sockopts/apply.h"
#include "sockopts/family.h"

namespace qsock::sockopts {

namespace {

using Clock = std::chrono::steady_clock;

struct AddrInfoDeleter {
  void operator()(addrinfo* ai) const { ::freeaddrinfo(ai); }
};
using AddrInfoList = std::unique_ptr<addrinfo, AddrInfoDeleter>;

Result<AddrInfoList> resolve(const std::string& host, const std::string& port,
                             const SocketOptions& o, bool passive) {
  auto family = address_family(o, host);
  if (!family) return tl::unexpected(family.error());
  addrinfo hints{};
  hints.ai_family = *family;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = passive ? AI_PASSIVE : (AI_CANONNAME | AI_ADDRCONFIG | AI_V4MAPPED);
  if (o.numeric.value_or(false)) hints.ai_flags |= AI_NUMERICHOST | AI_NUMERICSERV;
  const char* node = host.empty() ? nullptr : host.c_str();
  addrinfo* res = nullptr;
  int rc = ::getaddrinfo(node, port.c_str(), &hints, &res);
  if (rc == EAI_BADFLAGS && (hints.ai_flags & AI_V4MAPPED)) {
    hints.ai_flags &= ~AI_V4MAPPED;
    rc = ::getaddrinfo(node, port.c_str(), &hints, &res);
  }
  if (rc != 0)
    return tl::unexpected(Error{
        fmt::format("address resolution failed for {}:{}: {}", host, port, ::gai_strerror(rc)),
        0,
        "host",
        {}});
  return AddrInfoList(res);
}

int protocol_of(const SocketOptions& o) { return o.mptcp.value_or(false) ? IPPROTO_MPTCP : 0; }

Result<void> set_blocking(int fd, bool blocking) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0) return tl::unexpected(sys_error("fcntl(F_GETFL)"));
  flags = blocking ? (flags & ~O_NONBLOCK) : (flags | O_NONBLOCK);
  if (::fcntl(fd, F_SETFL, flags) < 0) return tl::unexpected(sys_error("fcntl(F_SETFL)"));
  return {};
}

// Rounded up, so that a poll never returns before the deadline.
int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::ceil<Milliseconds>(deadline - Clock::now()).count();
  return left < 0 ? 0 : static_cast<int>(left);
}

// Polls until `events` or the deadline; ETIMEDOUT when the deadline passes.
Result<void> wait_for(int fd, short events, Clock::time_point deadline, const char* what) {
  for (;;) {
    pollfd p{fd, events, 0};
    int rc = ::poll(&p, 1, remaining_ms(deadline));
    if (rc > 0) return {};
    if (rc == 0 && Clock::now() >= deadline) return tl::unexpected(sys_error(what, ETIMEDOUT));
    if (rc == 0) continue;
    if (errno != EINTR) return tl::unexpected(sys_error("poll"));
  }
}

Result<Fd> connect_one(const addrinfo& ai, const SocketOptions& o, Clock::time_point deadline) {
  Fd fd(::socket(ai.ai_family, ai.ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, protocol_of(o)));
  if (!fd.valid()) return tl::unexpected(sys_error("Failed to create a socket"));
  if (::connect(fd.get(), ai.ai_addr, ai.ai_addrlen) != 0) {
    if (errno != EINPROGRESS) return tl::unexpected(sys_error("connect"));
    auto w = wait_for(fd.get(), POLLOUT, deadline, "connect");
    if (!w) return tl::unexpected(w.error());
    int err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0)
      return tl::unexpected(sys_error("getsockopt(SO_ERROR)"));
    if (err != 0) return tl::unexpected(sys_error("connect", err));
  }
  if (auto b = set_blocking(fd.get(), true); !b) return tl::unexpected(b.error());
  if (auto r = apply_options(fd.get(), o); !r) return tl::unexpected(r.error());
  return fd;
}

std::string format_address(const sockaddr_storage& ss) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET) {
    const auto& a = reinterpret_cast<const sockaddr_in&>(ss);
    ::inet_ntop(AF_INET, &a.sin_addr, buf, sizeof buf);
    return fmt::format("{}:{}", buf, ntohs(a.sin_port));
  }
  if (ss.ss_family == AF_INET6) {
    const auto& a = reinterpret_cast<const sockaddr_in6&>(ss);
    ::inet_ntop(AF_INET6, &a.sin6_addr, buf, sizeof buf);
    return fmt::format("[{}]:{}", buf, ntohs(a.sin6_port));
  }
  return "?";
}

Result<std::uint16_t> parse_port(const std::string& s, const char* key) {
  unsigned v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size())
    return tl::unexpected(Error{fmt::format("can't convert to a number: {}", s), 0, key, {}});
  if (v > 65535) return tl::unexpected(Error{fmt::format("port {} out of range", s), 0, key, {}});
  return static_cast<std::uint16_t>(v);
}

// Binds and listens on one resolved address and port; EADDRINUSE comes back
// as an error with that errno so the caller can try the next port.
Result<Fd> listen_one(const addrinfo& ai, std::uint16_t port, const SocketOptions& o, int backlog) {
  sockaddr_storage ss{};
  std::memcpy(&ss, ai.ai_addr, ai.ai_addrlen);
  if (ai.ai_family == AF_INET)
    reinterpret_cast<sockaddr_in&>(ss).sin_port = htons(port);
  else
    reinterpret_cast<sockaddr_in6&>(ss).sin6_port = htons(port);
  auto attempt = [&](int v6only) -> Result<Fd> {
    Fd fd(::socket(ai.ai_family, ai.ai_socktype | SOCK_CLOEXEC, protocol_of(o)));
    if (!fd.valid()) return tl::unexpected(sys_error("Failed to create a socket"));
    int one = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (ai.ai_family == AF_INET6 &&
        ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only) != 0)
      return tl::unexpected(sys_error("setsockopt(IPV6_V6ONLY)"));
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&ss), ai.ai_addrlen) != 0)
      return tl::unexpected(sys_error("Failed to bind socket"));
    if (::listen(fd.get(), backlog) != 0)
      return tl::unexpected(sys_error("Failed to listen on socket"));
    return fd;
  };
  int v6only = listen_v6only(o) ? 1 : 0;
  auto fd = attempt(v6only);
  if (!fd && fd.error().errnum == EADDRINUSE && ai.ai_family == AF_INET6 && !v6only)
    fd = attempt(1);
  return fd;
}

}  // namespace

Result<Fd> connect_inet(const InetAddress& a, Milliseconds timeout) {
  if (a.host.empty() || a.port.empty())
    return tl::unexpected(
        Error{"host and/or port not specified", 0, a.host.empty() ? "host" : "port", {}});
  auto deadline = Clock::now() + timeout;
  auto list = resolve(a.host, a.port, a.options, false);
  if (!list) return tl::unexpected(list.error());
  Error last{"no address to connect to", 0, {}, {}};
  for (const addrinfo* ai = list->get(); ai; ai = ai->ai_next) {
    auto fd = connect_one(*ai, a.options, deadline);
    if (fd) return fd;
    last = fd.error();
    if (last.errnum == ETIMEDOUT && remaining_ms(deadline) == 0) break;
  }
  last.message = fmt::format("Failed to connect to '{}:{}': {}", a.host, a.port, last.message);
  return tl::unexpected(last);
}

Result<Listener> listen_inet(const InetAddress& a, int backlog) {
  if (a.port.empty()) return tl::unexpected(Error{"port not specified", 0, "port", {}});
  auto first = parse_port(a.port, "port");
  if (!first) return tl::unexpected(first.error());
  std::uint16_t last_port = a.options.to.value_or(*first);
  if (last_port < *first) last_port = *first;
  auto list = resolve(a.host, "0", a.options, true);
  if (!list) return tl::unexpected(list.error());
  Error last{"Failed to find an available port", 0, "port", {}};
  for (const addrinfo* ai = list->get(); ai; ai = ai->ai_next) {
    for (unsigned p = *first; p <= last_port; ++p) {
      auto fd = listen_one(*ai, static_cast<std::uint16_t>(p), a.options, backlog);
      if (!fd) {
        last = fd.error();
        if (last.errnum == EADDRINUSE) continue;
        break;
      }
      if (auto r = apply_options(fd->get(), a.options); !r) return tl::unexpected(r.error());
      sockaddr_storage ss{};
      socklen_t len = sizeof ss;
      ::getsockname(fd->get(), reinterpret_cast<sockaddr*>(&ss), &len);
      std::uint16_t bound = ss.ss_family == AF_INET
                                ? ntohs(reinterpret_cast<sockaddr_in&>(ss).sin_port)
                                : ntohs(reinterpret_cast<sockaddr_in6&>(ss).sin6_port);
      return Listener{std::move(*fd), bound};
    }
  }
  return tl::unexpected(last);
}

Result<Fd> accept_with_deadline(int listen_fd, Milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    auto w = wait_for(listen_fd, POLLIN, deadline, "accept");
    if (!w) return tl::unexpected(w.error());
    Fd fd(::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
    if (fd.valid()) {
      if (auto b = set_blocking(fd.get(), true); !b) return tl::unexpected(b.error());
      return fd;
    }
    if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
      return tl::unexpected(sys_error("accept"));
  }
}

std::string local_address(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "?";
  return format_address(ss);
}

std::string peer_address(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "?";
  return format_address(ss);
}

}  // namespace qsock::sockopts
