// Real sockets on loopback: options applied, read back, inherited; TCP_INFO.
#include <doctest/doctest.h>

#include <sys/socket.h>

#include <chrono>

#include "sockopts/apply.h"
#include "sockopts/connect.h"
#include "sockopts/tcp_info.h"

using namespace qsock;
using namespace qsock::sockopts;
using namespace std::chrono_literals;

namespace {

InetAddress address(const char* json) { return *inet_address_from_json(Json::parse(json)); }

struct Pair {
  Listener listener;
  Fd client;
  Fd server;
};

Pair connected_pair(const char* listen_json, const char* connect_options) {
  Pair p;
  auto l = listen_inet(address(listen_json));
  REQUIRE_MESSAGE(l, l.error().text());
  p.listener = std::move(*l);
  Json c = Json::parse(connect_options);
  c["host"] = "127.0.0.1";
  c["port"] = std::to_string(p.listener.port);
  auto client = connect_inet(*inet_address_from_json(c), 2s);
  REQUIRE_MESSAGE(client, client.error().text());
  p.client = std::move(*client);
  auto server = accept_with_deadline(p.listener.fd.get(), 2s);
  REQUIRE_MESSAGE(server, server.error().text());
  p.server = std::move(*server);
  return p;
}

}  // namespace

TEST_CASE("connect applies the options; getsockopt reads them back") {
  const char* wanted = R"({"keep-alive":true,"keep-alive-idle":60,"keep-alive-interval":30,
                          "keep-alive-count":5,"user-timeout":30000})";
  Pair p = connected_pair(R"({"host":"127.0.0.1","port":"0"})", wanted);
  auto got = read_options(p.client.get());
  REQUIRE(got);
  CHECK(got->keep_alive == true);
  CHECK(got->keep_alive_idle == 60s);
  CHECK(got->keep_alive_interval == 30s);
  CHECK(got->keep_alive_count == 5u);
  CHECK(got->user_timeout == 30'000ms);
  CHECK(got->mptcp == false);
  CHECK(got->ipv4 == true);
  CHECK(differences(*options_from_json(Json::parse(wanted)), *got).empty());
}

TEST_CASE("QEMU semantics: keep-alive-* without keep-alive are not set") {
  Pair p = connected_pair(R"({"host":"127.0.0.1","port":"0"})",
                          R"({"keep-alive-idle":60,"keep-alive-count":5})");
  auto got = read_options(p.client.get());
  REQUIRE(got);
  CHECK(got->keep_alive == false);
  CHECK(got->keep_alive_idle != 60s);  // the sysctl's value
  CHECK(differences(*options_from_json(Json::parse(R"({"keep-alive-idle":60})")), *got).empty());
}

