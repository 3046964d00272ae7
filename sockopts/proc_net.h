// Reading the kernel's socket tables: /proc/PID/net/tcp{,6} and the
// socket:[INODE] links of /proc/PID/fd. The parsers are pure.
#pragma once

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/socket_inode.h"
#include "sockopts/error.h"
#include "sockopts/tcp_info.h"

namespace qsock::sockopts {

// An IP address and port, kept as 16 bytes (IPv4 as ::ffff:a.b.c.d) so that
// an IPv4 peer matches its IPv4-mapped form on a dual-stack socket.
struct SockAddr {
  std::array<std::uint8_t, 16> bytes{};
  std::uint16_t port = 0;
  bool v4 = false;  // written as IPv4 (the table or the user said so)

  bool operator==(const SockAddr& o) const { return bytes == o.bytes && port == o.port; }
  // "127.0.0.1:4444", "[::1]:4444"; IPv4-mapped addresses print as IPv4.
  std::string text() const;
};

// "HOST:PORT" or "[HOST]:PORT" with a numeric host.
Result<SockAddr> parse_host_port(std::string_view s);

struct ProcTcpEntry {
  std::uint64_t inode = 0;
  SockAddr local;
  SockAddr remote;
  TcpState state = TcpState::unknown;
};

// The rows of a /proc/net/tcp (ipv6 = false) or tcp6 table. Rows that do
// not parse are skipped; the header line is skipped.
std::vector<ProcTcpEntry> parse_proc_net_tcp(std::string_view text, bool ipv6);

// Both tables of the network namespace `pid` is in: /proc/PID/net/tcp, then
// tcp6 (absent in a kernel without IPv6: no rows).
Result<std::vector<ProcTcpEntry>> read_proc_net_tcp(pid_t pid);

using qsock::socket_inode;  // "socket:[1234]" -> 1234 (base/socket_inode.h)

}  // namespace qsock::sockopts
