#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "qmp/fixtures.h"
#include "qmp/introspect.h"
#include "schema/loader.h"
#include "tests/schema/lookup.h"

using namespace qsock;
using qmp::schema_from_introspection;
using schema::Meta;
using schema::Schema;
using schema::TypeDef;
using schema::testing::member;
using schema::testing::member_names;

namespace {

Schema load(const char* text) {
  auto s = schema_from_introspection(Json::parse(text), "test");
  REQUIRE_MESSAGE(s.has_value(), s.error());
  return std::move(*s);
}

std::string load_error(const char* text) {
  auto s = schema_from_introspection(Json::parse(text), "test");
  REQUIRE_FALSE(s.has_value());
  return s.error();
}

std::vector<std::string> enum_names(const Schema& s, std::string_view type) {
  std::vector<std::string> out;
  const TypeDef* t = s.find(type);
  REQUIRE_MESSAGE(t, "no type ", type);
  for (const schema::EnumValue& v : t->values) out.push_back(v.name);
  return out;
}

using Names = std::vector<std::string>;

}  // namespace

TEST_CASE("introspect: each SchemaInfo meta-type becomes a TypeDef") {
  Schema s = load(R"([
    {"name": "str", "meta-type": "builtin", "json-type": "string"},
    {"name": "int", "meta-type": "builtin", "json-type": "int"},
    {"name": "1", "meta-type": "enum", "members": [{"name": "a"}, {"name": "b", "features": ["unstable"]}],
     "values": ["a", "b"]},
    {"name": "2", "meta-type": "enum", "values": ["old", "style"]},
    {"name": "[3]", "meta-type": "array", "element-type": "3"},
    {"name": "[[3]]", "meta-type": "array", "element-type": "[3]"},
    {"name": "3", "meta-type": "object", "features": ["deprecated"],
     "members": [{"name": "must", "type": "str"},
                 {"name": "may", "type": "int", "default": null, "features": ["unstable"]},
                 {"name": "list", "type": "[3]", "default": null},
                 {"name": "lists", "type": "[[3]]", "default": null}]},
    {"name": "4", "meta-type": "object", "tag": "kind",
     "members": [{"name": "kind", "type": "1"}, {"name": "id", "type": "str"}],
     "variants": [{"case": "a", "type": "3"}, {"case": "b", "type": "5"}]},
    {"name": "5", "meta-type": "alternate", "members": [{"type": "str"}, {"type": "3"}]},
    {"name": "do-it", "meta-type": "command", "arg-type": "4", "ret-type": "[3]", "allow-oob": true},
    {"name": "quiet", "meta-type": "command", "arg-type": "3", "ret-type": "str"},
    {"name": "HAPPENED", "meta-type": "event", "arg-type": "3"},
    {"name": "BARE", "meta-type": "event"}
  ])");
  CHECK(s.origin == "test");
  CHECK_FALSE(s.versioned);

  const TypeDef* str = s.find("str");
  REQUIRE(str);
  CHECK(str->meta == Meta::builtin);
  CHECK(str->builtin == "str");

  const TypeDef* e1 = s.find("1");
  REQUIRE(e1);
  CHECK(e1->meta == Meta::enumeration);
  CHECK(enum_names(s, "1") == Names{"a", "b"});
  CHECK(e1->values[1].features == Names{"unstable"});
  CHECK(enum_names(s, "2") == Names{"old", "style"});  // before 6.2: values only

  const TypeDef* obj = s.find("3");
  REQUIRE(obj);
  CHECK(obj->features == Names{"deprecated"});
  CHECK(member_names(s, "3") == Names{"must", "may", "list", "lists"});
  CHECK_FALSE(member(s, "3", "must").optional);
  CHECK(member(s, "3", "may").optional);  // "default": null means optional
  CHECK(member(s, "3", "may").features == Names{"unstable"});
  CHECK(member(s, "3", "list").type == "[3]");
  CHECK(member(s, "3", "lists").type == "[[3]]");

  const TypeDef* u = s.find("4");
  REQUIRE(u);
  CHECK(u->discriminator == "kind");
  CHECK(member_names(s, "4") == Names{"kind", "id"});
  REQUIRE(u->variants.size() == 2);
  CHECK(u->variants[1].value == "b");
  CHECK(u->variants[1].type == "5");
  CHECK(s.variant_type(*u, "a") == obj);

  const TypeDef* alt = s.find("5");
  REQUIRE(alt);
  CHECK(alt->meta == Meta::alternate);
  CHECK(alt->alternatives == Names{"str", "3"});

  const TypeDef* cmd = s.find("do-it");
  REQUIRE(cmd);
  CHECK(cmd->meta == Meta::command);
  CHECK(cmd->arg_type == "4");
  CHECK(cmd->ret_type == "[3]");
  CHECK(cmd->allow_oob);
  CHECK_FALSE(cmd->boxed);  // not in introspection
  CHECK_FALSE(s.find("quiet")->allow_oob);

  CHECK(s.find("HAPPENED")->meta == Meta::event);
  CHECK(s.find("HAPPENED")->arg_type == "3");
  CHECK(s.find("BARE")->arg_type.empty());
}