TEST_CASE("a listening socket's options are inherited by accepted sockets") {
  Pair p = connected_pair(
      R"({"host":"127.0.0.1","port":"0","keep-alive":true,"keep-alive-idle":45,"user-timeout":7000})",
      R"({})");
  auto got = read_options(p.server.get());
  REQUIRE(got);
  CHECK(got->keep_alive == true);
  CHECK(got->keep_alive_idle == 45s);
  CHECK(got->user_timeout == 7'000ms);
  auto client = read_options(p.client.get());
  REQUIRE(client);
  CHECK(client->keep_alive == false);
  CHECK(client->user_timeout == 0ms);
}

TEST_CASE("differences report what the socket does not have") {
  Pair p = connected_pair(R"({"host":"127.0.0.1","port":"0"})", R"({})");
  auto got = read_options(p.server.get());
  REQUIRE(got);
  auto wanted = *options_from_json(
      Json::parse(R"({"keep-alive":true,"keep-alive-idle":60,"user-timeout":5000})"));
  auto d = differences(wanted, *got);
  REQUIRE(d.size() == 3);
  CHECK(d[0].key == "keep-alive");
  CHECK(d[0].wanted == "on");
  CHECK(d[0].effective == "off");
  CHECK(d[1].key == "keep-alive-idle");
  CHECK(d[1].wanted == "60 s");
  CHECK(d[2].key == "user-timeout");
  CHECK(d[2].effective == "0 ms");
}

TEST_CASE("exact semantics: --set can turn keep-alive off and tune without it") {
  Pair p = connected_pair(R"({"host":"127.0.0.1","port":"0"})", R"({"keep-alive":true})");
  auto set = *options_from_json(
      Json::parse(R"({"keep-alive":false,"keep-alive-idle":12,"user-timeout":2000})"));
  REQUIRE(apply_options(p.client.get(), set, Semantics::exact));
  auto got = read_options(p.client.get());
  REQUIRE(got);
  CHECK(got->keep_alive == false);
  CHECK(got->keep_alive_idle == 12s);
  CHECK(got->user_timeout == 2'000ms);
  CHECK(differences(set, *got, Semantics::exact).empty());
}

TEST_CASE("listen tries the port range and reports the port bound") {
  auto first = listen_inet(address(R"({"host":"127.0.0.1","port":"0"})"));
  REQUIRE(first);
  auto busy = std::to_string(first->port);
  Json j = Json::parse(R"({"host":"127.0.0.1"})");
  j["port"] = busy;
  j["to"] = first->port + 5;
  auto second = listen_inet(*inet_address_from_json(j));
  REQUIRE_MESSAGE(second, second.error().text());
  CHECK(second->port > first->port);
  CHECK(second->port <= first->port + 5);
  j.erase("to");
  auto third = listen_inet(*inet_address_from_json(j));
  REQUIRE_FALSE(third);
  CHECK(third.error().errnum == EADDRINUSE);
}

TEST_CASE("IPv6 listening: V6ONLY off by default, on with ipv6 alone") {
  auto both = listen_inet(address(R"({"host":"::","port":"0"})"));
  if (!both) {
    MESSAGE("no IPv6 here: " << both.error().text());
    return;
  }
  auto o = read_options(both->fd.get());
  REQUIRE(o);
  CHECK(o->ipv6 == true);
  CHECK(o->ipv4 == true);
  auto v6 = listen_inet(address(R"({"host":"::","port":"0","ipv6":true})"));
  REQUIRE(v6);
  CHECK(read_options(v6->fd.get())->ipv4 == false);
}

TEST_CASE("accept and connect keep their deadlines") {
  auto l = listen_inet(address(R"({"host":"127.0.0.1","port":"0"})"));
  REQUIRE(l);
  auto start = std::chrono::steady_clock::now();
  auto r = accept_with_deadline(l->fd.get(), 50ms);
  auto took = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(r);
  CHECK(r.error().errnum == ETIMEDOUT);
  CHECK(took >= 50ms);
  CHECK(took < 1s);

  Json refused = Json::parse(R"({"host":"127.0.0.1"})");
  Listener closed = std::move(*l);
  refused["port"] = std::to_string(closed.port);
  closed.fd.reset();
  auto c = connect_inet(*inet_address_from_json(refused), 1s);
  REQUIRE_FALSE(c);
  CHECK(c.error().errnum == ECONNREFUSED);
  CHECK(c.error().message.rfind("Failed to connect to '127.0.0.1:", 0) == 0);
}

TEST_CASE("TCP_INFO is readable, with units") {
  Pair p = connected_pair(R"({"host":"127.0.0.1","port":"0"})", R"({})");
  REQUIRE(::send(p.client.get(), "x", 1, 0) == 1);
  char c = 0;
  REQUIRE(::recv(p.server.get(), &c, 1, 0) == 1);
  auto info = read_tcp_info(p.client.get());
  REQUIRE(info);
  CHECK(info->state == TcpState::established);
  CHECK(info->rto >= 200ms);  // TCP_RTO_MIN
  CHECK(info->retransmits == 0);
  CHECK(info->unacked == Segments{0});
  CHECK(info->total_retrans == Segments{0});
  CHECK(state_name(info->state) == "ESTABLISHED");
  auto listening = read_tcp_info(p.listener.fd.get());
  REQUIRE(listening);
  CHECK(listening->state == TcpState::listen);
  CHECK(to_json(*info)["state"] == "ESTABLISHED");
}
