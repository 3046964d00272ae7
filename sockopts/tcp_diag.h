// The kernel's TCP sockets through netlink sock_diag (inet_diag): every
// socket of one network namespace in one dump, with its inode, without
// reading a /proc table per process. A NETLINK_SOCK_DIAG socket answers for
// the namespace it was created in.
#pragma once

#include <cstdint>
#include <vector>

#include "base/fd.h"
#include "sockopts/error.h"
#include "sockopts/proc_net.h"
#include "sockopts/tcp_info.h"

namespace qsock::sockopts {

struct TcpDiagRow {
  std::uint64_t inode = 0;  // 0 while an accepted connection waits in the accept queue
  SockAddr local;
  SockAddr remote;
  TcpState state = TcpState::unknown;
  std::uint32_t uid = 0;
};

// A sock_diag socket in the calling thread's network namespace.
Result<Fd> open_sock_diag();

// The bit of `state` in a sock_diag state mask.
constexpr std::uint32_t state_bit(TcpState state) {
  return std::uint32_t{1} << static_cast<unsigned>(state);
}

// Every IPv4 and IPv6 TCP socket whose state is in `states` (a mask of
// state_bit), in the namespace of `sock_diag`.
Result<std::vector<TcpDiagRow>> tcp_sockets(int sock_diag, std::uint32_t states);

}  // namespace qsock::sockopts
