#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "schema/qapi_reader.h"
#include "schema/validator.h"
#include "uri/check.h"
#include "uri/keyval.h"

using namespace qsock;
using namespace qsock::uri;
using namespace qsock::schema;

namespace {

// A small schema in the QAPI language, so each case reads as a specification.
const char* const test_qapi = R"(
{ 'enum': 'AddrType', 'data': [ 'inet', 'unix', 'vsock' ] }
##
# @Inet:
# @host: host
# @port: port
# @to: upper port (since 1.3)
# @keep-alive: keep-alive (since 4.2)
# @keep-alive-count: probes (since 10.1)
# @user-timeout: ms (proposed)
# Since: 1.3
##
{ 'struct': 'Inet', 'data': { 'host': 'str', 'port': 'str', '*to': 'uint16',
  '*keep-alive': 'bool', '*keep-alive-count': 'uint32', '*user-timeout': 'uint32' } }
{ 'struct': 'Unix', 'data': { 'path': 'str' } }
{ 'struct': 'Vsock', 'data': { 'cid': 'str', 'port': 'str' } }
{ 'union': 'Addr', 'base': { 'type': 'AddrType' }, 'discriminator': 'type',
  'data': { 'inet': 'Inet', 'unix': 'Unix', 'vsock': 'Vsock' } }
##
# @Stream:
# @reconnect: seconds (since 8.0) (removed in 10.2)
# @reconnect-ms: ms (since 9.2)
# Since: 7.2
##
{ 'struct': 'Stream', 'data': { 'addr': 'Addr', '*server': 'bool', '*reconnect': 'int',
  '*reconnect-ms': 'int', '*size': 'size', '*list': ['int'], '*ratio': 'number' } }
)";

const Schema& test_schema() {
  static const Schema s = [] {
    Schema out;
    auto ok = read_qapi("test.json", test_qapi, out);
    REQUIRE_MESSAGE(ok.has_value(), "test schema must load");
    return out;
  }();
  return s;
}

Validated keyval(const std::string& text, const Target& target = Target::newest()) {
  auto kv = parse_keyval(text, "", KeyvalHelp::refused);
  REQUIRE_MESSAGE(kv.has_value(), text);
  return validate(test_schema(), kv->tree, "Stream", InputMode::keyval, target);
}

Validated json(const std::string& text, const Target& target = Target::newest()) {
  return validate(test_schema(), Json::parse(text), "Stream", InputMode::json, target);
}

std::string first_error(const Validated& v) {
  return v.diags.errors.empty() ? std::string("(none)") : v.diags.errors.front().message;
}

const Target target_72 = Target::release({7, 2});

}  // namespace

TEST_CASE("keyval scalars convert as QEMU's keyval visitor converts them") {
  struct Case {
    std::string input;
    std::string value;  // typed value as JSON, or "" when invalid
    std::string error;
  };
  const std::string base = "addr.type=inet,addr.host=h,addr.port=1,";
  const std::vector<Case> cases = {
      {"server=on", "true", ""},
      {"server=yes", "true", ""},
      {"server=true", "true", ""},
      {"server=y", "true", ""},
      {"server=off", "false", ""},
      {"server=no", "false", ""},
      {"server=false", "false", ""},
      {"server=n", "false", ""},
      {"server=offer", "", "Parameter 'server' expects 'on' or 'off'"},
      {"server=", "", "Parameter 'server' expects 'on' or 'off'"},
      {"addr.to=0", "0", ""},
      {"addr.to=65535", "65535", ""},
      {"addr.to=0x2a", "42", ""},
      {"addr.to=052", "42", ""},
      {"addr.to=08", "", "Parameter 'addr.to' expects integer"},
      {"addr.to=3.14", "", "Parameter 'addr.to' expects integer"},
      {"addr.to=65536", "", "Parameter 'addr.to' expects uint16"},
      {"addr.to=-1", "", "Parameter 'addr.to' expects uint16"},
      {"addr.to=", "", "Parameter 'addr.to' expects integer"},
      {"addr.keep-alive-count=4294967295", "4294967295", ""},
      {"addr.keep-alive-count=4294967296", "", "Parameter 'addr.keep-alive-count' expects uint32"},
      {"reconnect-ms=-5", "-5", ""},
      {"reconnect-ms=9223372036854775808", "", "Parameter 'reconnect-ms' expects integer"},
      {"size=8b", "8", ""},
      {"size=1.5k", "1536", ""},
      {"size=2M", "2097152", ""},
      {"size=0.1G", "107374182", ""},
      {"size=16777215T", "18446742974197923840", ""},
      {"size=16777216T", "", "Parameter 'size' expects size"},
      {"size=-1", "", "Parameter 'size' expects size"},
      {"size=0Z", "", "Parameter 'size' expects size"},
      {"size=16Gi", "", "Parameter 'size' expects size"},
      {"size=9007199254740993", "9007199254740993", ""},
      // qemu_strtosz's grammar, as QemuOpts sizes: decimal first, bare hex.
      {"size=010", "10", ""},
      {"size=0x20", "32", ""},
      {"size=0x20M", "", "Parameter 'size' expects size"},
      {"ratio=0.5", "0.5", ""},
      {"ratio=x", "", "Parameter 'ratio' expects number"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.input);
    Validated v = keyval(base + c.input);
    std::string key = c.input.substr(0, c.input.find('='));
    if (c.error.empty()) {
      REQUIRE(v.diags.ok());
      const Json* at = &v.value;
      std::size_t dot = key.find('.');
      if (dot != std::string::npos) at = &(*at)[key.substr(0, dot)], key = key.substr(dot + 1);
      CHECK((*at)[key].dump() == c.value);
    } else {
      CHECK(first_error(v) == c.error);
      CHECK(v.value.is_null());
    }
  }
}

