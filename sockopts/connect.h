// Connect, listen and accept for an InetAddress the way QEMU's inet helpers
// do, with deadlines (non-blocking sockets and poll).
#pragma once

#include <cstdint>
#include <string>

#include "base/fd.h"
#include "base/units.h"
#include "sockopts/error.h"
#include "sockopts/options.h"

namespace qsock::sockopts {

// Resolves host:port (family from ipv4/ipv6, numeric => no lookups), tries
// each address in order until one connects within what is left of
// `timeout`, then applies the options (QEMU semantics). The socket is
// returned in blocking mode. IPPROTO_MPTCP at socket() when mptcp is on.
Result<Fd> connect_inet(const InetAddress& a, Milliseconds timeout);

struct Listener {
  Fd fd;
  std::uint16_t port = 0;  // the port bound (useful with port "0" or a range)
};

// Binds with SO_REUSEADDR (IPV6_V6ONLY per listen_v6only, retried with it on
// after EADDRINUSE), tries port..to in order, listens, then applies the
// options to the listening socket (QEMU 10.1+; accepted sockets inherit
// them on Linux).
Result<Listener> listen_inet(const InetAddress& a, int backlog = 16);

// Waits up to `timeout` for a connection; the accepted socket is blocking.
Result<Fd> accept_with_deadline(int listen_fd, Milliseconds timeout);

// "host:port" of the socket's local or remote end ("[::1]:4444" for IPv6).
std::string local_address(int fd);
std::string peer_address(int fd);

}  // namespace qsock::sockopts
