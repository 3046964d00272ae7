#include <doctest/doctest.h>

#include <string>

#include "tests/uri/inet_schema_fixture.h"
#include "uri/socket_uri.h"

using namespace qsock::uri;
using namespace qsock::uri::testing;
using namespace qsock::schema;

TEST_CASE("socket_parse: every form") {
  struct Case {
    const char* text;
    const char* value;  // "" when invalid
    const char* error;
  };
  const Case cases[] = {
      {"unix:/tmp/qemu.sock", R"({"type":"unix","path":"/tmp/qemu.sock"})", ""},
      {"unix:relative.sock", R"({"type":"unix","path":"relative.sock"})", ""},
      {"unix:", "", "invalid Unix socket address"},
      {"fd:3", R"({"type":"fd","str":"3"})", ""},
      {"fd:migfd", R"({"type":"fd","str":"migfd"})", ""},
      {"fd:", "", "invalid file descriptor address"},
      {"vsock:2:4444", R"({"type":"vsock","cid":"2","port":"4444"})", ""},
      {"vsock:4294967295:1", R"({"type":"vsock","cid":"4294967295","port":"1"})", ""},
      {"vsock:", "", "error parsing address ''"},
      {"vsock:2", "", "error parsing address '2'"},
      {"vsock:2:", "", "error parsing address '2:'"},
      {"vsock::4444", "", "error parsing address ':4444'"},
      {"vsock:2:4444,x=y", "", "trailing characters in address '2:4444,x=y'"},
      {"vsock:host:4444", "", "Failed to parse cid 'host'"},
      {"vsock:2:4294967296", "", "Failed to parse port '4294967296'"},
      {"tcp:localhost:4444", R"({"type":"inet","host":"localhost","port":"4444"})", ""},
      {"tcp::4444", R"({"type":"inet","host":"","port":"4444"})", ""},
      {"tcp:[::1]:4444,ipv6=on", R"({"type":"inet","host":"::1","port":"4444","ipv6":true})", ""},
      {"localhost:4444", R"({"type":"inet","host":"localhost","port":"4444"})", ""},
      {"tcp:", "", "error parsing address ''"},
      {"tcp:localhost", "", "error parsing address 'localhost'"},
      {"", "", "error parsing address ''"},
  };
  for (const auto& c : cases) {
    std::string text = c.text;
    CAPTURE(text);
    check_parsed(parse_socket_address(c.text, Target::newest(), test_schema()), c.value, c.error);
  }
}

TEST_CASE("socket_parse: details QEMU leaves to the user") {
  {
    // The whole rest is the path, commas included.
    Parsed p = parse_socket_address("unix:/tmp/a,server=on", Target::newest(), test_schema());
    REQUIRE(p.ok());
    CHECK(p.value["path"] == "/tmp/a,server=on");
    CHECK(p.diags.warnings.size() == 1);
  }
  {
    // Prefixes are case-sensitive: "UNIX:" is a host name.
    Parsed p = parse_socket_address("UNIX:/tmp/x", Target::newest(), test_schema());
    REQUIRE(p.ok());
    CHECK(p.value["host"] == "UNIX");
    REQUIRE(p.diags.warnings.size() == 1);
    CHECK(p.diags.warnings[0].hint.find("lower case") != std::string::npos);
  }
  {
    Parsed p = parse_socket_address("vsock:2:4444,x", Target::newest(), test_schema());
    CHECK(p.diags.errors[0].key == "addr");
  }
  {
    // tcp: follows the target's inet_parse generation.
    Parsed old = parse_socket_address("tcp:h:1,numeric=on", target(7, 2), test_schema());
    REQUIRE(old.ok());
    CHECK_FALSE(old.value.contains("numeric"));
    CHECK(old.diags.warnings.size() == 1);
    Parsed now = parse_socket_address("tcp:h:1,numeric=on", target(10, 1), test_schema());
    REQUIRE(now.ok());
    CHECK(now.value["numeric"] == true);
  }
}