TEST_CASE("introspect: a list is spelled [element] whatever QEMU calls the array type") {
  Schema s = load(R"([
    {"name": "x9", "meta-type": "array", "element-type": "str"},
    {"name": "1", "meta-type": "object", "members": [{"name": "names", "type": "x9"}]}
  ])");
  CHECK(member(s, "1", "names").type == "[str]");
}

TEST_CASE("introspect: a newer QEMU's additions are skipped, not refused") {
  Schema s = load(R"([
    {"name": "1", "meta-type": "object", "members": [{"name": "a", "type": "str", "future": 1}],
     "future-key": true},
    {"name": "2", "meta-type": "hologram", "shape": "round"}
  ])");
  CHECK(member_names(s, "1") == Names{"a"});
  CHECK(s.find("2") == nullptr);
}

TEST_CASE("introspect: malformed input names the entry") {
  struct Case {
    const char* input;
    const char* error;
  };
  const Case cases[] = {
      {R"({"name": "x"})", "query-qmp-schema: expected a list of SchemaInfo"},
      {R"([1])", "query-qmp-schema: entry 0: not an object"},
      {R"([{"meta-type": "enum"}])", "query-qmp-schema: entry 0: no \"name\""},
      {R"([{"name": "str", "meta-type": "builtin"}, {"name": "7"}])",
       "query-qmp-schema: entry 1 (\"7\"): no \"meta-type\""},
      {R"([{"name": "7", "meta-type": "object", "members": {}}])",
       "query-qmp-schema: entry 0 (\"7\"): \"members\" is not a list"},
      {R"([{"name": "7", "meta-type": "object", "members": [{"name": "a"}]}])",
       "query-qmp-schema: entry 0 (\"7\"): no \"type\""},
      {R"([{"name": "7", "meta-type": "enum", "values": ["a", 2]}])",
       "query-qmp-schema: entry 0 (\"7\"): \"values\" holds a non-string"},
      {R"([{"name": "c", "meta-type": "command", "arg-type": "0"}])",
       "query-qmp-schema: entry 0 (\"c\"): no \"ret-type\""},
      {R"([{"name": "c", "meta-type": "command", "arg-type": "0", "ret-type": "0",
            "allow-oob": "yes"}])",
       "query-qmp-schema: entry 0 (\"c\"): \"allow-oob\" is not a boolean"},
      {R"([{"name": "7", "meta-type": "object", "members": [], "features": "x"}])",
       "query-qmp-schema: entry 0 (\"7\"): \"features\" is not a list"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.input);
    CHECK(load_error(c.input) == c.error);
  }
}

