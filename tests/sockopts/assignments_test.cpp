#include <doctest/doctest.h>

#include "sockopts/assignments.h"

using namespace qsock;
using namespace qsock::sockopts;
using namespace std::chrono_literals;

TEST_CASE("options_from_assignments: --set values with QMP names and units") {
  auto o = options_from_assignments(
      "user-timeout=2000,keep-alive=on,keep-alive-idle=60,keep-alive-interval=5,"
      "keep-alive-count=3");
  REQUIRE(o);
  CHECK(o->user_timeout == 2'000ms);
  CHECK(o->keep_alive == true);
  CHECK(o->keep_alive_idle == 60s);
  CHECK(o->keep_alive_interval == 5s);
  CHECK(o->keep_alive_count == 3u);
  CHECK(options_from_assignments("keep-alive=off")->keep_alive == false);
  CHECK(options_from_assignments("keep-alive=true")->keep_alive == true);
}

TEST_CASE("options_from_assignments: errors name the key and help") {
  struct Case {
    const char* input;
    const char* key;
    const char* hint;
  };
  for (auto [input, key, hint] : {
           Case{"user-timout=5000", "user-timout", "did you mean 'user-timeout'?"},
           Case{"mptcp=on", "mptcp", "it acts when the socket is created"},
           Case{"ipv6=on", "ipv6", "it acts when the socket is created"},
           Case{"user-timeout=5s", "user-timeout", "milliseconds"},
           Case{"keep-alive-idle=", "keep-alive-idle", "seconds"},
           Case{"keep-alive=2", "keep-alive", ""},
           Case{"user-timeout=4294967296", "user-timeout", "0 to 4294967295"},
           Case{"user-timeout", "user-timeout", "e.g. user-timeout=2000,keep-alive=on"},
           Case{"", "", "e.g. user-timeout=2000"},
       }) {
    const auto& input_case = input;  // clang 14 cannot capture a structured binding
    CAPTURE(input_case);
    auto o = options_from_assignments(input);
    REQUIRE_FALSE(o);
    CHECK(o.error().key == key);
    CHECK(o.error().hint == hint);
  }
}
