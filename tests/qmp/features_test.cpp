#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "qmp/features.h"
#include "qmp/fixtures.h"
#include "qmp/session.h"

using namespace qsock;
using qmp::BackendTransfer;
using qmp::detect_features;
using qmp::Features;

namespace {

Features detect(const char* introspection) {
  auto s = qmp::schema_from_introspection(Json::parse(introspection), "test");
  REQUIRE_MESSAGE(s.has_value(), s.error());
  return detect_features(*s, "1.2.3");
}

// A query-qmp-schema reply whose migration parameters hold `member`, with
// `extra` SchemaInfo entries for the types it names.
std::string with_parameter(const std::string& member, const std::string& extra) {
  return R"([
    {"name": "str", "meta-type": "builtin", "json-type": "string"},
    {"name": "0", "meta-type": "object", "members": []},
    {"name": "query-migrate-parameters", "meta-type": "command", "arg-type": "0", "ret-type": "1"},
    {"name": "1", "meta-type": "object", "members": [)" +
         member + "]}" + extra + "]";
}

}  // namespace

TEST_CASE("features: QEMU 7.2.22") {
  qmp::Greeting greeting;
  greeting.version = test::load_fixture("qemu-7.2-greeting.json")["greeting"]["QMP"]["version"];
  Features f = detect_features(test::qemu72_schema(), greeting.version_string());
  CHECK(f.version == "7.2.22");

  struct Row {
    const char* key;
    bool present;
  };
  const Row rows[] = {
      {"user-timeout", false},
      {"keep-alive-count", false},
      {"netpass", false},
      {"local-char-socket", false},
      {"backend-transfer", false},
      {"migrate-channels", false},
      {"keep-alive", true},
      {"keep-alive-idle", false},
      {"keep-alive-interval", false},
      {"mptcp", true},
      {"numeric", true},
      {"return-path", true},
      {"multifd", true},
      {"postcopy-ram", true},
      {"postcopy-preempt", true},
      {"zero-copy-send", true},
      {"switchover-ack", false},
      {"dirty-limit", false},
      {"mapped-ram", false},
      {"migrate-incoming-channels", false},
      {"migrate-incoming-exit-on-error", false},
      {"cpr-reboot", false},
      {"cpr-transfer", false},
      {"cpr-exec", false},
      {"getfd", true},
      {"add-fd", true},
  };
  CHECK(f.features.size() == std::size(rows));
  for (const Row& r : rows) {
    CAPTURE(r.key);
    CHECK(f.has(r.key) == r.present);
  }
  CHECK_FALSE(f.has("no-such-feature").has_value());
  CHECK(f.backend_transfer() == BackendTransfer::none);

  CHECK(f.capabilities.size() == 21);
  CHECK(f.capabilities.front() == "xbzrle");
  CHECK(f.capabilities.back() == "postcopy-preempt");
  // 27 in the schema; a running 7.2 reports 26 (block-bitmap-mapping only once set).
  CHECK(f.parameters.size() == 27);
  CHECK(f.parameters.front() == "announce-initial");
  CHECK(f.parameters.back() == "block-bitmap-mapping");
}

TEST_CASE("features: --json shape") {
  Features f = detect_features(test::qemu72_schema(), "7.2.22");
  Json j = f.to_json();
  std::vector<std::string> keys;
  for (const auto& [k, v] : j.items()) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"version", "features", "capabilities", "parameters"});
  CHECK(j["version"] == "7.2.22");
  // The features operators ask about first come first, in this order.
  Json first = Json::object();
  for (const auto& [k, v] : j["features"].items()) {
    if (first.size() == 6) break;
    first[k] = v;
  }
  CHECK(first.dump() ==
        R"({"user-timeout":false,"keep-alive-count":false,"netpass":false,)"
        R"("local-char-socket":false,"backend-transfer":null,"migrate-channels":false})");
  CHECK(j["features"]["mptcp"] == true);
  CHECK(j["capabilities"].size() == 21);
  CHECK(j["capabilities"][0] == "xbzrle");
  CHECK(j["parameters"].size() == 27);
}

