// Setting SocketOptions on a socket the way QEMU's inet_set_sockopts() does,
// reading every option back with getsockopt, and comparing the two.
#pragma once

#include <string>
#include <vector>

#include "sockopts/error.h"
#include "sockopts/options.h"

namespace qsock::sockopts {

// How to read an absent or false member.
enum class Semantics {
  // QEMU's: SO_KEEPALIVE only ever turned on; TCP_KEEPCNT/IDLE/INTVL only
  // with keep-alive on and a non-zero value; TCP_USER_TIMEOUT whenever given.
  qemu,
  // An operator's --set: keep-alive=off clears SO_KEEPALIVE, and the
  // keep-alive-* values are set whenever given and non-zero.
  exact,
};

// Sets the per-socket options of `o` on `fd` (keep-alive, its count/idle/
// interval, user-timeout). Family, mptcp, to and numeric act at socket
// creation and are not touched here. Stops at the first failure.
Result<void> apply_options(int fd, const SocketOptions& o, Semantics s = Semantics::qemu);

// What the socket really has: keep-alive, count, idle, interval (the kernel
// reports the sysctl value where no per-socket value is set), user-timeout,
// mptcp (SO_PROTOCOL), and ipv4/ipv6 from the family (and IPV6_V6ONLY).
Result<SocketOptions> read_options(int fd);

struct Difference {
  std::string key;        // QMP member name, e.g. "keep-alive"
  std::string wanted;     // with unit, e.g. "60 s"
  std::string effective;  // as read back
};

// Differences between what `wanted` asks for (read with `s`) and what the
// socket has. Members that ask for nothing (absent, or 0 = system default
// under QEMU semantics) produce none.
std::vector<Difference> differences(const SocketOptions& wanted, const SocketOptions& effective,
                                    Semantics s = Semantics::qemu);

}  // namespace qsock::sockopts
