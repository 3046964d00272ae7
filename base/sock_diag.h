// One netlink sock_diag dump: a SOCK_DIAG_BY_FAMILY request (the family's
// own *_diag_req) sent on a NETLINK_SOCK_DIAG socket, each reply's payload
// handed to a callback, until the kernel says the dump is done. The walk of
// netlink's framing lives here once; each family reads its own payload.
#pragma once

#include <cstddef>
#include <functional>

#include "base/expected.h"

namespace qsock {

// A socket for sock_diag in the calling thread's network namespace, or -1
// (errno set).
int open_sock_diag_socket();

// Sends a SOCK_DIAG_BY_FAMILY dump request whose body is `request` (the
// family's own *_diag_req, `size` bytes; the netlink header is made here) and
// calls `row(payload, size)` for each reply. The error is an errno: the
// kernel's refusal of the dump, or a failed send/recv (EPROTO for a dump cut
// short). Replies to an earlier dump on the same socket, left unread when it
// failed, are skipped by their sequence number.
tl::expected<void, int> sock_diag_dump(int sock_diag, const void* request, std::size_t size,
                                       const std::function<void(const char*, std::size_t)>& row);

template <class FamilyRequest>
tl::expected<void, int> sock_diag_dump(int sock_diag, const FamilyRequest& request,
                                       const std::function<void(const char*, std::size_t)>& row) {
  return sock_diag_dump(sock_diag, &request, sizeof request, row);
}

}  // namespace qsock
