#include "base/sock_diag.h"

#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <vector>

namespace qsock {

int open_sock_diag_socket() {
  return ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
}

namespace {

// Sends the request under a new sequence number, which it returns.
tl::expected<std::uint32_t, int> send_dump_request(int sock_diag, const void* request,
                                                   std::size_t size) {
  static std::atomic<std::uint32_t> last_sequence{0};
  const std::uint32_t sequence = ++last_sequence;
  std::vector<char> message(NLMSG_LENGTH(size));
  nlmsghdr header{};
  header.nlmsg_len = static_cast<std::uint32_t>(message.size());
  header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  header.nlmsg_seq = sequence;
  std::memcpy(message.data(), &header, sizeof header);
  std::memcpy(message.data() + NLMSG_HDRLEN, request, size);
  if (::send(sock_diag, message.data(), message.size(), 0) != static_cast<ssize_t>(message.size()))
    return tl::unexpected(errno);
  return sequence;
}

}  // namespace

tl::expected<void, int> sock_diag_dump(int sock_diag, const void* request, std::size_t size,
                                       const std::function<void(const char*, std::size_t)>& row) {
  QSOCK_TRY_ASSIGN(std::uint32_t sequence, send_dump_request(sock_diag, request, size));
  // An earlier dump on this socket, cut short, still runs until it is read
  // to its end, and the kernel refuses another meanwhile (EBUSY): its rest
  // is read and dropped, then the request is sent once more.
  bool refused_busy = false;
  bool resent = false;
  bool earlier_seen = false;  // a reply of the earlier dump came
  bool earlier_done = false;  // and its end
  constexpr std::size_t kBufferBytes = std::size_t{64} * 1024;
  std::vector<char> buffer(kBufferBytes);
  for (;;) {
    ssize_t n = ::recv(sock_diag, buffer.data(), buffer.size(), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return tl::unexpected(errno);
    if (n == 0) return tl::unexpected(EPROTO);
    auto received = static_cast<std::size_t>(n);
    for (std::size_t at = 0; at + sizeof(nlmsghdr) <= received;) {
      // Read with memcpy: the buffer promises no alignment.
      nlmsghdr h{};
      std::memcpy(&h, buffer.data() + at, sizeof h);
      if (h.nlmsg_len < sizeof h || at + h.nlmsg_len > received) break;
      const char* payload = buffer.data() + at + NLMSG_HDRLEN;
      at += NLMSG_ALIGN(h.nlmsg_len);
      if (h.nlmsg_seq != sequence) {  // the earlier dump's
        earlier_seen = true;
        if (h.nlmsg_type == NLMSG_DONE || h.nlmsg_type == NLMSG_ERROR) earlier_done = true;
        continue;
      }
      if (h.nlmsg_type == NLMSG_DONE) return {};
      if (h.nlmsg_type == NLMSG_ERROR) {
        nlmsgerr e{};
        if (h.nlmsg_len >= NLMSG_LENGTH(sizeof e)) std::memcpy(&e, payload, sizeof e);
        int error = e.error < 0 ? -e.error : EPROTO;
        if (error == EBUSY && !resent) {
          refused_busy = true;
          continue;
        }
        return tl::unexpected(error);
      }
      row(payload, h.nlmsg_len - NLMSG_HDRLEN);
    }
    // Refused with nothing of an earlier dump to read: it cannot end here.
    if (refused_busy && !earlier_seen) return tl::unexpected(EBUSY);
    if (refused_busy && earlier_done) {
      QSOCK_TRY_ASSIGN(sequence, send_dump_request(sock_diag, request, size));
      refused_busy = false;
      resent = true;
    }
  }
}

}  // namespace qsock
