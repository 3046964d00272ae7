#include <doctest/doctest.h>

#include "sockopts/detection.h"

using namespace qsock;
using namespace qsock::sockopts;
using namespace std::chrono_literals;

namespace {

// The plain definition: retries + 1 intervals, each the RTO doubled from
// `initial` and capped at `max`.
Milliseconds naive_backoff(std::uint32_t retries, Milliseconds initial, Milliseconds max) {
  Milliseconds total{0}, rto = initial;
  for (std::uint32_t i = 0; i <= retries; ++i) {
    total += std::min(rto, max);
    rto *= 2;
  }
  return total;
}

SocketOptions json_options(const char* text) { return *options_from_json(Json::parse(text)); }

}  // namespace

TEST_CASE("backoff_total: tcp_retries2 from a 200 ms RTO capped at 120 s") {
  struct Case {
    std::uint32_t retries;
    Milliseconds expected;
  };
  for (auto [retries, expected] : {
           Case{0, 200ms},       // the first RTO alone
           Case{1, 600ms},       // 0.2 + 0.4
           Case{3, 3'000ms},     // tcp_retries1's default: 0.2 .. 1.6
           Case{5, 12'600ms},    //
           Case{8, 102'200ms},   // RFC 1122's minimum: 0.2 .. 51.2
           Case{9, 204'600ms},   // 0.2 .. 102.4, the last uncapped RTO
           Case{10, 324'600ms},  // + one capped 120 s
           Case{15, 924'600ms},  // Linux's default: 204.6 + 6 × 120
       }) {
    const auto& retries_case = retries;  // clang 14 cannot capture a structured binding
    CAPTURE(retries_case);
    CHECK(backoff_total(retries, 200ms, 120s) == expected);
  }
}

TEST_CASE("backoff_total: tcp_syn_retries from a 1 s RTO") {
  CHECK(backoff_total(5, 1s, 120s) == 63s);
  CHECK(backoff_total(6, 1s, 120s) == 127s);  // Linux's default
  CHECK(backoff_total(7, 1s, 120s) == 247s);  // 127 + 120
}

TEST_CASE("backoff_total matches the plain doubling sum for any initial RTO") {
  for (Milliseconds initial : {200ms, 250ms, 300ms, 1000ms, 3000ms})
    for (std::uint32_t r = 0; r <= 20; ++r) {
      CAPTURE(initial.count());
      CAPTURE(r);
      CHECK(backoff_total(r, initial, 120s) == naive_backoff(r, initial, 120s));
    }
}

TEST_CASE("detection: data in flight, bounded by user-timeout else tcp_retries2") {
  Sysctls defaults;
  struct Case {
    const char* options;
    std::uint32_t retries2;
    Milliseconds expected;
    const char* by;
  };
  for (auto [options, retries2, expected, by] : {
           Case{R"({})", 15, 924'600ms, "tcp_retries2"},
           Case{R"({})", 8, 102'200ms, "tcp_retries2"},
           Case{R"({"keep-alive":true})", 15, 924'600ms, "tcp_retries2"},  // no help in flight
           Case{R"({"user-timeout":0})", 15, 924'600ms, "tcp_retries2"},   // 0 = default
           Case{R"({"user-timeout":30000})", 15, 30'000ms, "user-timeout"},
           Case{R"({"user-timeout":2000000})", 15, 2'000'000ms, "user-timeout"},  // replaces
           Case{R"({"user-timeout":1000})", 3, 1'000ms, "user-timeout"},
       }) {
    const auto& options_case = options;  // clang 14 cannot capture a structured binding
    CAPTURE(options_case);
    Sysctls s = defaults;
    s.tcp_retries2 = retries2;
    Bound b = detection_times(json_options(options), s).data_in_flight;
    CHECK(b.after == expected);
    CHECK(b.by == by);
  }
}

TEST_CASE("detection: idle, keep-alive sums bounded by user-timeout") {
  struct Case {
    const char* options;
    std::optional<Milliseconds> expected;
    const char* by;
  };
  for (auto [options, expected, by] : {
           Case{R"({})", std::nullopt, "no keep-alive"},
           Case{R"({"user-timeout":5000})", std::nullopt, "no keep-alive"},
           Case{R"({"keep-alive":false,"keep-alive-idle":60})", std::nullopt, "no keep-alive"},
           // The sysctls: 7200 + 9 × 75.
           Case{R"({"keep-alive":true})", 7'875s, "keep-alive"},
           // Zero is "the system setting".
           Case{R"({"keep-alive":true,"keep-alive-idle":0,"keep-alive-count":0})", 7'875s,
                "keep-alive"},
           // QEMU's proposed migration defaults: 60 + 5 × 30.
           Case{R"({"keep-alive":true,"keep-alive-idle":60,"keep-alive-interval":30,
                    "keep-alive-count":5})",
                210s, "keep-alive"},
           Case{R"({"keep-alive":true,"keep-alive-idle":10,"keep-alive-interval":2,
                    "keep-alive-count":3})",
                16s, "keep-alive"},
           // A user timeout replaces the count: the first probe expiry at or past it.
           Case{R"({"keep-alive":true,"keep-alive-idle":60,"keep-alive-interval":30,
                    "keep-alive-count":5,"user-timeout":30000})",
                90s, "user-timeout"},  // before idle: one probe
           Case{R"({"keep-alive":true,"keep-alive-idle":60,"keep-alive-interval":30,
                    "keep-alive-count":5,"user-timeout":120000})",
                120s, "user-timeout"},  // exactly at the second probe
           Case{R"({"keep-alive":true,"keep-alive-idle":60,"keep-alive-interval":30,
                    "keep-alive-count":5,"user-timeout":125000})",
                150s, "user-timeout"},
           Case{R"({"keep-alive":true,"keep-alive-idle":60,"keep-alive-interval":30,
                    "keep-alive-count":2,"user-timeout":600000})",
                600s, "user-timeout"},  // longer than the count would allow
           Case{R"({"keep-alive":true,"user-timeout":1000})", 7'275s, "user-timeout"},
       }) {
    const auto& options_case = options;  // clang 14 cannot capture a structured binding
    CAPTURE(options_case);
    Bound b = detection_times(json_options(options), Sysctls{}).idle;
    CHECK(b.after == expected);
    CHECK(b.by == by);
  }
}

TEST_CASE("detection: idle uses this host's sysctls where the socket sets nothing") {
  Sysctls s;
  s.tcp_keepalive_time = 600s;
  s.tcp_keepalive_intvl = 10s;
  s.tcp_keepalive_probes = 3;
  CHECK(detection_times(json_options(R"({"keep-alive":true})"), s).idle.after == 630s);
  CHECK(detection_times(json_options(R"({"keep-alive":true,"keep-alive-idle":5})"), s).idle.after ==
        35s);
}

TEST_CASE("detection: connect, by tcp_syn_retries") {
  Sysctls s;
  CHECK(detection_times({}, s).connect ==
        Bound{127s, "tcp_syn_retries", "6 SYN retransmissions from a 1000 ms RTO"});
  s.tcp_syn_retries = 2;
  CHECK(detection_times(json_options(R"({"user-timeout":1000})"), s).connect.after == 7s);
}

TEST_CASE("detection: the initial RTO is a parameter") {
  RtoModel slow;
  slow.rto_min = 1s;
  CHECK(detection_times({}, Sysctls{}, slow).data_in_flight.after == 1'207s);  // 127 + 9 × 120
}

TEST_CASE("detection JSON: ms, or null for never") {
  Json j = to_json(detection_times(json_options(R"({"user-timeout":5000})"), Sysctls{}));
  CHECK(
      j.dump() ==
      R"({"data_in_flight":{"ms":5000,"by":"user-timeout"},)"
      R"("idle":{"ms":null,"by":"no keep-alive"},"connect":{"ms":127000,"by":"tcp_syn_retries"}})");
}

TEST_CASE("format_duration") {
  CHECK(format_duration(std::nullopt) == "never");
  CHECK(format_duration(500ms) == "500 ms");
  CHECK(format_duration(1'000ms) == "1 s");
  CHECK(format_duration(102'200ms) == "102.2 s");
  CHECK(format_duration(1'234ms) == "1.234 s");
  CHECK(format_duration(924'600ms) == "924.6 s (15 min 24 s)");
  CHECK(format_duration(7'875s) == "7875 s (2 h 11 min 15 s)");
}
