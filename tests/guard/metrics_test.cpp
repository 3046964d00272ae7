#include <doctest/doctest.h>

#include <unistd.h>

#include <fstream>
#include <iterator>

#include "guard/metrics.h"

using namespace qsock;
using namespace qsock::guard;

TEST_CASE("prometheus_text: a sample per kind for every counter, the bound in seconds") {
  Counters c;
  c.count(EventType::bounded, Kind::migration);
  c.count(EventType::bounded, Kind::migration);
  c.count(EventType::failed, Kind::vnc);
  c.kinds[Kind::migration].seen = 3;
  c.interval = Microseconds(100'000);
  c.slowest_scan = Microseconds(2'500);
  std::string text = prometheus_text(c);
  CHECK(text.find("qsock_guard_connections_bounded_total{kind=\"migration\"} 2\n") !=
        std::string::npos);
  CHECK(text.find("qsock_guard_connections_failed_total{kind=\"vnc\"} 1\n") != std::string::npos);
  CHECK(text.find("qsock_guard_connections_seen_total{kind=\"migration\"} 3\n") !=
        std::string::npos);
  CHECK(text.find("qsock_guard_connections_bounded_total{kind=\"nbd\"} 0\n") != std::string::npos);
  CHECK(text.find("qsock_guard_detection_bound_seconds 0.1025\n") != std::string::npos);
  CHECK(text.find("# TYPE qsock_guard_connections gauge\n") != std::string::npos);
}

TEST_CASE("write_atomically: the whole text or the old file, never a part") {
  std::string path = "/tmp/qsock_metrics_test_" + std::to_string(::getpid()) + ".prom";
  REQUIRE(write_atomically(path, "a 1\n"));
  REQUIRE(write_atomically(path, "a 2\n"));
  std::ifstream in(path);
  CHECK(std::string(std::istreambuf_iterator<char>(in), {}) == "a 2\n");
  CHECK(::access((path + ".tmp").c_str(), F_OK) != 0);
  ::unlink(path.c_str());
  auto refused = write_atomically("/nonexistent-dir/x.prom", "a 1\n");
  REQUIRE_FALSE(refused);
  CHECK(refused.error().text().find("/nonexistent-dir/x.prom.tmp") != std::string::npos);
}
