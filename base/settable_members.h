// The InetSocketAddress members qsock can set on an open socket itself
// (setsockopt on QEMU's socket: qsock migrate --sockopts fd|inject, qsock
// sockets --set), so they take effect whatever the QEMU release. The one
// table of them: sockopts/ sets these, uri/ says so in its hints.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace qsock {

// In schema order. Family, mptcp, to and numeric act when a socket is
// created and are not here.
inline const std::vector<std::string>& qsock_settable_members() {
  static const std::vector<std::string> members = {
      "keep-alive", "keep-alive-count", "keep-alive-idle", "keep-alive-interval", "user-timeout"};
  return members;
}

inline bool qsock_can_set(std::string_view member) {
  const auto& members = qsock_settable_members();
  return std::find(members.begin(), members.end(), member) != members.end();
}

// How to, for a hint.
inline constexpr std::string_view qsock_set_how =
    "qsock migrate --sockopts fd|inject, qsock sockets --set";

}  // namespace qsock
