#include <doctest/doctest.h>

#include <string>

#include "tests/uri/inet_schema_fixture.h"
#include "uri/migration_uri.h"

using namespace qsock::uri;
using namespace qsock::uri::testing;
using namespace qsock::schema;

TEST_CASE("migration URIs") {
  const ParseCase cases[] = {
      {"tcp:dst:4444", v102, R"({"transport":"socket","type":"inet","host":"dst","port":"4444"})",
       ""},
      {"tcp:[::1]:4444,keep-alive=on", v102,
       R"({"transport":"socket","type":"inet","host":"::1","port":"4444","keep-alive":true})", ""},
      {"unix:/run/mig.sock", v72, R"({"transport":"socket","type":"unix","path":"/run/mig.sock"})",
       ""},
      {"vsock:3:1234", v72, R"({"transport":"socket","type":"vsock","cid":"3","port":"1234"})", ""},
      {"fd:migfd", v72, R"({"transport":"socket","type":"fd","str":"migfd"})", ""},
      {"exec:cat > /tmp/state", v72,
       R"({"transport":"exec","args":["/bin/sh","-c","cat > /tmp/state"]})", ""},
      {"exec:", v72, R"({"transport":"exec","args":["/bin/sh","-c",""]})", ""},
      {"rdma:192.168.0.1:4444", v72, R"({"transport":"rdma","host":"192.168.0.1","port":"4444"})",
       ""},
      {"rdma:[::1]:4444,ipv6=on", v102,
       R"({"transport":"rdma","host":"::1","port":"4444","ipv6":true})", ""},
      {"file:/tmp/vm.state", v82, R"({"transport":"file","filename":"/tmp/vm.state","offset":0})",
       ""},
      {"file:/tmp/vm.state,offset=4096", v82,
       R"({"transport":"file","filename":"/tmp/vm.state","offset":4096})", ""},
      {"file:/tmp/vm.state,offset=1M", v102,
       R"({"transport":"file","filename":"/tmp/vm.state","offset":1048576})", ""},
      {"file:/tmp/vm.state,offset=x", v102, "", "file URI has bad offset x: Invalid argument"},
      {"file:/tmp/vm.state", v81, "", "unknown migration protocol: file:/tmp/vm.state"},
      {"defer", v72, R"("defer")", ""},
      {"dst:4444", v102, "", "unknown migration protocol: dst:4444"},
      {"udp:dst:4444", v102, "", "unknown migration protocol: udp:dst:4444"},
      {"", v102, "", "unknown migration protocol: "},
      {"TCP:dst:4444", v102, "", "unknown migration protocol: TCP:dst:4444"},
      {"tcp:dst", v102, "", "error parsing address 'dst'"},
      {"unix:", v102, "", "invalid Unix socket address"},
      {"rdma:dst", v102, "", "error parsing address 'dst'"},
      {"tcp:dst:1,bogus=1", v102, "", "Invalid parameter 'bogus'"},
  };
  for (const auto& c : cases) run_parse_case(parse_migration_uri, c);
}

TEST_CASE("migration URIs: warnings and hints") {
  {
    Parsed p = parse_migration_uri("exec:gzip -c > x.gz", Target::newest(), test_schema());
    REQUIRE(p.diags.warnings.size() == 1);
    CHECK(p.diags.warnings[0].message.find("/bin/sh -c") != std::string::npos);
  }
  {
    // RDMA is deprecated since 9.1: version-aware.
    CHECK(parse_migration_uri("rdma:h:1", target(9, 0), test_schema()).diags.warnings.empty());
    Parsed p = parse_migration_uri("rdma:h:1", target(9, 1), test_schema());
    REQUIRE(p.diags.warnings.size() == 1);
    CHECK(p.diags.warnings[0].message ==
          "RDMA migration is deprecated and will be removed in a future release");
  }
  {
    Parsed p = parse_migration_uri("dst:4444", Target::newest(), test_schema());
    CHECK(p.diags.errors[0].hint.find("tcp:host:port") != std::string::npos);
    CHECK(p.diags.errors[0].hint.find("file:") != std::string::npos);
  }
  {
    Parsed p = parse_migration_uri("file:/x", target(8, 1), test_schema());
    CHECK(p.diags.errors[0].hint.find("needs QEMU 8.2") != std::string::npos);
  }
  {
    // Ignored legacy options pass their warnings through.
    Parsed p = parse_migration_uri("tcp:h:1,user-timout=5000", target(7, 2), test_schema());
    REQUIRE(p.ok());
    CHECK(p.diags.warnings.size() == 1);
  }
}