TEST_CASE("structure errors use QEMU's words and give hints QEMU does not") {
  struct Case {
    std::string input;
    std::string error;
    std::string hint_part;
  };
  const std::vector<Case> cases = {
      {"addr.type=inet,addr.host=h", "Parameter 'addr.port' is missing", ""},
      {"addr.host=h,addr.port=1", "Parameter 'addr.type' is missing", "one of: inet, unix, vsock"},
      {"server=on", "Parameter 'addr' is missing", ""},
      {"addr.type=inet,addr.host=h,addr.port=1,keep-alive=on",
       "Parameter 'keep-alive' is unexpected", "write addr.keep-alive"},
      {"addr.type=inet,addr.host=h,addr.port=1,addr.kep-alive=on",
       "Parameter 'addr.kep-alive' is unexpected", "did you mean 'addr.keep-alive'?"},
      {"addr.type=inet,addr.host=h,addr.port=1,sever=on", "Parameter 'sever' is unexpected",
       "did you mean 'server'?"},
      {"addr.type=tcp,addr.host=h,addr.port=1", "Parameter 'addr.type' does not accept value 'tcp'",
       "one of: inet, unix, vsock"},
      {"addr.type=unx,addr.path=/p", "Parameter 'addr.type' does not accept value 'unx'",
       "did you mean 'unix'?"},
      {"addr.type=unix,addr.path=/p,server.x=1", "Parameters 'server.*' are unexpected", ""},
      {"addr=x", "Invalid parameter type for 'addr', expected: object", ""},
      {"addr.type=unix,addr.path=/p,list.0=1,list.1=x", "Parameter 'list.1' expects integer", ""},
  };
  for (const Case& c : cases) {
    CAPTURE(c.input);
    Validated v = keyval(c.input);
    REQUIRE_FALSE(v.diags.ok());
    CHECK(first_error(v) == c.error);
    if (!c.hint_part.empty())
      CHECK(v.diags.errors.front().hint.find(c.hint_part) != std::string::npos);
  }
}

TEST_CASE("every problem in one input is reported, not just the first") {
  Validated v = keyval("addr.type=inet,addr.host=h,server=maybe,addr.to=x,bogus=1");
  // In schema order, as QEMU visits: addr (port, to), server, then leftovers.
  REQUIRE(v.diags.errors.size() == 4);
  CHECK(v.diags.errors[0].message == "Parameter 'addr.port' is missing");
  CHECK(v.diags.errors[1].message == "Parameter 'addr.to' expects integer");
  CHECK(v.diags.errors[2].message == "Parameter 'server' expects 'on' or 'off'");
  CHECK(v.diags.errors[3].message == "Parameter 'bogus' is unexpected");
}

