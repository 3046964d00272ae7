// What the embedded schema claims for a release, held against what that real
// release says of itself in query-qmp-schema (captured by
// tests/data/capture_qmp_schema.py). The captured schema is read as raw
// SchemaInfo JSON here: loading it into the model is qmp/'s job, a layer above.
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "base/json.h"
#include "schema/loader.h"

using namespace qsock;
using namespace qsock::schema;

namespace {

using Names = std::set<std::string>;

Json load_captured(const std::string& file) {
  std::ifstream in(std::string(QSOCK_TEST_DATA_DIR) + "/" + file);
  REQUIRE_MESSAGE(in.good(), file);
  std::stringstream text;
  text << in.rdbuf();
  Json j = Json::parse(text.str());
  return j.is_object() && j.contains("return") ? j["return"] : j;
}

// A captured SchemaInfo list, looked up by (masked) name.
struct Captured {
  Json entries;

  const Json& find(const std::string& name) const {
    for (const Json& e : entries)
      if (e["name"] == name) return e;
    FAIL("no entity " << name);
    return entries;  // not reached
  }
  Names members(const Json& object) const {
    Names out;
    for (const Json& m : object.value("members", Json::array()))
      out.insert(m["name"].get<std::string>());
    return out;
  }
  Names command_args(const std::string& command) const {
    const Json& c = find(command);
    std::string arg = c.value("arg-type", "");
    return arg.empty() ? Names{} : members(find(arg));
  }
  Names return_members(const std::string& command) const {
    return members(find(find(command)["ret-type"].get<std::string>()));
  }
  // The one object type with all these members (type names are masked).
  Names object_with(const Names& wanted) const {
    for (const Json& e : entries) {
      if (e["meta-type"] != "object") continue;
      Names m = members(e);
      if (std::includes(m.begin(), m.end(), wanted.begin(), wanted.end())) return m;
    }
    FAIL("no object with the wanted members");
    return {};
  }
  Names capabilities() const {
    const Json& args = find(command_arg_type("migrate-set-capabilities"));
    const Json& list = find(args["members"][0]["type"].get<std::string>());
    const Json& status = find(list["element-type"].get<std::string>());
    for (const Json& m : status["members"])
      if (m["name"] == "capability") {
        Names out;
        for (const Json& v : find(m["type"].get<std::string>())["members"])
          out.insert(v["name"].get<std::string>());
        return out;
      }
    FAIL("no capability member");
    return {};
  }
  std::string command_arg_type(const std::string& command) const {
    return find(command)["arg-type"].get<std::string>();
  }
};

// What the embedded schema has of an object or enum in a release.
Names embedded_in(std::string_view type_name, const Target& target) {
  const Schema& s = embedded_schema();
  const TypeDef* def = s.find(type_name);
  REQUIRE_MESSAGE(def != nullptr, std::string(type_name));
  Names out;
  if (def->meta == Meta::enumeration) {
    for (const EnumValue& v : def->values)
      if (target.has(v.avail)) out.insert(v.name);
  } else {
    for (const Member* m : s.members_of(*def))
      if (target.has(m->avail)) out.insert(m->name);
  }
  return out;
}

Names embedded_args(std::string_view command, const Target& target) {
  const TypeDef* c = embedded_schema().find(command);
  REQUIRE_MESSAGE(c != nullptr, std::string(command));
  return c->arg_type.empty() ? Names{} : embedded_in(c->arg_type, target);
}

}  // namespace

TEST_CASE("the embedded schema for --qemu-version 11.1 is what QEMU 11.1.3 reports") {
  const Captured real{load_captured("qemu-11.1-qmp-schema.json")};
  const Target t = Target::release(QemuVersion{11, 1});

  CHECK(embedded_in("MigrationCapability", t) == real.capabilities());
  CHECK(embedded_in("MigrateSetParameters", t) == real.command_args("migrate-set-parameters"));
  CHECK(embedded_in("MigrationParameters", t) == real.return_members("query-migrate-parameters"));
  CHECK(embedded_in("InetSocketAddress", t) == real.object_with({"host", "port", "numeric"}));

  // The commands qsock sends, argument by argument.
  for (const char* command : {"migrate", "migrate-incoming", "migrate-set-capabilities",
                              "migrate_cancel", "migrate-continue", "chardev-add"}) {
    CAPTURE(command);
    CHECK(embedded_args(command, t) == real.command_args(command));
  }
}

TEST_CASE("what 11.1 has that 10.0 did not, and what it dropped") {
  const Target v10_0 = Target::release(QemuVersion{10, 0});
  const Target v11_1 = Target::release(QemuVersion{11, 1});
  struct Case {
    const char* type;
    const char* name;
    bool in_10_0;
    bool in_11_1;
  };
  const Case cases[] = {
      {"InetSocketAddress", "keep-alive-count", false, true},
      {"InetSocketAddress", "keep-alive-idle", false, true},
      {"InetSocketAddress", "keep-alive-interval", false, true},
      {"InetSocketAddress", "user-timeout", false, false},  // proposed only
      {"MigrateSetParameters", "cpr-exec-command", false, true},
      {"MigrateSetParameters", "x-rdma-chunk-size", false, true},
      {"MigrateSetParameters", "backend-transfer", false, false},
      {"MigrateSetParameters", "fds", false, false},
      {"MigrationCapability", "zero-blocks", true, false},
      {"MigrationCapability", "netpass", false, false},
      {"MigrationCapability", "local-char-socket", false, false},
  };
  for (const Case& c : cases) {
    CAPTURE(c.type);
    CAPTURE(c.name);
    CHECK(embedded_in(c.type, v10_0).count(c.name) == (c.in_10_0 ? 1U : 0U));
    CHECK(embedded_in(c.type, v11_1).count(c.name) == (c.in_11_1 ? 1U : 0U));
  }
  CHECK(embedded_args("migrate", v10_0).count("detach") == 1);
  CHECK(embedded_args("migrate", v11_1).count("detach") == 0);
}
