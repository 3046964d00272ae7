// This process's own sockets, seen the way `qsock sockets --pid` sees another's.
#include <doctest/doctest.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "sockopts/connect.h"
#include "sockopts/peercred.h"
#include "sockopts/probe.h"
#include "sockopts/process_sockets.h"

using namespace qsock;
using namespace qsock::sockopts;
using namespace std::chrono_literals;

TEST_CASE("inspect_process finds, reads and adjusts a process's TCP sockets") {
  auto l = listen_inet(*inet_address_from_json(Json::parse(R"({"host":"127.0.0.1","port":"0"})")));
  REQUIRE(l);
  Json c = Json::parse(R"({"host":"127.0.0.1","keep-alive":true,"keep-alive-idle":33})");
  c["port"] = std::to_string(l->port);
  auto client = connect_inet(*inet_address_from_json(c), 2s);
  REQUIRE(client);
  auto server = accept_with_deadline(l->fd.get(), 2s);
  REQUIRE(server);

  auto sockets = list_tcp_sockets(::getpid());
  REQUIRE_MESSAGE(sockets, sockets.error().text());
  int seen = 0;
  for (const ProcessSocket& s : *sockets) {
    if (s.fd == l->fd.get()) {
      CHECK(s.state == TcpState::listen);
      ++seen;
    }
    if (s.fd == client->get()) {
      CHECK(s.state == TcpState::established);
      CHECK(s.remote.port == l->port);
      ++seen;
    }
  }
  CHECK(seen == 2);

  SocketFilter only_client;
  only_client.peer = *parse_host_port("127.0.0.1:" + std::to_string(l->port));
  auto reports = inspect_process(::getpid(), only_client);
  REQUIRE(reports);
  REQUIRE(reports->size() == 1);
  const SocketReport& r = reports->front();
  CHECK(r.socket.fd == client->get());
  REQUIRE(r.options);
  CHECK(r.options->keep_alive == true);
  CHECK(r.options->keep_alive_idle == 33s);
  REQUIRE(r.tcp_info);
  CHECK(r.tcp_info->state == TcpState::established);

  // --set acts on the process's own socket, through the duplicate.
  auto set = *options_from_json(Json::parse(R"({"user-timeout":2000,"keep-alive-idle":7})"));
  reports = inspect_process(::getpid(), only_client, set);
  REQUIRE(reports);
  REQUIRE(reports->size() == 1);
  REQUIRE(reports->front().set);
  CHECK(*reports->front().set);
  CHECK(reports->front().not_applied.empty());
  auto own = read_options(client->get());
  REQUIRE(own);
  CHECK(own->user_timeout == 2'000ms);
  CHECK(own->keep_alive_idle == 7s);
}

TEST_CASE("inspect_process: a process that does not exist") {
  auto r = inspect_process(0x3ffffff0, {});
  REQUIRE_FALSE(r);
  CHECK(r.error().errnum == ENOENT);
  CHECK(r.error().hint == "no such process (did it exit?)");
}

TEST_CASE("duplicate_fd: a closed descriptor is EBADF with a hint") {
  auto pidfd = open_pidfd(::getpid());
  REQUIRE(pidfd);
  auto dup = duplicate_fd(pidfd->get(), 987654);
  REQUIRE_FALSE(dup);
  CHECK(dup.error().errnum == EBADF);
  CHECK_FALSE(dup.error().hint.empty());
}

TEST_CASE("pid_of_unix_peer: the pid listening on a UNIX socket") {
  auto path =
      std::filesystem::temp_directory_path() / ("qsock-peercred-" + std::to_string(::getpid()));
  std::filesystem::remove(path);
  Fd fd(::socket(AF_UNIX, SOCK_STREAM, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  REQUIRE(::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::listen(fd.get(), 1) == 0);
  auto pid = pid_of_unix_peer(path);
  REQUIRE_MESSAGE(pid, pid.error().text());
  CHECK(*pid == ::getpid());
  std::filesystem::remove(path);
  auto gone = pid_of_unix_peer(path);
  REQUIRE_FALSE(gone);
  CHECK(gone.error().errnum == ENOENT);
}

TEST_CASE("probe_kernel names every feature") {
  KernelProbe p = probe_kernel();
  std::vector<std::string> names;
  for (const Feature& f : p.features) names.push_back(f.name);
  CHECK(names == std::vector<std::string>{"TCP_USER_TIMEOUT", "TCP_KEEPCNT", "TCP_KEEPIDLE",
                                          "TCP_KEEPINTVL", "MPTCP", "pidfd_open", "pidfd_getfd"});
  CHECK(p.features[0].supported);  // Linux since 2.6.37
  CHECK(p.sysctls);
  CHECK(to_json(p)["features"]["TCP_USER_TIMEOUT"]["supported"] == true);
}