TEST_CASE("introspect: masked names are resolved along the routes from commands") {
  // migrate -> channels[] -> addr -> socket -> inet, as in QEMU 8.1 and later.
  Schema s = load(R"([
    {"name": "str", "meta-type": "builtin", "json-type": "string"},
    {"name": "migrate", "meta-type": "command", "arg-type": "1", "ret-type": "0"},
    {"name": "0", "meta-type": "object", "members": []},
    {"name": "1", "meta-type": "object",
     "members": [{"name": "uri", "type": "str", "default": null},
                 {"name": "channels", "type": "[2]", "default": null}]},
    {"name": "[2]", "meta-type": "array", "element-type": "2"},
    {"name": "2", "meta-type": "object",
     "members": [{"name": "channel-type", "type": "3"}, {"name": "addr", "type": "4"}]},
    {"name": "3", "meta-type": "enum", "members": [{"name": "main"}]},
    {"name": "4", "meta-type": "object", "tag": "transport",
     "members": [{"name": "transport", "type": "5"}],
     "variants": [{"case": "socket", "type": "6"}]},
    {"name": "5", "meta-type": "enum", "members": [{"name": "socket"}]},
    {"name": "6", "meta-type": "object", "tag": "type",
     "members": [{"name": "type", "type": "7"}],
     "variants": [{"case": "inet", "type": "8"}, {"case": "unix", "type": "9"}]},
    {"name": "7", "meta-type": "enum", "members": [{"name": "inet"}, {"name": "unix"}]},
    {"name": "8", "meta-type": "object",
     "members": [{"name": "host", "type": "str"}, {"name": "port", "type": "str"}]},
    {"name": "9", "meta-type": "object", "members": [{"name": "path", "type": "str"}]},
    {"name": "10", "meta-type": "object", "members": [{"name": "nobody", "type": "str"}]}
  ])");
  CHECK(s.find("migrate")->arg_type == "1");  // an implicit argument type has no QAPI name
  CHECK(member(s, "1", "channels").type == "[MigrationChannel]");
  CHECK(member(s, "MigrationChannel", "channel-type").type == "MigrationChannelType");
  CHECK(member(s, "MigrationChannel", "addr").type == "MigrationAddress");
  CHECK(s.find("MigrationAddress")->discriminator == "transport");
  CHECK(member(s, "MigrationAddress", "transport").type == "MigrationAddressType");
  CHECK(s.find("MigrationAddress")->variants[0].type == "SocketAddress");
  CHECK(member(s, "SocketAddress", "type").type == "SocketAddressType");
  CHECK(member_names(s, "InetSocketAddress") == Names{"host", "port"});
  CHECK(member_names(s, "UnixSocketAddress") == Names{"path"});
  // Renamed types are gone under their masked names; unreached ones keep them.
  CHECK(s.find("8") == nullptr);
  CHECK(member_names(s, "10") == Names{"nobody"});
}

TEST_CASE("introspect: when two routes reach one type, the earlier route names it") {
  // migrate-set-parameters boxed over MigrationParameters (11.0 development).
  Schema s = load(R"([
    {"name": "str", "meta-type": "builtin", "json-type": "string"},
    {"name": "0", "meta-type": "object", "members": []},
    {"name": "query-migrate-parameters", "meta-type": "command", "arg-type": "0", "ret-type": "1"},
    {"name": "migrate-set-parameters", "meta-type": "command", "arg-type": "1", "ret-type": "0"},
    {"name": "1", "meta-type": "object", "members": [{"name": "tls-creds", "type": "str", "default": null}]}
  ])");
  CHECK(s.find("MigrationParameters") != nullptr);
  CHECK(s.find("MigrateSetParameters") == nullptr);
  CHECK(s.find("migrate-set-parameters")->arg_type == "MigrationParameters");
}

TEST_CASE("introspect: every route names a type, and routes agree with each other") {
  // A route whose path reaches a builtin or nothing is simply not applied;
  // what must not happen is one name in two rows naming different shapes.
  for (const qmp::NameRoute& r : qmp::name_routes()) {
    CAPTURE(r.entity);
    CAPTURE(r.path);
    CHECK(!r.name.empty());
    CHECK(r.path.find("//") == std::string_view::npos);
    CHECK((r.path.empty() || (r.path.front() != '/' && r.path.back() != '/')));
  }
}