TEST_CASE("features: the proposed-features QEMU") {
  Features f = detect_features(test::proposed_schema(), "11.0.50");
  for (const char* key :
       {"user-timeout", "keep-alive-count", "keep-alive-idle", "keep-alive-interval", "netpass",
        "local-char-socket", "backend-transfer", "migrate-channels", "migrate-incoming-channels",
        "migrate-incoming-exit-on-error", "cpr-reboot", "cpr-transfer", "switchover-ack"}) {
    CAPTURE(key);
    CHECK(f.has(key) == true);
  }
  CHECK(f.has("cpr-exec") == false);
  CHECK(f.backend_transfer() == BackendTransfer::backend_transfer);
  CHECK(f.capabilities.size() == 24);  // 7.2's 21, switchover-ack, netpass, local-char-socket
  CHECK(f.capabilities.back() == "local-char-socket");
  CHECK(f.parameters.back() == "backend-transfer");
  Json j = f.to_json();
  CHECK(j["features"]["backend-transfer"] == "backend-transfer");
  CHECK(j["features"]["user-timeout"] == true);
}

TEST_CASE("features: which spelling of backend transfer") {
  struct Case {
    const char* name;
    std::string member;
    std::string extra;
    BackendTransfer expected;
    Json json;
  };
  const Case cases[] = {
      {"v6-v8: backend-transfer: ['BackendTransfer']",
       R"({"name": "backend-transfer", "type": "[9]", "default": null})",
       R"(, {"name": "[9]", "meta-type": "array", "element-type": "9"},
            {"name": "9", "meta-type": "enum", "members": [{"name": "virtio-net-tap"}]})",
       BackendTransfer::backend_transfer, "backend-transfer"},
      {"v5: fds: ['FdsTarget']", R"({"name": "fds", "type": "[9]", "default": null})",
       R"(, {"name": "[9]", "meta-type": "array", "element-type": "9"},
            {"name": "9", "meta-type": "enum", "members": [{"name": "virtio-net"}]})",
       BackendTransfer::fds, "fds"},
      {"v9: backend-transfer: ['str']",
       R"({"name": "backend-transfer", "type": "[str]", "default": null})",
       R"(, {"name": "[str]", "meta-type": "array", "element-type": "str"})",
       BackendTransfer::device_ids, "backend-transfer-ids"},
      {"none", R"({"name": "downtime-limit", "type": "str", "default": null})", "",
       BackendTransfer::none, nullptr},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    Features f = detect(with_parameter(c.member, c.extra).c_str());
    CHECK(f.backend_transfer() == c.expected);
    CHECK(f.to_json()["features"]["backend-transfer"] == c.json);
  }
  CHECK(qmp::spelling(BackendTransfer::none).empty());
}

TEST_CASE("features: capabilities and parameters from a newer QEMU pass through") {
  Features f = detect(R"([
    {"name": "bool", "meta-type": "builtin", "json-type": "boolean"},
    {"name": "0", "meta-type": "object", "members": []},
    {"name": "query-migrate-capabilities", "meta-type": "command", "arg-type": "0", "ret-type": "[1]"},
    {"name": "[1]", "meta-type": "array", "element-type": "1"},
    {"name": "1", "meta-type": "object", "members": [{"name": "capability", "type": "2"},
                                                      {"name": "state", "type": "bool"}]},
    {"name": "2", "meta-type": "enum", "members": [{"name": "return-path"}, {"name": "teleport"}]},
    {"name": "query-migrate-parameters", "meta-type": "command", "arg-type": "0", "ret-type": "3"},
    {"name": "3", "meta-type": "object", "members": [{"name": "warp-factor", "type": "bool", "default": null}]}
  ])");
  CHECK(f.capabilities == std::vector<std::string>{"return-path", "teleport"});
  CHECK(f.parameters == std::vector<std::string>{"warp-factor"});
  CHECK(f.has("return-path") == true);
  CHECK(f.has("multifd") == false);
}

TEST_CASE("features: an empty schema has nothing") {
  Features f = detect("[]");
  for (const qmp::Feature& feature : f.features) {
    CAPTURE(feature.key);
    CHECK_FALSE(feature.present);
  }
  CHECK(f.capabilities.empty());
  CHECK(f.parameters.empty());
  CHECK(f.to_json()["features"]["backend-transfer"].is_null());
}
