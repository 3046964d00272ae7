#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include "schema/loader.h"

using namespace qsock;
using namespace qsock::schema;

namespace {

const TypeDef& type(std::string_view name) {
  const TypeDef* def = embedded_schema().find(name);
  REQUIRE_MESSAGE(def != nullptr, std::string(name));
  return *def;
}

const Member& member(std::string_view type_name, std::string_view name) {
  const Member* m = embedded_schema().member(type(type_name), name);
  REQUIRE_MESSAGE(m != nullptr, (std::string(type_name) + "." + std::string(name)));
  return *m;
}

const EnumValue& value(std::string_view type_name, std::string_view name) {
  const EnumValue* v = embedded_schema().enum_value(type(type_name), name);
  REQUIRE_MESSAGE(v != nullptr, (std::string(type_name) + "." + std::string(name)));
  return *v;
}

std::vector<std::string> member_names(std::string_view type_name) {
  std::vector<std::string> out;
  for (const Member* m : embedded_schema().members_of(type(type_name))) out.push_back(m->name);
  return out;
}

int members_in(std::string_view type_name, QemuVersion v) {
  int n = 0;
  for (const Member* m : embedded_schema().members_of(type(type_name)))
    if (m->avail.in_release(v)) ++n;
  return n;
}

int values_in(std::string_view type_name, QemuVersion v) {
  int n = 0;
  for (const EnumValue& e : type(type_name).values)
    if (e.avail.in_release(v)) ++n;
  return n;
}

bool has_feature(const std::vector<std::string>& features, std::string_view f) {
  for (const std::string& x : features)
    if (x == f) return true;
  return false;
}

}  // namespace

TEST_CASE("embedded schema loads, once") {
  auto fresh = load_embedded_schema();
  REQUIRE_MESSAGE(fresh.has_value(), fresh.error());
  CHECK(fresh->origin == "embedded");
  CHECK(&embedded_schema() == &embedded_schema());
  CHECK(embedded_schema().names() == fresh->names());
  for (std::string_view file :
       {"sockets.json", "net.json", "char.json", "migration.json", "common.json"}) {
    bool found = false;
    for (const std::string& name : fresh->names()) found = found || fresh->find(name)->file == file;
    CHECK_MESSAGE(found, file);
  }
}

TEST_CASE("embedded schema: InetSocketAddress, in QEMU's member order") {
  CHECK(member_names("InetSocketAddress") ==
        std::vector<std::string>{"host", "port", "numeric", "to", "ipv4", "ipv6", "keep-alive",
                                 "keep-alive-count", "keep-alive-idle", "keep-alive-interval",
                                 "mptcp", "user-timeout"});
  struct Row {
    const char* name;
    const char* type;
    const char* since;
    const char* condition;
  };
  const Row rows[] = {
      {"host", "str", "1.3", ""},
      {"port", "str", "1.3", ""},
      {"numeric", "bool", "2.9", ""},
      {"to", "uint16", "1.3", ""},
      {"keep-alive", "bool", "4.2", ""},
      {"keep-alive-count", "uint32", "10.1", "HAVE_TCP_KEEPCNT"},
      {"keep-alive-idle", "uint32", "10.1", "HAVE_TCP_KEEPIDLE"},
      {"keep-alive-interval", "uint32", "10.1", "HAVE_TCP_KEEPINTVL"},
      {"mptcp", "bool", "6.1", "HAVE_IPPROTO_MPTCP"},
      {"user-timeout", "uint32", "proposed", "HAVE_TCP_USER_TIMEOUT"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.name);
    const Member& m = member("InetSocketAddress", row.name);
    CHECK(m.type == row.type);
    CHECK(m.avail.describe() == row.since);
    CHECK(m.condition == row.condition);
    CHECK(m.features.empty());  // keep-alive-* and user-timeout are not unstable
  }
  CHECK_FALSE(member("InetSocketAddress", "host").optional);
  CHECK(member("InetSocketAddress", "user-timeout").optional);
  CHECK(type("InetSocketAddress").avail.describe() == "1.3");
  CHECK_FALSE(member("InetSocketAddress", "keep-alive-count").avail.in_release({10, 0}));
  CHECK(member("InetSocketAddress", "keep-alive-count").avail.in_release({10, 1}));
  CHECK(member("UnixSocketAddress", "abstract").condition == "CONFIG_LINUX");
  CHECK(member("UnixSocketAddress", "tight").avail.describe() == "5.1");
  CHECK(value("NetworkAddressFamily", "vsock").avail.describe() == "2.8");
}

TEST_CASE("embedded schema: socket address unions") {
  const TypeDef& sa = type("SocketAddress");
  CHECK(sa.discriminator == "type");
  CHECK(embedded_schema().variant_type(sa, "inet")->name == "InetSocketAddress");
  CHECK(embedded_schema().variant_type(sa, "fd")->name == "FdSocketAddress");
  const TypeDef& legacy = type("SocketAddressLegacy");
  CHECK(embedded_schema().variant_type(legacy, "inet")->name == "InetSocketAddressWrapper");
  CHECK(member("InetSocketAddressWrapper", "data").type == "InetSocketAddress");
}