TEST_CASE("members are checked against the chosen release") {
  const std::string base = "addr.type=inet,addr.host=h,addr.port=1,";
  SUBCASE("newer than the release") {
    Validated v = keyval(base + "addr.keep-alive=on,addr.keep-alive-count=5", target_72);
    REQUIRE(v.diags.errors.size() == 1);
    CHECK(v.diags.errors[0].message == "Parameter 'addr.keep-alive-count' is unexpected");
    CHECK(v.diags.errors[0].hint.find("needs QEMU 10.1 or newer") != std::string::npos);
    CHECK(keyval(base + "addr.keep-alive-count=5", Target::release({10, 1})).diags.ok());
  }
  SUBCASE("proposed: accepted and flagged by default, refused by a named release") {
    Validated v = keyval(base + "addr.user-timeout=30000");
    CHECK(v.diags.ok());
    REQUIRE(v.diags.warnings.size() == 1);
    CHECK(v.diags.warnings[0].message.find("proposed") != std::string::npos);
    CHECK(v.value["addr"]["user-timeout"] == 30000);
    Validated named = keyval(base + "addr.user-timeout=30000", Target::release({10, 2}));
    REQUIRE_FALSE(named.diags.ok());
    CHECK(named.diags.errors[0].hint.find("no released QEMU") != std::string::npos);
  }
  SUBCASE("removed in a release") {
    CHECK(keyval(base + "reconnect=5", Target::release({10, 1})).diags.ok());
    Validated v = keyval(base + "reconnect=5", Target::release({10, 2}));
    REQUIRE_FALSE(v.diags.ok());
    CHECK(v.diags.errors[0].hint.find("removed in QEMU 10.2") != std::string::npos);
    CHECK_FALSE(keyval(base + "reconnect=5", target_72).diags.ok());  // since 8.0
  }
}

TEST_CASE("JSON input must have JSON types") {
  struct Case {
    std::string input;
    std::string error;
  };
  const std::vector<Case> cases = {
      {R"({"addr":{"type":"inet","host":"h","port":"1"},"server":true})", ""},
      {R"({"addr":{"type":"inet","host":"h","port":1}})",
       "Invalid parameter type for 'addr.port', expected: string"},
      {R"({"addr":{"type":"inet","host":"h","port":"1"},"server":"on"})",
       "Invalid parameter type for 'server', expected: boolean"},
      {R"({"addr":{"type":"inet","host":"h","port":"1","to":"5"}})",
       "Invalid parameter type for 'addr.to', expected: integer"},
      {R"({"addr":{"type":"inet","host":"h","port":"1","to":70000}})",
       "Parameter 'addr.to' expects uint16"},
      {R"({"addr":{"type":"inet","host":"h","port":"1","keep-alive-count":-1}})",
       "Parameter 'addr.keep-alive-count' expects uint64"},
      {R"({"addr":{"type":"unix","path":"/p"},"list":[1,"x"]})",
       "Invalid parameter type for 'list[1]', expected: integer"},
      {R"({"addr":{"type":"unix","path":"/p"},"size":1.5})",
       "Invalid parameter type for 'size', expected: integer"},
      {R"([1])", "Invalid parameter type for '<anonymous>', expected: object"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.input);
    Validated v = json(c.input);
    if (c.error.empty())
      CHECK(v.diags.ok());
    else
      CHECK(first_error(v) == c.error);
  }
}

TEST_CASE("the typed value follows the schema's member order") {
  Validated v = keyval("server=on,addr.port=1,addr.keep-alive=on,addr.host=h,addr.type=inet");
  REQUIRE(v.diags.ok());
  CHECK(v.value.dump() ==
        R"({"addr":{"type":"inet","host":"h","port":"1","keep-alive":true},"server":true})");
}

TEST_CASE("keyval scalar helpers") {
  CHECK(keyval_uint64("-1") == UINT64_MAX);
  CHECK(keyval_uint64("18446744073709551615") == UINT64_MAX);
  CHECK_FALSE(keyval_uint64("18446744073709551616").has_value());
  CHECK_FALSE(keyval_uint64("-18446744073709551616").has_value());
  CHECK_FALSE(keyval_uint64(std::string_view("1\0"
                                             "2",
                                             3))
                  .has_value());
  CHECK(keyval_size("18446744073709551615") == UINT64_MAX);
  CHECK(keyval_size("9223372036854775807") == 9223372036854775807ULL);
  CHECK(keyval_size("9223372036854775809") == 9223372036854775809ULL);
}
