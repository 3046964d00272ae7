// tcp_peer: the TCP ends the integration tests need. Every mode prints one
// status line per event on stdout (flushed), for the scripts to wait on.
//
//   tcp_peer sink HOST PORT             accept connections, read and discard
//   tcp_peer send HOST PORT JSON SECS   connect with the options in JSON,
//                                       write without pause; on failure print
//                                       "error ERRNO EPOCH_MS", after SECS
//                                       print "alive EPOCH_MS retransmits=N"
//   tcp_peer hold-pair JSON [UNIX_PATH] a connected pair on loopback, the
//                                       client with JSON's options; prints
//                                       "ready PORT"; on SIGUSR1 prints
//                                       "own OPTIONS_JSON" read from its own
//                                       client socket; listens on UNIX_PATH
//   tcp_peer listen HOST PORT           accept one connection and hold it
//   tcp_peer connect HOST PORT          connect and hold
//   tcp_peer free-port                  print a port free on 127.0.0.1
#include <poll.h>
// SIGUSR1 is POSIX's, in <signal.h>; ISO C's <csignal> need not have it.
#include <signal.h>  // NOLINT(modernize-deprecated-headers)
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "sockopts/apply.h"
#include "sockopts/connect.h"
#include "sockopts/tcp_info.h"

using namespace qsock;
using namespace qsock::sockopts;

namespace {

volatile sig_atomic_t report_requested = 0;

long long epoch_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int die(const std::string& what) {
  std::printf("fatal %s\n", what.c_str());
  std::fflush(stdout);
  return 2;
}

InetAddress address(const std::string& host, const std::string& port, const char* json = "{}") {
  Json j = Json::parse(json);
  j["host"] = host;
  j["port"] = port;
  return *inet_address_from_json(j);
}

int sink(const std::string& host, const std::string& port) {
  auto l = listen_inet(address(host, port));
  if (!l) return die(l.error().text());
  std::printf("listening %u\n", l->port);
  std::fflush(stdout);
  std::vector<pollfd> fds{{l->fd.get(), POLLIN, 0}};
  std::vector<Fd> owned;
  static char buf[1 << 16];
  for (;;) {
    if (::poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR) return die("poll");
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (!fds[i].revents) continue;
      if (i == 0) {
        auto c = accept_with_deadline(l->fd.get(), Milliseconds(0));
        if (c) {
          fds.push_back({c->get(), POLLIN, 0});
          owned.push_back(std::move(*c));
        }
      } else if (::read(fds[i].fd, buf, sizeof buf) <= 0) {
        fds[i].events = 0;  // closed or failed: stop watching, keep the fd
      }
    }
  }
}

int send(const std::string& host, const std::string& port, const char* json, int seconds) {
  auto fd = connect_inet(address(host, port, json), Milliseconds(5000));
  if (!fd) return die(fd.error().text());
  std::printf("connected %s\n", local_address(fd->get()).c_str());
  std::fflush(stdout);
  static char buf[1 << 16];
  std::memset(buf, 'q', sizeof buf);
  auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < end) {
    pollfd p{fd->get(), POLLOUT, 0};
    int rc = ::poll(&p, 1, 100);
    if (rc < 0 && errno != EINTR) return die("poll");
    if (rc <= 0) continue;
    if (p.revents & (POLLERR | POLLHUP)) {
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(fd->get(), SOL_SOCKET, SO_ERROR, &err, &len);
      std::printf("error %s %lld\n", errno_name(err).c_str(), epoch_ms());
      std::fflush(stdout);
      return 1;
    }
    if (::send(fd->get(), buf, sizeof buf, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 && errno != EAGAIN) {
      std::printf("error %s %lld\n", errno_name(errno).c_str(), epoch_ms());
      std::fflush(stdout);
      return 1;
    }
  }
  auto info = read_tcp_info(fd->get());
  std::printf("alive %lld retransmits=%d backoff=%d\n", epoch_ms(), info ? info->retransmits : -1,
              info ? info->backoff : -1);
  std::fflush(stdout);
  return 0;
}

Fd unix_listener(const std::string& path) {
  ::unlink(path.c_str());
  Fd fd(::socket(AF_UNIX, SOCK_STREAM, 0));
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd.get(), 1))
    return Fd();
  return fd;
}

int hold_pair(const char* json, const char* unix_path) {
  ::signal(SIGUSR1, [](int) { report_requested = 1; });
  auto l = listen_inet(address("127.0.0.1", "0"));
  if (!l) return die(l.error().text());
  auto client =
      connect_inet(address("127.0.0.1", std::to_string(l->port), json), Milliseconds(2000));
  if (!client) return die(client.error().text());
  auto server = accept_with_deadline(l->fd.get(), Milliseconds(2000));
  if (!server) return die(server.error().text());
  Fd unix_fd;
  if (unix_path != nullptr && !(unix_fd = unix_listener(unix_path)).valid())
    return die("unix listener");
  std::printf("ready %u\n", l->port);
  std::fflush(stdout);
  for (;;) {
    ::pause();
    if (report_requested) {
      report_requested = 0;
      auto o = read_options(client->get());
      std::printf("own %s\n", o ? to_json(*o).dump().c_str() : o.error().text().c_str());
      std::fflush(stdout);
    }
  }
}

int listen_one(const std::string& host, const std::string& port) {
  auto l = listen_inet(address(host, port));
  if (!l) return die(l.error().text());
  std::printf("listening %u\n", l->port);
  std::fflush(stdout);
  auto c = accept_with_deadline(l->fd.get(), Milliseconds(60'000));
  if (!c) return die(c.error().text());
  std::printf("accepted %s\n", peer_address(c->get()).c_str());
  std::fflush(stdout);
  for (;;) ::pause();
}

int connect_hold(const std::string& host, const std::string& port) {
  auto c = connect_inet(address(host, port), Milliseconds(5000));
  if (!c) return die(c.error().text());
  std::printf("connected %s\n", local_address(c->get()).c_str());
  std::fflush(stdout);
  for (;;) ::pause();
}

int free_port() {
  auto l = listen_inet(address("127.0.0.1", "0"));
  if (!l) return die(l.error().text());
  std::printf("%u\n", l->port);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> a(argv + 1, argv + argc);
  auto n = a.size();
  if (n == 3 && a[0] == "sink") return sink(a[1], a[2]);
  if (n == 5 && a[0] == "send") return send(a[1], a[2], argv[4], std::stoi(a[4]));
  if ((n == 2 || n == 3) && a[0] == "hold-pair")
    return hold_pair(argv[2], n == 3 ? argv[3] : nullptr);
  if (n == 3 && a[0] == "listen") return listen_one(a[1], a[2]);
  if (n == 3 && a[0] == "connect") return connect_hold(a[1], a[2]);
  if (n == 1 && a[0] == "free-port") return free_port();
  std::fprintf(stderr, "usage: see the comment at the top of tests/peers/tcp_peer.cpp\n");
  return 2;
}
