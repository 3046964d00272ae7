// Hostile inputs for every legacy parser: no crash, no hang, an answer.
#include <doctest/doctest.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "tests/uri/inet_schema_fixture.h"
#include "uri/chardev_opts.h"
#include "uri/inet_parse.h"
#include "uri/migration_uri.h"
#include "uri/qemu_opts.h"
#include "uri/socket_uri.h"

using namespace qsock::uri;
using namespace qsock::schema;
using namespace std::string_literals;

namespace {

using Parser = std::function<Parsed(std::string_view, const Target&, const Schema&)>;

std::vector<std::pair<const char*, Parser>> parsers() {
  return {{"inet", parse_inet},
          {"socket", parse_socket_address},
          {"migration", parse_migration_uri},
          {"chardev", parse_chardev}};
}

std::vector<std::string> hostile_inputs() {
  std::string many_options = "socket,id=c0,host=h,port=1";
  std::string many_inet = "h:1";
  for (int i = 0; i < 10000; ++i) {
    many_options += ",to=" + std::to_string(i);
    many_inet += ",ipv4=on";
  }
  return {
      ""s,
      std::string(1 << 20, 'a'),
      "tcp:" + std::string(1 << 20, ':'),
      "tcp:" + std::string(1 << 20, ','),
      "h:1" + std::string(1 << 20, ','),
      "vsock:" + std::string(1 << 20, '9'),
      "h:1\0,ipv4"s,
      "\0"s,
      "tcp:\xff\xfe:\xc3\x28,\x80=\xbf"s,
      "socket,id=c0,path=\xed\xa0\x80"s,
      many_options,
      many_inet,
      "tcp:" + many_inet,
      "[" + std::string(100000, '[') + "]:1",
      std::string(100000, '='),
  };
}

}  // namespace

TEST_CASE("legacy parsers survive hostile input in bounded time") {
  const Schema schema = qsock::uri::testing::inet_schema();
  const Target targets[] = {Target::newest(), Target::release({7, 2}), Target::release({10, 1})};
  auto start = std::chrono::steady_clock::now();
  for (const auto& input : hostile_inputs()) {
    for (const auto& [name, parse] : parsers()) {
      for (const Target& t : targets) {
        const auto& name_case = name;  // clang 14 cannot capture a structured binding
        CAPTURE(name_case);
        Parsed p = parse(input, t, schema);
        // Either a value or at least one error, never both missing.
        CHECK((p.ok() || !p.diags.errors.empty()));
        if (!p.diags.ok()) CHECK(p.value.is_null());
      }
    }
  }
  auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(elapsed < std::chrono::seconds(20));
}

TEST_CASE("NUL bytes are refused by every legacy parser") {
  const Schema schema = qsock::uri::testing::inet_schema();
  for (const auto& [name, parse] : parsers()) {
    const auto& name_case = name;  // clang 14 cannot capture a structured binding
    CAPTURE(name_case);
    Parsed p = parse("tcp:h:1\0"s, Target::newest(), schema);
    REQUIRE_FALSE(p.ok());
    CHECK(p.diags.errors[0].message.find("NUL") != std::string::npos);
  }
}

TEST_CASE("10 000 options: last one wins, in linear-ish time") {
  std::string text = "h:1";
  for (int i = 0; i < 10000; ++i) text += ",to=" + std::to_string(i);
  auto list = parse_qemu_opts(text, "addr");
  REQUIRE(list);
  CHECK(list->opts.size() == 10001);
  CHECK(list->find("to")->value == "9999");
  Parsed p = parse_inet(text, Target::newest(), qsock::uri::testing::inet_schema());
  REQUIRE(p.ok());
  CHECK(p.value["to"] == 9999);
}