TEST_CASE("embedded schema: netdev stream and dgram") {
  CHECK(member_names("NetdevStreamOptions") ==
        std::vector<std::string>{"addr", "server", "reconnect", "reconnect-ms"});
  const Member& reconnect = member("NetdevStreamOptions", "reconnect");
  CHECK(reconnect.avail.describe() == "8.0 (removed in 10.2)");
  CHECK(reconnect.avail.in_release({10, 1}));
  CHECK_FALSE(reconnect.avail.in_release({10, 2}));
  CHECK(has_feature(reconnect.features, "deprecated"));
  CHECK(member("NetdevStreamOptions", "reconnect-ms").avail.describe() == "9.2");
  CHECK(member("NetdevStreamOptions", "addr").type == "SocketAddress");
  CHECK(member("NetdevDgramOptions", "remote").optional);
  CHECK(value("NetClientDriver", "stream").avail.describe() == "7.2");
  CHECK(value("NetClientDriver", "dgram").avail.describe() == "7.2");
  CHECK(value("NetClientDriver", "passt").avail.describe() == "10.1");
  CHECK(value("NetClientDriver", "tap").avail.describe() == "2.7");
  const TypeDef& netdev = type("Netdev");
  CHECK(member_names("Netdev") == std::vector<std::string>{"id", "type"});
  CHECK(embedded_schema().variant_type(netdev, "stream")->name == "NetdevStreamOptions");
  CHECK(embedded_schema().variant_type(netdev, "dgram")->name == "NetdevDgramOptions");
}

TEST_CASE("embedded schema: chardev socket and udp") {
  CHECK(member_names("ChardevSocket").front() == "logfile");  // from ChardevCommon
  CHECK(member("ChardevSocket", "addr").type == "SocketAddressLegacy");
  CHECK(member("ChardevSocket", "tls-authz").avail.describe() == "4.0");
  CHECK(member("ChardevSocket", "reconnect").avail.describe() == "2.2 (removed in 10.2)");
  CHECK(member("ChardevSocket", "reconnect-ms").avail.describe() == "9.2");
  for (const char* name : {"support-local-migration", "local-incoming"}) {
    CAPTURE(name);
    CHECK(member("ChardevSocket", name).avail.is_proposed());
    CHECK(has_feature(member("ChardevSocket", name).features, "unstable"));
  }
  CHECK(member("ChardevUdp", "local").optional);
  CHECK(value("ChardevBackendKind", "hub").avail.describe() == "10.0");
  const TypeDef& backend = type("ChardevBackend");
  CHECK(embedded_schema().variant_type(backend, "socket")->name == "ChardevSocketWrapper");
  CHECK(embedded_schema().variant_type(backend, "udp")->name == "ChardevUdpWrapper");
  CHECK(type("chardev-add").ret_type == "ChardevReturn");
  CHECK(member_names(type("chardev-add").arg_type) == std::vector<std::string>{"id", "backend"});
}

TEST_CASE("embedded schema: migration capabilities by release") {
  CHECK(value("MigrationCapability", "netpass").avail.is_proposed());
  CHECK(value("MigrationCapability", "local-char-socket").avail.is_proposed());
  CHECK(has_feature(value("MigrationCapability", "local-char-socket").features, "unstable"));
  CHECK(value("MigrationCapability", "compress").avail.describe() == "2.4 (removed in 9.1)");
  CHECK(value("MigrationCapability", "block").avail.describe() == "2.10 (removed in 9.1)");
  CHECK(value("MigrationCapability", "mapped-ram").avail.describe() == "9.0");
  CHECK(value("MigrationCapability", "xbzrle").avail.describe() == "1.2");
  CHECK(has_feature(value("MigrationCapability", "x-colo").features, "unstable"));
  // query-qmp-schema of real QEMUs: 21 capabilities on 7.2, 22 on 10.0.
  CHECK(values_in("MigrationCapability", {7, 2}) == 21);
  CHECK(values_in("MigrationCapability", {10, 0}) == 22);
}

