#include "base/sock_diag.h"

#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace qsock {

int open_sock_diag_socket() {
  return ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
}

tl::expected<void, int> sock_diag_dump(int sock_diag, const void* request, std::size_t size,
                                       const std::function<void(const char*, std::size_t)>& row) {
  if (::send(sock_diag, request, size, 0) != static_cast<ssize_t>(size))
    return tl::unexpected(errno);
  constexpr std::size_t kBufferBytes = std::size_t{64} * 1024;
  std::vector<char> buffer(kBufferBytes);
  for (;;) {
    ssize_t n = ::recv(sock_diag, buffer.data(), buffer.size(), 0);
    if (n < 0) return tl::unexpected(errno);
    if (n == 0) return tl::unexpected(EPROTO);
    auto received = static_cast<std::size_t>(n);
    for (std::size_t at = 0; at + sizeof(nlmsghdr) <= received;) {
      // Read with memcpy: the buffer promises no alignment.
      nlmsghdr h{};
      std::memcpy(&h, buffer.data() + at, sizeof h);
      if (h.nlmsg_len < sizeof h || at + h.nlmsg_len > received) break;
      if (h.nlmsg_type == NLMSG_DONE) return {};
      if (h.nlmsg_type == NLMSG_ERROR) {
        nlmsgerr e{};
        if (h.nlmsg_len >= NLMSG_LENGTH(sizeof e))
          std::memcpy(&e, buffer.data() + at + NLMSG_HDRLEN, sizeof e);
        return tl::unexpected(e.error < 0 ? -e.error : EPROTO);
      }
      row(buffer.data() + at + NLMSG_HDRLEN, h.nlmsg_len - NLMSG_HDRLEN);
      at += NLMSG_ALIGN(h.nlmsg_len);
    }
  }
}

}  // namespace qsock
