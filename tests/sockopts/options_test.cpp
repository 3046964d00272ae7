#include <doctest/doctest.h>

#include <sys/socket.h>

#include "sockopts/describe.h"
#include "sockopts/family.h"
#include "sockopts/options.h"

using namespace qsock;
using namespace qsock::sockopts;
using namespace std::chrono_literals;

TEST_CASE("options_from_json: an InetSocketAddress with units") {
  auto o = options_from_json(Json::parse(
      R"({"type":"inet","host":"10.0.0.2","port":"4444","keep-alive":true,
          "keep-alive-idle":60,"keep-alive-interval":30,"keep-alive-count":5,
          "user-timeout":30000,"mptcp":false,"to":4450,"ipv4":true,"numeric":true})"));
  REQUIRE(o);
  CHECK(o->keep_alive == true);
  CHECK(o->keep_alive_idle == 60s);
  CHECK(o->keep_alive_interval == 30s);
  CHECK(o->keep_alive_count == 5u);
  CHECK(o->user_timeout == 30'000ms);
  CHECK(o->mptcp == false);
  CHECK(o->to == 4450);
  CHECK(o->ipv4 == true);
  CHECK_FALSE(o->ipv6);
  CHECK(o->numeric == true);
}

TEST_CASE("options_from_json round-trips through to_json") {
  for (const char* text : {
           R"({})",
           R"({"keep-alive":true})",
           R"({"ipv6":true,"keep-alive":true,"keep-alive-count":0,"user-timeout":1})",
           R"({"numeric":false,"to":5000,"ipv4":false,"ipv6":true,"keep-alive":false,)"
           R"("keep-alive-count":9,"keep-alive-idle":7200,"keep-alive-interval":75,)"
           R"("mptcp":true,"user-timeout":4294967295})",
       }) {
    CAPTURE(text);
    auto o = options_from_json(Json::parse(text));
    REQUIRE(o);
    CHECK(to_json(*o).dump() == text);
  }
}

TEST_CASE("socket_members: what acts on an open socket, and only that") {
  auto all = options_from_json(Json::parse(
      R"({"numeric":true,"to":5000,"ipv4":true,"ipv6":false,"keep-alive":true,"keep-alive-count":3,)"
      R"("keep-alive-idle":5,"keep-alive-interval":2,"mptcp":true,"user-timeout":1000})"));
  REQUIRE(all);
  CHECK(to_json(socket_members(*all)).dump() ==
        R"({"keep-alive":true,"keep-alive-count":3,"keep-alive-idle":5,"keep-alive-interval":2,)"
        R"("user-timeout":1000})");
  CHECK(has_socket_options(*all));
  // Members that only act when a socket is made set nothing on one that is open.
  auto creation_only = options_from_json(Json::parse(R"({"mptcp":true,"ipv6":true,"to":5000})"));
  REQUIRE(creation_only);
  CHECK_FALSE(has_socket_options(*creation_only));
  CHECK(socket_members(*creation_only) == SocketOptions{});
  // Each member alone counts, whatever its value.
  for (const char* one :
       {R"({"keep-alive":false})", R"({"keep-alive-count":0})", R"({"keep-alive-idle":0})",
        R"({"keep-alive-interval":1})", R"({"user-timeout":0})"}) {
    CAPTURE(one);
    auto o = options_from_json(Json::parse(one));
    REQUIRE(o);
    CHECK(has_socket_options(*o));
    CHECK(to_json(socket_members(*o)).dump() == one);
  }
}

TEST_CASE("options_from_json: legacy data nesting and unknown members") {
  auto o = options_from_json(Json::parse(
      R"({"type":"inet","data":{"host":"h","port":"1","keep-alive":true,"future":1}})"));
  REQUIRE(o);
  CHECK(o->keep_alive == true);
  auto a = inet_address_from_json(Json::parse(R"({"type":"inet","data":{"host":"h","port":"1"}})"));
  REQUIRE(a);
  CHECK(a->host == "h");
  CHECK(a->port == "1");
}

TEST_CASE("options_from_json: errors name the key") {
  struct Case {
    const char* input;
    const char* key;
  };
  for (auto [input, key] : {
           Case{R"({"keep-alive":"on"})", "keep-alive"},
           Case{R"({"keep-alive-idle":-1})", "keep-alive-idle"},
           Case{R"({"keep-alive-count":4294967296})", "keep-alive-count"},
           Case{R"({"user-timeout":1.5})", "user-timeout"},
           Case{R"({"to":65536})", "to"},
           Case{R"({"mptcp":1})", "mptcp"},
       }) {
    const auto& input_case = input;  // clang 14 cannot capture a structured binding
    CAPTURE(input_case);
    auto o = options_from_json(Json::parse(input));
    REQUIRE_FALSE(o);
    CHECK(o.error().key == key);
  }
  CHECK_FALSE(options_from_json(Json::parse("[]")));
  auto a = inet_address_from_json(Json::parse(R"({"type":"unix","path":"/x"})"));
  REQUIRE_FALSE(a);
  CHECK(a.error().key == "type");
  a = inet_address_from_json(Json::parse(R"({"type":"inet","host":"h"})"));
  REQUIRE_FALSE(a);
  CHECK(a.error().message == "port not specified");
}

TEST_CASE("address_family: the ipv4/ipv6 matrix") {
  struct Case {
    const char* options;
    const char* host;
    int family;  // -1: error
  };
  for (auto [options, host, family] : {
           Case{R"({})", "h", AF_UNSPEC},
           Case{R"({"ipv4":true})", "h", AF_INET},
           Case{R"({"ipv6":false})", "h", AF_INET},
           Case{R"({"ipv6":true})", "h", AF_INET6},
           Case{R"({"ipv4":false})", "h", AF_INET6},
           Case{R"({"ipv4":true,"ipv6":false})", "h", AF_INET},
           Case{R"({"ipv4":false,"ipv6":true})", "h", AF_INET6},
           Case{R"({"ipv4":true,"ipv6":true})", "h", AF_UNSPEC},
           Case{R"({"ipv4":true,"ipv6":true})", "", AF_INET6},
           Case{R"({"ipv4":false,"ipv6":false})", "h", -1},
       }) {
    const auto& options_case = options;  // clang 14 cannot capture a structured binding
    CAPTURE(options_case);
    const auto& host_case = host;  // clang 14 cannot capture a structured binding
    CAPTURE(host_case);
    auto f = address_family(*options_from_json(Json::parse(options)), host);
    if (family == -1) {
      REQUIRE_FALSE(f);
      CHECK(f.error().message == "Cannot disable IPv4 and IPv6 at same time");
    } else {
      REQUIRE(f);
      CHECK(*f == family);
    }
  }
}

TEST_CASE("listen_v6only: only when IPv6 alone was asked for") {
  auto v6only = [](const char* o) { return listen_v6only(*options_from_json(Json::parse(o))); };
  CHECK_FALSE(v6only(R"({})"));
  CHECK_FALSE(v6only(R"({"ipv4":true,"ipv6":true})"));
  CHECK(v6only(R"({"ipv6":true})"));
  CHECK(v6only(R"({"ipv4":false})"));
}

TEST_CASE("describe_options: which option each member sets, with its unit") {
  auto effects = describe_options(*options_from_json(Json::parse(
      R"({"keep-alive":true,"keep-alive-idle":60,"keep-alive-count":0,"user-timeout":30000})")));
  REQUIRE(effects.size() == 4);
  CHECK(effects[0].member == "keep-alive");
  CHECK(effects[0].option == "SO_KEEPALIVE");
  CHECK(effects[0].level == "SOL_SOCKET");
  CHECK(effects[0].value == 1);
  CHECK(effects[1].member == "keep-alive-count");
  CHECK_FALSE(effects[1].applied);  // 0 = the sysctl
  CHECK(effects[2].member == "keep-alive-idle");
  CHECK(effects[2].option == "TCP_KEEPIDLE");
  CHECK(effects[2].value == 60);
  CHECK(effects[2].unit == "s");
  CHECK(effects[2].applied);
  CHECK(effects[3].option == "TCP_USER_TIMEOUT");
  CHECK(effects[3].level == "IPPROTO_TCP");
  CHECK(effects[3].value == 30000);
  CHECK(effects[3].unit == "ms");

  Json j = to_json(effects);
  CHECK(j["keep-alive-idle"]["option"] == "TCP_KEEPIDLE");
  CHECK(j["user-timeout"]["unit"] == "ms");
}

TEST_CASE("describe_options: keep-alive-* are ignored without keep-alive (QEMU)") {
  auto o = *options_from_json(Json::parse(R"({"keep-alive-idle":60})"));
  auto qemu = describe_options(o, Semantics::qemu);
  REQUIRE(qemu.size() == 1);
  CHECK_FALSE(qemu[0].applied);
  CHECK(qemu[0].note == "ignored: only set when keep-alive is on");
  CHECK(describe_options(o, Semantics::exact)[0].applied);
}
