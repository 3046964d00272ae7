#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "qmp/arguments.h"

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
