#include "sockopts/tcp_diag.h"

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "base/sock_diag.h"

namespace qsock::sockopts {

namespace {

// inet_diag_sockid keeps addresses as four network-order words (IPv4 in
// the first); SockAddr keeps 16 bytes with IPv4 as ::ffff:a.b.c.d.
SockAddr address_of(std::uint8_t family, const std::uint32_t (&words)[4], std::uint16_t be_port) {
  SockAddr a;
  a.port = ntohs(be_port);
  if (family == AF_INET) {
    a.bytes[10] = a.bytes[11] = 0xff;
    std::memcpy(&a.bytes[12], &words[0], 4);
    a.v4 = true;
  } else {
    std::memcpy(a.bytes.data(), words, 16);
    static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    a.v4 = std::memcmp(a.bytes.data(), kMapped, sizeof kMapped) == 0;
  }
  return a;
}

TcpDiagRow row_of(const char* payload, std::size_t size) {
  TcpDiagRow row;
  inet_diag_msg m{};
  if (size < sizeof m) return row;
  std::memcpy(&m, payload, sizeof m);  // the buffer promises no alignment
  row.inode = m.idiag_inode;
  row.local = address_of(m.idiag_family, m.id.idiag_src, m.id.idiag_sport);
  row.remote = address_of(m.idiag_family, m.id.idiag_dst, m.id.idiag_dport);
  row.state = m.idiag_state <= static_cast<unsigned>(TcpState::new_syn_recv)
                  ? static_cast<TcpState>(m.idiag_state)
                  : TcpState::unknown;
  row.uid = m.idiag_uid;
  return row;
}

Result<void> dump_family(int sock_diag, std::uint8_t family, std::uint32_t states,
                         std::vector<TcpDiagRow>& out) {
  inet_diag_req_v2 request{};
  request.sdiag_family = family;
  request.sdiag_protocol = IPPROTO_TCP;
  request.idiag_states = states;
  auto done = sock_diag_dump(sock_diag, request, [&](const char* payload, std::size_t size) {
    if (size >= sizeof(inet_diag_msg)) out.push_back(row_of(payload, size));
  });
  if (done) return {};
  // No IPv6 in this kernel: nothing of that family to list.
  if (family == AF_INET6 && (done.error() == ENOENT || done.error() == EAFNOSUPPORT)) return {};
  return tl::unexpected(sys_error("sock_diag: the kernel refused the dump", done.error()));
}

}  // namespace

Result<Fd> open_sock_diag() {
  Fd nl(open_sock_diag_socket());
  if (!nl.valid()) return tl::unexpected(sys_error("socket(AF_NETLINK, NETLINK_SOCK_DIAG)"));
  return nl;
}

Result<std::vector<TcpDiagRow>> tcp_sockets(int sock_diag, std::uint32_t states) {
  std::vector<TcpDiagRow> out;
  for (std::uint8_t family : {std::uint8_t{AF_INET}, std::uint8_t{AF_INET6}})
    if (auto done = dump_family(sock_diag, family, states, out); !done)
      return tl::unexpected(done.error());
  return out;
}

}  // namespace qsock::sockopts
