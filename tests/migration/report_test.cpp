#include <doctest/doctest.h>

#include <string>

#include "migration/report.h"
#include "migration/rules.h"

using namespace qsock;

namespace {
migration::MigrationReport completed() {
  migration::MigrationReport r;
  r.status = "completed";
  r.downtime = Milliseconds(3);
  r.observed_downtime = Milliseconds(22);
  r.total_time = Milliseconds(13);
  r.setup_time = Milliseconds(2);
  migration::RamStats ram;
  ram.transferred = Bytes{603263};
  ram.total = Bytes{67641344};
  ram.precopy_bytes = Bytes{603000};
  ram.downtime_bytes = Bytes{263};
  ram.postcopy_bytes = Bytes{0};
  r.ram = ram;
  r.sockopts_via = migration::SockoptsMode::fd;
  r.fd_passed = true;
  r.source_state = "postmigrate";
  return r;
}
}  // namespace

TEST_CASE("migration report: the --json line") {
  Json j = completed().to_json();
  CHECK(j["event"] == "report");
  CHECK(j["status"] == "completed");
  CHECK(j["downtime_ms"] == 3);
  CHECK(j["observed_downtime_ms"] == 22);
  CHECK(j["total_time_ms"] == 13);
  CHECK(j["setup_time_ms"] == 2);
  CHECK(j["sockopts_via"] == "fd");
  CHECK(j["fd_passed"] == true);
  CHECK(j["source_state"] == "postmigrate");
  CHECK(j["error"].is_null());
  CHECK(j["bytes"]["downtime"] == 263);

  migration::MigrationReport none;
  none.status = "failed";
  none.error = "Unable to write to socket: Broken pipe";
  Json n = none.to_json();
  CHECK(n["observed_downtime_ms"].is_null());
  CHECK(n["sockopts_via"].is_null());
  CHECK(n["bytes"].is_null());
  CHECK(n["error"] == "Unable to write to socket: Broken pipe");
}

TEST_CASE("migration report: the socket section of the --json line") {
  // No socket seen: an empty object, as before the views were typed.
  CHECK(completed().to_json()["socket"] == Json::object());

  migration::SocketView src;
  sockopts::SocketOptions opts;
  opts.keep_alive = true;
  opts.user_timeout = Milliseconds(5000);
  opts.ipv4 = true;  // an address member: not a socket option, not shown
  src.options = opts;
  src.not_applied = {{"keep-alive-idle", "1 s", "7200 s"}};
  sockopts::TcpInfo ti;
  ti.state = sockopts::TcpState::established;
  ti.retransmits = 3;
  src.tcp_info = ti;
  src.local = "127.0.0.1:40000";
  src.peer = "127.0.0.1:4444";
  src.error = "ETIMEDOUT";
  migration::SocketView dst;
  dst.end = migration::SocketEnd::destination;
  dst.read_at = migration::SocketReadAt::start;
  dst.options_error = "getsockopt(SO_KEEPALIVE): Bad file descriptor";
  dst.local = "127.0.0.1:4444";

  auto r = completed();
  r.source_socket = src;
  r.destination_socket = dst;
  r.destination_sockopts_via = migration::SockoptsMode::inject;
  Json j = r.to_json();
  CHECK(j["destination_sockopts_via"] == "inject");
  const Json& s = j["socket"];
  CHECK(s["options"] == Json::parse(R"({"keep-alive":true,"user-timeout":5000})"));
  CHECK(s["not_applied"] ==
        Json::parse(R"([{"key":"keep-alive-idle","wanted":"1 s","effective":"7200 s"}])"));
  CHECK(s["tcp_info"]["state"] == "ESTABLISHED");
  CHECK(s["tcp_info"]["retransmits"] == 3);
  CHECK(s["local"] == "127.0.0.1:40000");
  CHECK(s["peer"] == "127.0.0.1:4444");
  CHECK(s["error"] == "ETIMEDOUT");
  CHECK_FALSE(s.contains("read"));  // the source's is read at the end
  CHECK_FALSE(s.contains("options_error"));
  const Json& d = s["destination"];
  CHECK(d["read"] == "when applied, at the start");
  CHECK(d["options"].is_null());
  CHECK(d["options_error"] == "getsockopt(SO_KEEPALIVE): Bad file descriptor");
  CHECK_FALSE(d.contains("not_applied"));
  CHECK(d["tcp_info"].is_null());
  CHECK_FALSE(d.contains("error"));
}

TEST_CASE("migration report: consistency") {
  CHECK(completed().inconsistencies().empty());
  struct Row {
    void (*change)(migration::MigrationReport&);
    const char* expected;
  };
  const Row rows[] = {
      {[](migration::MigrationReport& r) { r.downtime = Milliseconds(20); },
       "downtime 20 ms > total"},
      {[](migration::MigrationReport& r) { r.setup_time = Milliseconds(14); }, "setup time 14 ms"},
      {[](migration::MigrationReport& r) { r.ram->postcopy_bytes = Bytes{1000}; },
       "precopy + downtime + postcopy bytes"},
  };
  for (const Row& row : rows) {
    auto r = completed();
    row.change(r);
    auto problems = r.inconsistencies();
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].find(row.expected) != std::string::npos);
  }
}

TEST_CASE("migration rules: the table") {
  CHECK(migration::capability_must_match("postcopy-ram"));
  CHECK(migration::capability_must_match("netpass"));
  CHECK(!migration::capability_must_match("xbzrle"));
  CHECK(migration::parameter_must_match("backend-transfer"));
  CHECK(migration::parameter_must_match("fds"));
  CHECK(!migration::parameter_must_match("max-bandwidth"));
  // Every requires/excludes rule names both capabilities and carries a message.
  for (const migration::MigrationRule& r : migration::migration_rules()) {
    CAPTURE(std::string(r.subject));
    if (r.kind == migration::RuleKind::requires_capability ||
        r.kind == migration::RuleKind::excludes_capability) {
      CHECK(!r.other.empty());
      CHECK(!r.message.empty());
    }
  }
}
