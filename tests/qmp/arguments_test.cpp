#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "qmp/arguments.h"
#include "qmp/fixtures.h"

using namespace qsock;
using namespace qsock::qmp;

namespace {
Json build(std::vector<std::string> args, const ValueTyper& typer = {}) {
  auto r = build_arguments(args, typer);
  REQUIRE_MESSAGE(r.has_value(), r.error().message);
  return *r;
}
std::string error_of(std::vector<std::string> args) {
  auto r = build_arguments(args);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().kind == ErrorKind::invalid);
  return r.error().message;
}
}  // namespace

TEST_CASE("type_by_simple_rules") {
  struct Case {
    const char* text;
    const char* json;
  };
  Case cases[] = {
      {"4444", "4444"},
      {"-1", "-1"},
      {"1.5", "1.5"},
      {"true", "true"},
      {"false", "false"},
      {"on", "\"on\""},
      {"0123", "\"0123\""},
      {"\"4444\"", "\"4444\""},
      {"localhost", "\"localhost\""},
      {"", "\"\""},
      {"null", "\"null\""},
      {"[1]", "\"[1]\""},
      {"1.2.3.4", "\"1.2.3.4\""},
      {"::1", "\"::1\""},
      {"\"unterminated", "\"\\\"unterminated\""},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    CHECK(type_by_simple_rules(c.text).dump() == c.json);
  }
}

TEST_CASE("build_arguments: none, JSON object, key=value") {
  CHECK(build({}).dump() == "{}");
  CHECK(build({R"({"fdname": "mig", "n": 1})"}).dump() == R"({"fdname":"mig","n":1})");
  CHECK(build({"  {\"a\": {}}"}).dump() == R"({"a":{}})");
  CHECK(build({"fdname=mig"}).dump() == R"({"fdname":"mig"})");
  CHECK(build({"a=1", "b=x=y"}).dump() == R"({"a":1,"b":"x=y"})");
}

TEST_CASE("build_arguments: dotted keys build nested objects") {
  CHECK(build({"addr.type=inet", "addr.host=::1", "addr.port=\"4444\"", "id=n0"}).dump() ==
        R"({"addr":{"type":"inet","host":"::1","port":"4444"},"id":"n0"})");
  CHECK(build({"a.b.c=true"}).dump() == R"({"a":{"b":{"c":true}}})");
}

TEST_CASE("build_arguments: refusals name the argument") {
  CHECK(error_of({"{bad"}) == "arguments '{bad' are not a valid JSON object");
  CHECK(error_of({"[1]"}) == "argument '[1]' is not key=value (or give one JSON object)");
  CHECK(error_of({"a=1", "{}"}) ==
        "give JSON arguments as a single object, not mixed with key=value pairs");
  CHECK(error_of({"fdname"}) == "argument 'fdname' is not key=value (or give one JSON object)");
  CHECK(error_of({"a=1", "a=2"}) == "argument 'a=2': 'a' is given twice");
  CHECK(error_of({"a=1", "a.b=2"}) ==
        "argument 'a.b=2': 'a' already has a value, it cannot also have members");
  CHECK(error_of({"a.b=1", "a=2"}) ==
        "argument 'a=2': 'a' already has members, it cannot also have a value");
  CHECK(error_of({"a..b=1"}) == "argument 'a..b=1': empty key part");
  CHECK(error_of({"=1"}) == "argument '=1': empty key part");
}

TEST_CASE("build_arguments: a typer decides first, nullopt falls back") {
  std::vector<std::vector<std::string>> seen;
  ValueTyper as_string_port = [&](const std::vector<std::string>& path,
                                  std::string_view text) -> Result<std::optional<Json>> {
    seen.push_back(path);
    if (path.back() == "port") return std::optional<Json>(std::string(text));
    if (path.back() == "bad") return fail(ErrorKind::invalid, "'bad' expects an integer");
    return std::optional<Json>();
  };
  CHECK(build({"addr.port=4444", "n=5"}, as_string_port).dump() ==
        R"({"addr":{"port":"4444"},"n":5})");
  CHECK(seen == std::vector<std::vector<std::string>>{{"addr", "port"}, {"n"}});
  std::vector<std::string> bad = {"bad=x"};
  auto r = build_arguments(bad, as_string_port);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message == "'bad' expects an integer");
}

// Typing key=value pairs by a live QEMU's schema (Debian 12's 7.2.22).
namespace {
Json typed(const char* command, std::vector<std::string> args) {
  auto typer = schema_typer(test::qemu72_schema(), command, args);
  REQUIRE_MESSAGE(typer.has_value(), typer.error().message);
  return build(args, *typer);
}
std::string typed_error(const char* command, std::vector<std::string> args) {
  auto typer = schema_typer(test::qemu72_schema(), command, args);
  if (!typer) return typer.error().message;
  auto r = build_arguments(args, *typer);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().kind == ErrorKind::invalid);
  return r.error().message;
}
}  // namespace