TEST_CASE("introspect: QEMU 7.2.22's schema") {
  const Schema& s = test::qemu72_schema();
  CHECK(s.origin == "QEMU 7.2.22");
  CHECK_FALSE(s.versioned);

  SUBCASE("InetSocketAddress, reached through netdev_add's stream backend") {
    CHECK(member_names(s, "InetSocketAddress") ==
          Names{"host", "port", "numeric", "to", "ipv4", "ipv6", "keep-alive", "mptcp"});
    CHECK_FALSE(member(s, "InetSocketAddress", "host").optional);
    CHECK_FALSE(member(s, "InetSocketAddress", "port").optional);
    CHECK(member(s, "InetSocketAddress", "keep-alive").optional);
    CHECK(member(s, "InetSocketAddress", "to").type == "int");  // uint16 reads as int
    CHECK(s.member(*s.find("InetSocketAddress"), "user-timeout") == nullptr);
  }
  SUBCASE("the socket address unions") {
    const TypeDef* sa = s.find("SocketAddress");
    REQUIRE(sa);
    CHECK(sa->discriminator == "type");
    CHECK(member(s, "SocketAddress", "type").type == "SocketAddressType");
    CHECK(enum_names(s, "SocketAddressType") == Names{"inet", "unix", "vsock", "fd"});
    CHECK(s.variant_type(*sa, "inet") == s.find("InetSocketAddress"));
    CHECK(member_names(s, "UnixSocketAddress") == Names{"path", "abstract", "tight"});
    CHECK(member_names(s, "VsockSocketAddress") == Names{"cid", "port"});
    CHECK(member_names(s, "FdSocketAddress") == Names{"str"});
    const TypeDef* legacy = s.find("SocketAddressLegacy");
    REQUIRE(legacy);
    CHECK(s.variant_type(*legacy, "inet") == s.find("InetSocketAddressWrapper"));
    CHECK(member(s, "InetSocketAddressWrapper", "data").type == "InetSocketAddress");
  }
  SUBCASE("netdev_add is boxed over the Netdev union") {
    CHECK(s.find("netdev_add")->arg_type == "Netdev");
    CHECK(s.find("Netdev")->discriminator == "type");
    CHECK(member(s, "Netdev", "type").type == "NetClientDriver");
    CHECK(member(s, "NetdevStreamOptions", "addr").type == "SocketAddress");
    CHECK(member(s, "NetdevDgramOptions", "remote").type == "SocketAddress");
    CHECK(s.find("NetdevTapOptions") != nullptr);
  }
  SUBCASE("chardev-add") {
    CHECK(member(s, "ChardevSocketWrapper", "data").type == "ChardevSocket");
    CHECK(member(s, "ChardevSocket", "addr").type == "SocketAddressLegacy");
    CHECK(member(s, "ChardevSocket", "server").optional);
    CHECK(s.find("chardev-add")->ret_type == "ChardevReturn");
  }
  SUBCASE("migration") {
    CHECK(s.find("MigrationChannel") == nullptr);  // channels came in 8.1
    CHECK(member_names(s, s.find("migrate")->arg_type) ==
          Names{"uri", "blk", "inc", "detach", "resume"});
    CHECK(enum_names(s, "MigrationCapability").size() == 21);
    CHECK(member(s, s.find("migrate-set-capabilities")->arg_type, "capabilities").type ==
          "[MigrationCapabilityStatus]");
    CHECK(s.find("query-migrate-capabilities")->ret_type == "[MigrationCapabilityStatus]");
    // The schema lists 27 parameters; query-migrate-parameters returns 26
    // keys, leaving out block-bitmap-mapping until it is set.
    CHECK(member_names(s, "MigrationParameters").size() == 27);
    CHECK(s.find("migrate-set-parameters")->arg_type == "MigrateSetParameters");
    CHECK(member(s, "MigrateSetParameters", "tls-creds").type == "StrOrNull");
    CHECK(s.find("StrOrNull")->alternatives == Names{"str", "null"});
    CHECK(member(s, "MigrationParameters", "tls-creds").type == "str");
    CHECK(member(s, "MigrationParameters", "multifd-compression").type == "MultiFDCompression");
    CHECK(member(s, "MigrationParameters", "block-bitmap-mapping").type ==
          "[BitmapMigrationNodeAlias]");
    CHECK(s.find("query-migrate")->ret_type == "MigrationInfo");
    CHECK(member(s, "MigrationInfo", "status").type == "MigrationStatus");
    CHECK(member(s, "MigrationInfo", "ram").type == "MigrationStats");
    CHECK(member(s, "MigrationInfo", "socket-address").type == "[SocketAddress]");
    CHECK(s.find("MIGRATION")->meta == Meta::event);
    CHECK(member(s, s.find("MIGRATION")->arg_type, "status").type == "MigrationStatus");
    CHECK(enum_names(s, "MigrationStatus").front() == "none");
    CHECK(s.find("migrate-recover")->allow_oob);
  }
  SUBCASE("fd passing and version") {
    CHECK(s.find("getfd")->meta == Meta::command);
    CHECK(member_names(s, "AddfdInfo") == Names{"fdset-id", "fd"});
    CHECK(member_names(s, "VersionTriple") == Names{"major", "minor", "micro"});
  }
}

