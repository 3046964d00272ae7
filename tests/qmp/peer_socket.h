// A socketpair for driving qmp/ sessions in unit tests: the test writes what
// the "monitor" says on `peer` and reads what qsock sent.
#pragma once

#include <dirent.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <string_view>

#include "qmp/connection.h"

namespace qsock::qmp::testing {

struct PeerSocket {
  int peer = -1;
  int client = -1;  // handed to a Connection with take_client()
  PeerSocket() {
    int sv[2];
    ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv);
    peer = sv[0];
    client = sv[1];
  }
  ~PeerSocket() {
    if (peer >= 0) ::close(peer);
    if (client >= 0) ::close(client);
  }
  Connection take_client() {
    int fd = client;
    client = -1;
    return Connection(fd, Connection::Family::unix_socket);
  }
  void say(std::string_view text) const {
    std::size_t done = 0;
    while (done < text.size()) {
      auto n = ::write(peer, text.data() + done, text.size() - done);
      if (n <= 0) return;
      done += static_cast<std::size_t>(n);
    }
  }
  void hang_up() {
    ::close(peer);
    peer = -1;
  }
  // Stops talking (EOF for qsock) but still takes what qsock sends.
  void stop_talking() const { ::shutdown(peer, SHUT_WR); }
  // What qsock has sent so far (non-blocking).
  std::string heard() const {
    std::string out;
    char buf[65536];
    for (;;) {
      auto n = ::recv(peer, buf, sizeof buf, MSG_DONTWAIT);
      if (n <= 0) return out;
      out.append(buf, static_cast<std::size_t>(n));
    }
  }
};

// Time enough for any exchange with the scripted peer.
inline Deadline soon() { return Deadline::after(Milliseconds(2000)); }

inline int open_fd_count() {
  int count = 0;
  DIR* d = ::opendir("/proc/self/fd");
  if (!d) return -1;
  while (::readdir(d)) ++count;
  ::closedir(d);
  return count;
}

inline constexpr std::string_view greeting =
    "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 22, \"minor\": 2, \"major\": 7}, "
    "\"package\": \"Debian\"}, \"capabilities\": [\"oob\"]}}\r\n";
inline constexpr std::string_view negotiated = "{\"return\": {}, \"id\": \"qsock-1\"}\r\n";

}  // namespace qsock::qmp::testing
