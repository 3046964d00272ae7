#include "sockopts/apply.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <fmt/format.h>

namespace qsock::sockopts {

namespace {

Result<void> set_int(int fd, int level, int name, int value, const char* what) {
  if (::setsockopt(fd, level, name, &value, sizeof value) != 0)
    return tl::unexpected(sys_error(fmt::format("setsockopt({}, {})", what, value)));
  return {};
}

Result<int> get_int(int fd, int level, int name, const char* what) {
  int value = 0;
  socklen_t len = sizeof value;
  if (::getsockopt(fd, level, name, &value, &len) != 0)
    return tl::unexpected(sys_error(fmt::format("getsockopt({})", what)));
  return value;
}

bool nonzero(const std::optional<std::uint32_t>& v) { return v && *v != 0; }
template <typename Rep, typename Period>
bool nonzero(const std::optional<std::chrono::duration<Rep, Period>>& v) {
  return v && v->count() != 0;
}

std::string on_off(bool b) { return b ? "on" : "off"; }

}  // namespace

Result<void> apply_options(int fd, const SocketOptions& o, Semantics s) {
  bool keep_alive_on = o.keep_alive.value_or(false);
  if (keep_alive_on || (s == Semantics::exact && o.keep_alive)) {
    auto r = set_int(fd, SOL_SOCKET, SO_KEEPALIVE, keep_alive_on ? 1 : 0, "SO_KEEPALIVE");
    if (!r) return r;
  }
  // QEMU sets the keep-alive tuning only inside its keep-alive branch.
  if (keep_alive_on || s == Semantics::exact) {
    if (nonzero(o.keep_alive_count)) {
      auto r = set_int(fd, IPPROTO_TCP, TCP_KEEPCNT, static_cast<int>(*o.keep_alive_count),
                       "TCP_KEEPCNT");
      if (!r) return r;
    }
    if (nonzero(o.keep_alive_idle)) {
      auto r = set_int(fd, IPPROTO_TCP, TCP_KEEPIDLE, static_cast<int>(o.keep_alive_idle->count()),
                       "TCP_KEEPIDLE");
      if (!r) return r;
    }
    if (nonzero(o.keep_alive_interval)) {
      auto r = set_int(fd, IPPROTO_TCP, TCP_KEEPINTVL,
                       static_cast<int>(o.keep_alive_interval->count()), "TCP_KEEPINTVL");
      if (!r) return r;
    }
  }
  if (o.user_timeout) {
    unsigned int ms = static_cast<unsigned int>(o.user_timeout->count());
    if (::setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &ms, sizeof ms) != 0)
      return tl::unexpected(sys_error(fmt::format("setsockopt(TCP_USER_TIMEOUT, {})", ms)));
  }
  return {};
}

Result<SocketOptions> read_options(int fd) {
  SocketOptions o;
  auto keep_alive = get_int(fd, SOL_SOCKET, SO_KEEPALIVE, "SO_KEEPALIVE");
  if (!keep_alive) return tl::unexpected(keep_alive.error());
  o.keep_alive = *keep_alive != 0;

  auto count = get_int(fd, IPPROTO_TCP, TCP_KEEPCNT, "TCP_KEEPCNT");
  if (!count) return tl::unexpected(count.error());
  o.keep_alive_count = static_cast<std::uint32_t>(*count);
  auto idle = get_int(fd, IPPROTO_TCP, TCP_KEEPIDLE, "TCP_KEEPIDLE");
  if (!idle) return tl::unexpected(idle.error());
  o.keep_alive_idle = Seconds(*idle);
  auto interval = get_int(fd, IPPROTO_TCP, TCP_KEEPINTVL, "TCP_KEEPINTVL");
  if (!interval) return tl::unexpected(interval.error());
  o.keep_alive_interval = Seconds(*interval);

  unsigned int ms = 0;
  socklen_t len = sizeof ms;
  if (::getsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &ms, &len) != 0)
    return tl::unexpected(sys_error("getsockopt(TCP_USER_TIMEOUT)"));
  o.user_timeout = Milliseconds(ms);

  auto protocol = get_int(fd, SOL_SOCKET, SO_PROTOCOL, "SO_PROTOCOL");
  if (!protocol) return tl::unexpected(protocol.error());
  o.mptcp = *protocol == IPPROTO_MPTCP;

  auto domain = get_int(fd, SOL_SOCKET, SO_DOMAIN, "SO_DOMAIN");
  if (!domain) return tl::unexpected(domain.error());
  if (*domain == AF_INET) {
    o.ipv4 = true;
    o.ipv6 = false;
  } else if (*domain == AF_INET6) {
    auto v6only = get_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, "IPV6_V6ONLY");
    if (!v6only) return tl::unexpected(v6only.error());
    o.ipv6 = true;
    o.ipv4 = *v6only == 0;
  }
  return o;
}

std::vector<Difference> differences(const SocketOptions& wanted, const SocketOptions& effective,
                                    Semantics s) {
  std::vector<Difference> out;
  auto show_bool = [](const std::optional<bool>& b) { return b ? on_off(*b) : "unknown"; };
  auto show = [](const auto& v, const char* unit) {
    if (!v) return std::string("unknown");
    if constexpr (std::is_integral_v<std::decay_t<decltype(*v)>>)
      return fmt::format("{}{}", *v, unit);
    else
      return fmt::format("{}{}", v->count(), unit);
  };
  bool keep_alive_on = wanted.keep_alive.value_or(false);
  if ((keep_alive_on || (s == Semantics::exact && wanted.keep_alive)) &&
      effective.keep_alive != wanted.keep_alive)
    out.push_back({"keep-alive", on_off(*wanted.keep_alive), show_bool(effective.keep_alive)});
  if (keep_alive_on || s == Semantics::exact) {
    if (nonzero(wanted.keep_alive_count) && effective.keep_alive_count != wanted.keep_alive_count)
      out.push_back({"keep-alive-count", show(wanted.keep_alive_count, ""),
                     show(effective.keep_alive_count, "")});
    if (nonzero(wanted.keep_alive_idle) && effective.keep_alive_idle != wanted.keep_alive_idle)
      out.push_back({"keep-alive-idle", show(wanted.keep_alive_idle, " s"),
                     show(effective.keep_alive_idle, " s")});
    if (nonzero(wanted.keep_alive_interval) &&
        effective.keep_alive_interval != wanted.keep_alive_interval)
      out.push_back({"keep-alive-interval", show(wanted.keep_alive_interval, " s"),
                     show(effective.keep_alive_interval, " s")});
  }
  if (wanted.user_timeout && effective.user_timeout != wanted.user_timeout)
    out.push_back(
        {"user-timeout", show(wanted.user_timeout, " ms"), show(effective.user_timeout, " ms")});
  if (wanted.mptcp.value_or(false) && effective.mptcp != wanted.mptcp)
    out.push_back({"mptcp", "on", show_bool(effective.mptcp)});
  return out;
}

}  // namespace qsock::sockopts
