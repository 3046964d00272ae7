// A hand-built InetSocketAddress for the legacy-parser tests, members and
// Since exactly as qapi/sockets.json has them (plus the proposed
// user-timeout), so these tests do not depend on the embedded schema; and
// the one runner for their tables of inputs.
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "schema/model.h"
#include "schema/versions.h"
#include "uri/parsed.h"

namespace qsock::uri::testing {

inline schema::Member inet_member(std::string name, std::string type, schema::Availability avail,
                                  std::string condition = {}) {
  schema::Member m;
  m.name = std::move(name);
  m.type = std::move(type);
  m.optional = true;
  m.avail = avail;
  m.condition = std::move(condition);
  return m;
}

inline schema::Schema inet_schema() {
  schema::Schema schema;
  schema.origin = "test fixture";

  schema::TypeDef base;
  base.name = "InetSocketAddressBase";
  base.members = {inet_member("host", "str", {}), inet_member("port", "str", {})};
  base.members[0].optional = base.members[1].optional = false;
  schema.add(base);

  auto since = [](int major, int minor) {
    return schema::Availability::released_in({major, minor});
  };
  schema::TypeDef inet;
  inet.name = "InetSocketAddress";
  inet.base = "InetSocketAddressBase";
  inet.avail = since(1, 3);
  inet.members = {
      inet_member("numeric", "bool", since(2, 9)),
      inet_member("to", "uint16", since(1, 3)),
      inet_member("ipv4", "bool", since(1, 3)),
      inet_member("ipv6", "bool", since(1, 3)),
      inet_member("keep-alive", "bool", since(4, 2)),
      inet_member("keep-alive-count", "uint32", since(10, 1), "HAVE_TCP_KEEPCNT"),
      inet_member("keep-alive-idle", "uint32", since(10, 1), "HAVE_TCP_KEEPIDLE"),
      inet_member("keep-alive-interval", "uint32", since(10, 1), "HAVE_TCP_KEEPINTVL"),
      inet_member("mptcp", "bool", since(6, 1), "HAVE_IPPROTO_MPTCP"),
      inet_member("user-timeout", "uint32", schema::Availability::proposed_only(),
                  "HAVE_TCP_USER_TIMEOUT"),
  };
  schema.add(inet);
  return schema;
}

inline schema::Target target(int major, int minor) {
  return schema::Target::release({major, minor});
}

// The fixture schema, built once per test binary.
inline const schema::Schema& cached_inet_schema() {
  static const schema::Schema s = inet_schema();
  return s;
}

// What the legacy-parser tests parse against.
inline const schema::Schema& test_schema() { return cached_inet_schema(); }

// The releases the parsers' tables name.
inline const schema::QemuVersion v72{7, 2}, v81{8, 1}, v82{8, 2}, v91{9, 1}, v92{9, 2}, v100{10, 0},
    v101{10, 1}, v102{10, 2};

// A legacy parser: parse_inet, parse_chardev, parse_socket_address, ...
using Parser = Parsed (*)(std::string_view text, const schema::Target& target,
                          const schema::Schema& schema);

// One row of a parser's table: the input, the release it is parsed for, the
// JSON it gives (or "" when invalid) and then QEMU's first error message.
struct ParseCase {
  const char* text;
  schema::QemuVersion version;
  const char* value;  // JSON, or "" when invalid
  const char* error;  // the first error message when invalid
};

// Checks what `parse` makes of one row.
inline void check_parsed(const Parsed& p, const char* value, const char* error) {
  if (*value) {
    INFO((p.diags.errors.empty() ? "" : p.diags.errors[0].message));
    REQUIRE(p.ok());
    CHECK(p.value == qsock::Json::parse(value));
  } else {
    REQUIRE_FALSE(p.ok());
    CHECK(p.value.is_null());
    REQUIRE_FALSE(p.diags.errors.empty());
    CHECK(p.diags.errors[0].message == error);
  }
}

inline void run_parse_case(Parser parse, const ParseCase& c,
                           const schema::Schema& schema = cached_inet_schema()) {
  std::string text = c.text;
  CAPTURE(text);
  CAPTURE(c.version.str());
  check_parsed(parse(c.text, schema::Target::release(c.version), schema), c.value, c.error);
}

}  // namespace qsock::uri::testing