TEST_CASE("embedded schema: migration parameters by release, three views agreeing") {
  // query-migrate-parameters lists 26 on 7.2 and 28 on 10.0, leaving out
  // block-bitmap-mapping until it is set.
  CHECK(members_in("MigrationParameters", {7, 2}) == 26 + 1);
  CHECK(members_in("MigrationParameters", {10, 0}) == 28 + 1);
  CHECK(member("MigrationParameters", "cpr-exec-command").avail.describe() == "10.2");
  CHECK(member("MigrationParameters", "cpr-exec-command").type == "[str]");
  CHECK(member("MigrationParameters", "compress-level").avail.describe() == "2.4 (removed in 9.1)");
  CHECK(member("MigrationParameters", "block-incremental").avail.describe() ==
        "2.10 (removed in 9.1)");
  CHECK(member("MigrationParameters", "downtime-limit").type == "uint64");
  CHECK(member("MigrationParameters", "multifd-compression").type == "MultiFDCompression");
  CHECK(member("MigrationParameters", "tls-creds").type == "str");
  CHECK(member("MigrateSetParameters", "tls-creds").type == "StrOrNull");
  CHECK(member("MigrationParameters", "backend-transfer").type == "[BackendTransfer]");
  CHECK(member("MigrationParameters", "backend-transfer").avail.is_proposed());
  CHECK(has_feature(member("MigrationParameters", "fds").features, "unstable"));
  CHECK(member("MigrationParameters", "fds").type == "[FdsTarget]");
  CHECK(value("BackendTransfer", "virtio-net-tap").avail.is_proposed());
  CHECK(value("FdsTarget", "virtio-net").avail.is_proposed());

  auto params = embedded_schema().members_of(type("MigrationParameters"));
  auto set_params = embedded_schema().members_of(type("MigrateSetParameters"));
  const auto& names = type("MigrationParameter").values;
  REQUIRE(params.size() == set_params.size());
  REQUIRE(params.size() == names.size());
  for (std::size_t i = 0; i < params.size(); ++i) {
    CAPTURE(params[i]->name);
    CHECK(params[i]->name == set_params[i]->name);
    CHECK(params[i]->name == names[i].name);
    CHECK(params[i]->avail.describe() == set_params[i]->avail.describe());
    CHECK(params[i]->avail.describe() == names[i].avail.describe());
    CHECK(params[i]->features == names[i].features);
    CHECK(params[i]->optional);
  }
}

TEST_CASE("embedded schema: migration addresses, status, info and commands") {
  const TypeDef& addr = type("MigrationAddress");
  CHECK(addr.discriminator == "transport");
  CHECK(embedded_schema().variant_type(addr, "socket")->name == "SocketAddress");
  CHECK(embedded_schema().variant_type(addr, "rdma")->name == "InetSocketAddress");
  CHECK(embedded_schema().variant_type(addr, "file")->name == "FileMigrationArgs");
  CHECK(value("MigrationChannelType", "cpr").avail.describe() == "10.0");
  CHECK(value("MigMode", "cpr-exec").avail.describe() == "10.2");
  CHECK(value("MigrationStatus", "postcopy-device").avail.describe() == "10.2");
  CHECK(member("MigrationInfo", "disk").avail.describe() == "0.14 (removed in 9.1)");
  CHECK(member("MigrationInfo", "postcopy-latency").avail.describe() == "10.1");
  CHECK(member("MigrationStats", "skipped").avail.describe() == "1.5 (removed in 9.1)");
  CHECK(type("CompressionStats").avail.describe() == "3.1 (removed in 9.1)");

  const TypeDef& migrate = type("migrate");
  CHECK(migrate.meta == Meta::command);
  CHECK(member(migrate.arg_type, "channels").avail.describe() == "8.1");
  CHECK(member(migrate.arg_type, "channels").type == "[MigrationChannel]");
  CHECK(member(migrate.arg_type, "blk").avail.describe() == "0.14 (removed in 9.1)");
  CHECK(member(type("migrate-incoming").arg_type, "exit-on-error").avail.describe() == "9.1");
  CHECK(type("migrate-set-parameters").boxed);
  CHECK(type("migrate-set-parameters").arg_type == "MigrateSetParameters");
  CHECK(type("query-migrate-capabilities").ret_type == "[MigrationCapabilityStatus]");
  CHECK(type("migrate_cancel").arg_type.empty());
  CHECK(type("MIGRATION").meta == Meta::event);
  CHECK(member(type("MIGRATION_PASS").arg_type, "pass").type == "int");
  const TypeDef& str_or_null = type("StrOrNull");
  CHECK(str_or_null.alternatives == std::vector<std::string>{"str", "null"});
}

TEST_CASE("embedded schema: every definition, member and value knows its releases") {
  // The only deliberate exception: QEMU gives InetSocketAddressBase no
  // release of its own (its members carry 1.3 explicitly).
  const std::set<std::string> unversioned_types = {"InetSocketAddressBase"};
  const Schema& schema = embedded_schema();
  int members = 0, values = 0;
  for (const std::string& name : schema.names()) {
    const TypeDef& def = *schema.find(name);
    CAPTURE(name);
    if (!unversioned_types.count(name)) CHECK(def.avail.status != Availability::Status::always);
    if (name.rfind("q_obj_", 0) != 0 && def.meta != Meta::alternate)
      CHECK_MESSAGE(!def.doc.empty(), "every definition has a description");
    for (const Member& m : def.members) {
      CAPTURE(m.name);
      ++members;
      CHECK(m.avail.status != Availability::Status::always);
      CHECK(!m.doc.empty());
      if (m.avail.removed && m.avail.status == Availability::Status::released)
        CHECK(m.avail.since < *m.avail.removed);
      if (m.avail.status == Availability::Status::released)
        CHECK(m.avail.since <= newest_known_qemu);
    }
    for (const EnumValue& v : def.values) {
      CAPTURE(v.name);
      ++values;
      CHECK(v.avail.status != Availability::Status::always);
      CHECK(!v.doc.empty());
      if (v.avail.status == Availability::Status::released)
        CHECK(v.avail.since <= newest_known_qemu);
    }
  }
  CHECK(members > 150);
  CHECK(values > 100);
}
