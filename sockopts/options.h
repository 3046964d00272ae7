// SocketOptions: the socket-level members of a QMP InetSocketAddress as a
// value with units, converted from the typed JSON in one place.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/json.h"
#include "base/units.h"
#include "sockopts/error.h"

namespace qsock::sockopts {

// Every member is optional: absent means "not given" (on input) or "not
// readable" (on read-back). Units follow QEMU: user-timeout milliseconds,
// keep-alive-idle/interval seconds, keep-alive-count probes.
struct SocketOptions {
  std::optional<bool> keep_alive;                 // SO_KEEPALIVE
  std::optional<std::uint32_t> keep_alive_count;  // TCP_KEEPCNT, probes; 0 = sysctl
  std::optional<Seconds> keep_alive_idle;         // TCP_KEEPIDLE; 0 = sysctl
  std::optional<Seconds> keep_alive_interval;     // TCP_KEEPINTVL; 0 = sysctl
  std::optional<Milliseconds> user_timeout;       // TCP_USER_TIMEOUT; 0 = system default
  std::optional<bool> mptcp;                      // IPPROTO_MPTCP at socket()
  std::optional<bool> ipv4;                       // address family choice
  std::optional<bool> ipv6;
  std::optional<std::uint16_t> to;  // listen: last port of the range
  std::optional<bool> numeric;      // AI_NUMERICHOST|AI_NUMERICSERV

  bool operator==(const SocketOptions&) const = default;
};

// host + port + options: what connect/listen need.
struct InetAddress {
  std::string host;
  std::string port;
  SocketOptions options;
};

// The members, for code that treats them alike: f(&SocketOptions::member)
// for each member that acts on an open socket (setsockopt after connect or
// accept: keep-alive*, user-timeout) ...
template <class F>
void for_each_socket_member(F&& f) {
  f(&SocketOptions::keep_alive);
  f(&SocketOptions::keep_alive_count);
  f(&SocketOptions::keep_alive_idle);
  f(&SocketOptions::keep_alive_interval);
  f(&SocketOptions::user_timeout);
}

// ... and for every member, those that only act when a socket is made too.
template <class F>
void for_each_member(F&& f) {
  for_each_socket_member(f);
  f(&SocketOptions::mptcp);
  f(&SocketOptions::ipv4);
  f(&SocketOptions::ipv6);
  f(&SocketOptions::to);
  f(&SocketOptions::numeric);
}

// Whether `o` asks for any option that acts on an existing socket
// (keep-alive*, user-timeout): what setsockopt on an open socket can apply.
bool has_socket_options(const SocketOptions& o);

// Only those members of `o`: what a policy or `sockets --set` can set.
SocketOptions socket_members(const SocketOptions& o);

// The one conversion from QMP JSON. Accepts a flat InetSocketAddress /
// SocketAddress of type inet ({"type":"inet","host":..,"port":..,...}),
// the legacy {"type":"inet","data":{...}} nesting, or just the option
// members ({"user-timeout":2000}). Unknown members are ignored (tolerant
// reader); a member of the wrong type or range is an error naming its key.
Result<SocketOptions> options_from_json(const Json& input);
Result<InetAddress> inet_address_from_json(const Json& input);

// The given members under their QMP names and units, in schema order.
Json to_json(const SocketOptions& o);

// Keys of the members options_from_json understands, in schema order.
const std::vector<std::string>& option_keys();

}  // namespace qsock::sockopts