TEST_CASE("schema_typer: a str member stays a string, digits too") {
  CHECK(typed("human-monitor-command", {"command-line=123"}).dump() ==
        R"({"command-line":"123"})");
  CHECK(typed("human-monitor-command", {"command-line=info status", "cpu-index=0"}).dump() ==
        R"({"command-line":"info status","cpu-index":0})");
  // The qmp-shell case: a port is a string in SocketAddress.
  CHECK(typed("nbd-server-start", {"addr.type=inet", "addr.data.host=::1", "addr.data.port=4444"})
            .dump() == R"({"addr":{"type":"inet","data":{"host":"::1","port":"4444"}}})");
}

TEST_CASE("schema_typer: integers, booleans, enums") {
  CHECK(typed("set_link", {"name=n0", "up=off"}).dump() == R"({"name":"n0","up":false})");
  CHECK(typed("set_link", {"name=n0", "up=yes"}).dump() == R"({"name":"n0","up":true})");
  CHECK(typed("migrate-set-parameters", {"downtime-limit=0x10"}).dump() ==
        R"({"downtime-limit":16})");
  CHECK(typed("migrate-set-parameters", {"tls-creds=null"}).dump() == R"({"tls-creds":null})");
  CHECK(typed("migrate-set-parameters", {"tls-creds=tls0"}).dump() == R"({"tls-creds":"tls0"})");
  CHECK(typed_error("set_link", {"name=n0", "up=maybe"}) ==
        "argument 'up=maybe': 'up' must be a boolean, not 'maybe'");
  CHECK(typed_error("migrate-set-parameters", {"downtime-limit=soon"}) ==
        "argument 'downtime-limit=soon': 'downtime-limit' must be an integer, not 'soon'");
  CHECK(typed_error("nbd-server-start", {"addr.type=inett"}) ==
        "argument 'addr.type=inett': 'addr.type' must be one of 'inet', 'unix', 'vsock', 'fd', "
        "not 'inett' (did you mean 'inet'?)");
}

TEST_CASE("schema_typer: unions by their discriminator, lists by index") {
  // netdev_add is boxed over the Netdev union: `type` picks the branch.
  CHECK(typed("netdev_add", {"id=n0", "type=stream", "server=off", "addr.type=inet",
                             "addr.host=localhost", "addr.port=4444", "addr.keep-alive=on"})
            .dump() == R"({"id":"n0","type":"stream","server":false,"addr":{"type":"inet",)"
                       R"("host":"localhost","port":"4444","keep-alive":true}})");
  CHECK(typed("migrate-set-capabilities",
              {"capabilities.0.capability=events", "capabilities.0.state=on",
               "capabilities.1.capability=xbzrle", "capabilities.1.state=false"})
            .dump() == R"({"capabilities":[{"capability":"events","state":true},)"
                       R"({"capability":"xbzrle","state":false}]})");
  CHECK(typed("send-key", {"keys.0.type=qcode", "keys.0.data=ctrl", "keys.1.type=number",
                           "keys.1.data=29"})
            .dump() ==
        R"({"keys":[{"type":"qcode","data":"ctrl"},{"type":"number","data":29}]})");
  CHECK(typed_error("send-key", {"keys.type=qcode"}) ==
        "argument 'keys.type=qcode': 'keys' is a list: give its elements as keys.0, keys.1, ...");
}

TEST_CASE("schema_typer: unknown keys and commands, with did you mean") {
  CHECK(typed_error("netdev_add", {"id=n0", "type=stream", "addr.type=inet", "addr.portt=1"}) ==
        "argument 'addr.portt=1': 'addr' has no member 'portt' (did you mean 'port'?)");
  CHECK(typed_error("netdev_add", {"id=n0", "type=stream", "addr.type=inet",
                                   "addr.keep-alive-count=3"}) ==
        "argument 'addr.keep-alive-count=3': 'addr' has no member 'keep-alive-count'");
  CHECK(typed_error("set_link", {"nam=n0"}) ==
        "argument 'nam=n0': set_link has no argument 'nam' (did you mean 'name'?)");
  CHECK(typed_error("query-status", {"x=1"}) ==
        "argument 'x=1': query-status has no argument 'x'");
  CHECK(typed_error("query-statuss", {"x=1"}) ==
        "QEMU 7.2.22 has no command 'query-statuss' (did you mean 'query-status'?)");
  CHECK(typed_error("set_link", {"name.x=1"}) ==
        "argument 'name.x=1': 'name' is a string, it has no member 'x'");
}