TEST_CASE("introspect: the proposed-features schema") {
  const Schema& s = test::proposed_schema();
  CHECK(member_names(s, "InetSocketAddress") ==
        Names{"host", "port", "numeric", "to", "ipv4", "ipv6", "keep-alive", "keep-alive-count",
              "keep-alive-idle", "keep-alive-interval", "user-timeout", "mptcp"});
  CHECK(member(s, "InetSocketAddress", "user-timeout").optional);
  // Reached both through migrate channels and netdev_add: the same type.
  const TypeDef* addr = s.find("MigrationAddress");
  REQUIRE(addr);
  CHECK(s.variant_type(*addr, "socket") == s.find("SocketAddress"));
  CHECK(s.variant_type(*addr, "rdma") == s.find("InetSocketAddress"));
  CHECK(member_names(s, "MigrationExecCommand") == Names{"args"});
  CHECK(member(s, "MigrationExecCommand", "args").type == "[str]");
  CHECK(member_names(s, "FileMigrationArgs") == Names{"filename", "offset"});
  CHECK(enum_names(s, "MigrationChannelType") == Names{"main", "cpr"});
  CHECK(member(s, "MigrationParameters", "backend-transfer").type == "[BackendTransfer]");
  CHECK(enum_names(s, "BackendTransfer") == Names{"virtio-net-tap"});
  CHECK(enum_names(s, "MigMode") == Names{"normal", "cpr-reboot", "cpr-transfer"});
  const auto caps = enum_names(s, "MigrationCapability");
  CHECK(caps.back() == "local-char-socket");
  CHECK(s.find("MigrationCapability")->values.back().features == Names{"unstable"});
}

TEST_CASE("adopt_embedded_sizes: a live int is a size where the embedded schema says so") {
  Schema s = test::qemu72_schema();
  const Schema& embedded = schema::embedded_schema();
  std::size_t changed = qmp::adopt_embedded_sizes(s, embedded);
  struct Row {
    const char* type;
    const char* member;
    const char* live;  // its type as loaded, then after adoption
    const char* adopted;
  };
  const Row rows[] = {
      {"MigrateSetParameters", "max-bandwidth", "int", "size"},
      {"MigrateSetParameters", "xbzrle-cache-size", "int", "size"},
      {"MigrateSetParameters", "max-postcopy-bandwidth", "int", "size"},
      {"MigrationParameters", "max-bandwidth", "int", "size"},
      {"MigrationParameters", "xbzrle-cache-size", "int", "size"},
      // Integers that are not sizes stay as introspection gives them.
      {"MigrateSetParameters", "downtime-limit", "int", "int"},        // uint64
      {"MigrateSetParameters", "cpu-throttle-initial", "int", "int"},  // uint8
      {"InetSocketAddress", "to", "int", "int"},                       // uint16
      // Not an integer: untouched.
      {"MigrateSetParameters", "tls-creds", "StrOrNull", "StrOrNull"},
  };
  for (const Row& r : rows) {
    CAPTURE(r.type);
    CAPTURE(r.member);
    CHECK(member(test::qemu72_schema(), r.type, r.member).type == r.live);
    CHECK(member(s, r.type, r.member).type == r.adopted);
  }
  // Every member that changed is an integer the embedded schema calls a
  // size, and each one is counted once.
  std::size_t sizes = 0;
  const Schema& before = test::qemu72_schema();
  for (const std::string& name : s.names()) {
    const TypeDef* was = before.find(name);
    const TypeDef* now = s.find(name);
    if (!was || !now || was->meta != schema::Meta::object) continue;
    for (std::size_t i = 0; i < now->members.size(); ++i) {
      if (now->members[i].type == was->members[i].type) continue;
      CAPTURE(name);
      CAPTURE(now->members[i].name);
      CHECK(now->members[i].type == "size");
      const TypeDef* declared = embedded.find(name);
      REQUIRE(declared);
      const schema::Member* m = embedded.member(*declared, now->members[i].name);
      REQUIRE(m);
      CHECK(m->type == "size");
      ++sizes;
    }
  }
  CHECK(changed == sizes);
  CHECK(changed >= 6);  // at least the three sizes of each parameter type
  // Once is enough: nothing is left to adopt.
  CHECK(qmp::adopt_embedded_sizes(s, embedded) == 0);
}

TEST_CASE("adopt_embedded_sizes: only types the live schema names truly") {
  // A masked type ("42") with a size-named member is not matched to anything.
  Json info = Json::parse(R"([
    {"name": "int", "meta-type": "builtin", "json-type": "int"},
    {"name": "42", "meta-type": "object",
     "members": [{"name": "max-bandwidth", "type": "int", "default": null}]},
    {"name": "MigrateSetParameters", "meta-type": "object",
     "members": [{"name": "max-bandwidth", "type": "int", "default": null},
                 {"name": "downtime-limit", "type": "int", "default": null}]}
  ])");
  Schema s = schema_from_introspection(info, "test").value();
  CHECK(qmp::adopt_embedded_sizes(s, schema::embedded_schema()) == 1);
  CHECK(member(s, "MigrateSetParameters", "max-bandwidth").type == "size");
  CHECK(member(s, "MigrateSetParameters", "downtime-limit").type == "int");
  CHECK(member(s, "42", "max-bandwidth").type == "int");
}
