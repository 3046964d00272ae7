#include "qmp/introspect.h"

#include <map>
#include <set>
#include <utility>

#include <fmt/format.h>

namespace qsock::qmp {

using schema::Meta;
using schema::Schema;
using schema::TypeDef;

const std::vector<NameRoute>& name_routes() {
  using enum RouteRoot;
  // Earlier rows win. Several paths reach one type on purpose: the first
  // that exists in a given QEMU names it (7.2 has no `migrate` channels, but
  // `netdev_add` reaches SocketAddress and its branches too).
  static const std::vector<NameRoute> routes = {
      // Migration addresses (8.1+: channels).
      {"migrate", arguments, "channels", "MigrationChannel"},
      {"migrate", arguments, "channels/channel-type", "MigrationChannelType"},
      {"migrate", arguments, "channels/addr", "MigrationAddress"},
      {"migrate", arguments, "channels/addr/transport", "MigrationAddressType"},
      {"migrate", arguments, "channels/addr/socket", "SocketAddress"},
      {"migrate", arguments, "channels/addr/socket/type", "SocketAddressType"},
      {"migrate", arguments, "channels/addr/socket/inet", "InetSocketAddress"},
      {"migrate", arguments, "channels/addr/socket/unix", "UnixSocketAddress"},
      {"migrate", arguments, "channels/addr/socket/vsock", "VsockSocketAddress"},
      {"migrate", arguments, "channels/addr/socket/fd", "FdSocketAddress"},
      {"migrate", arguments, "channels/addr/exec", "MigrationExecCommand"},
      {"migrate", arguments, "channels/addr/file", "FileMigrationArgs"},
      {"migrate-incoming", arguments, "channels", "MigrationChannel"},

      // Netdev (boxed), with the socket-address backends.
      {"netdev_add", arguments, "", "Netdev"},
      {"netdev_add", arguments, "type", "NetClientDriver"},
      {"netdev_add", arguments, "stream", "NetdevStreamOptions"},
      {"netdev_add", arguments, "stream/addr", "SocketAddress"},
      {"netdev_add", arguments, "stream/addr/type", "SocketAddressType"},
      {"netdev_add", arguments, "stream/addr/inet", "InetSocketAddress"},
      {"netdev_add", arguments, "stream/addr/unix", "UnixSocketAddress"},
      {"netdev_add", arguments, "stream/addr/vsock", "VsockSocketAddress"},
      {"netdev_add", arguments, "stream/addr/fd", "FdSocketAddress"},
      {"netdev_add", arguments, "dgram", "NetdevDgramOptions"},
      {"netdev_add", arguments, "socket", "NetdevSocketOptions"},
      {"netdev_add", arguments, "user", "NetdevUserOptions"},
      {"netdev_add", arguments, "tap", "NetdevTapOptions"},

      // Character devices: ChardevBackend's branches are wrappers with `data`.
      {"chardev-add", arguments, "backend", "ChardevBackend"},
      {"chardev-add", arguments, "backend/type", "ChardevBackendKind"},
      {"chardev-add", arguments, "backend/socket", "ChardevSocketWrapper"},
      {"chardev-add", arguments, "backend/socket/data", "ChardevSocket"},
      {"chardev-add", arguments, "backend/socket/data/addr", "SocketAddressLegacy"},
      {"chardev-add", arguments, "backend/socket/data/addr/inet", "InetSocketAddressWrapper"},
      {"chardev-add", arguments, "backend/socket/data/addr/inet/data", "InetSocketAddress"},
      {"chardev-add", arguments, "backend/socket/data/addr/unix", "UnixSocketAddressWrapper"},
      {"chardev-add", arguments, "backend/socket/data/addr/unix/data", "UnixSocketAddress"},
      {"chardev-add", arguments, "backend/socket/data/addr/vsock", "VsockSocketAddressWrapper"},
      {"chardev-add", arguments, "backend/socket/data/addr/vsock/data", "VsockSocketAddress"},
      {"chardev-add", arguments, "backend/socket/data/addr/fd", "FdSocketAddressWrapper"},
      {"chardev-add", arguments, "backend/socket/data/addr/fd/data", "FdSocketAddress"},
      {"chardev-add", arguments, "backend/udp", "ChardevUdpWrapper"},
      {"chardev-add", arguments, "backend/udp/data", "ChardevUdp"},
      {"chardev-add", returns, "", "ChardevReturn"},
      {"nbd-server-start", arguments, "addr", "SocketAddressLegacy"},

      // Migration capabilities and parameters. MigrationParameters comes
      // before MigrateSetParameters: where migrate-set-parameters is boxed
      // over MigrationParameters (11.0 development), that name wins.
      {"migrate-set-capabilities", arguments, "capabilities", "MigrationCapabilityStatus"},
      {"migrate-set-capabilities", arguments, "capabilities/capability", "MigrationCapability"},
      {"query-migrate-capabilities", returns, "", "MigrationCapabilityStatus"},
      {"query-migrate-capabilities", returns, "capability", "MigrationCapability"},
      {"query-migrate-parameters", returns, "", "MigrationParameters"},
      {"query-migrate-parameters", returns, "multifd-compression", "MultiFDCompression"},
      {"query-migrate-parameters", returns, "mode", "MigMode"},
      {"query-migrate-parameters", returns, "zero-page-detection", "ZeroPageDetection"},
      {"query-migrate-parameters", returns, "block-bitmap-mapping", "BitmapMigrationNodeAlias"},
      {"query-migrate-parameters", returns, "backend-transfer", "BackendTransfer"},
      {"query-migrate-parameters", returns, "fds", "FdsTarget"},
      {"migrate-set-parameters", arguments, "", "MigrateSetParameters"},
      {"migrate-set-parameters", arguments, "tls-creds", "StrOrNull"},
      {"migrate-set-parameters", arguments, "backend-transfer", "BackendTransfer"},
      {"migrate-set-parameters", arguments, "fds", "FdsTarget"},

      // Migration state.
      {"query-migrate", returns, "", "MigrationInfo"},
      {"query-migrate", returns, "status", "MigrationStatus"},
      {"query-migrate", returns, "ram", "MigrationStats"},
      {"query-migrate", returns, "xbzrle-cache", "XBZRLECacheStats"},
      {"query-migrate", returns, "vfio", "VfioStats"},
      {"query-migrate", returns, "compression", "CompressionStats"},
      {"query-migrate", returns, "socket-address", "SocketAddress"},
      {"MIGRATION", arguments, "status", "MigrationStatus"},

      // Monitor plumbing.
      {"add-fd", returns, "", "AddfdInfo"},
      {"query-fdsets", returns, "", "FdsetInfo"},
      {"query-fdsets", returns, "fds", "FdsetFdInfo"},
      {"query-version", returns, "", "VersionInfo"},
      {"query-version", returns, "qemu", "VersionTriple"},
      {"query-status", returns, "", "StatusInfo"},
      {"query-status", returns, "status", "RunState"},
  };
  return routes;
}

namespace {

constexpr int max_nesting = 16;  // guards against cycles in a malformed schema

// Reads one list of SchemaInfo into TypeDefs with the names as given.
// Array types are kept aside: every reference to one becomes "[element]".
class Reader {
 public:
  bool read(const Json& all) {
    if (!all.is_array()) return fail("query-qmp-schema: expected a list of SchemaInfo");
    for (std::size_t i = 0; i < all.size(); ++i) {
      index_ = i;
      if (!read_entry(all[i])) return false;
    }
    return true;
  }

  std::string error;
  std::vector<TypeDef> defs;
  std::map<std::string, std::string, std::less<>> array_element;  // array name -> element

 private:
  bool fail(std::string message) {
    error = std::move(message);
    return false;
  }
  bool fail_here(std::string_view what) {
    return fail(fmt::format("query-qmp-schema: entry {}{}: {}", index_,
                            name_.empty() ? "" : fmt::format(" (\"{}\")", name_), what));
  }

  // A string member; `out` is left alone when it is absent and not required.
  bool string(const Json& o, const char* key, std::string& out, bool required) {
    auto it = o.find(key);
    if (it == o.end()) return !required || fail_here(fmt::format("no \"{}\"", key));
    if (!it->is_string()) return fail_here(fmt::format("\"{}\" is not a string", key));
    out = it->get<std::string>();
    return true;
  }

  bool strings(const Json& o, const char* key, std::vector<std::string>& out) {
    auto it = o.find(key);
    if (it == o.end()) return true;
    if (!it->is_array()) return fail_here(fmt::format("\"{}\" is not a list", key));
    for (const Json& s : *it) {
      if (!s.is_string()) return fail_here(fmt::format("\"{}\" holds a non-string", key));
      out.push_back(s.get<std::string>());
    }
    return true;
  }

  // A list of objects under `key`; absent is an empty list.
  const Json* objects(const Json& o, const char* key) {
    static const Json empty = Json::array();
    auto it = o.find(key);
    if (it == o.end()) return &empty;
    if (!it->is_array()) {
      fail_here(fmt::format("\"{}\" is not a list", key));
      return nullptr;
    }
    for (const Json& e : *it) {
      if (!e.is_object()) {
        fail_here(fmt::format("\"{}\" holds a non-object", key));
        return nullptr;
      }
    }
    return &*it;
  }

  bool read_entry(const Json& e) {
    name_.clear();
    if (!e.is_object()) return fail_here("not an object");
    TypeDef def;
    if (!string(e, "name", def.name, true)) return false;
    name_ = def.name;
    std::string meta;
    if (!string(e, "meta-type", meta, true) || !strings(e, "features", def.features)) return false;

    if (meta == "builtin") {
      def.meta = Meta::builtin;
      def.builtin = def.name;  // builtins keep their names
    } else if (meta == "enum") {
      def.meta = Meta::enumeration;
      if (!read_enum(e, def)) return false;
    } else if (meta == "array") {
      std::string element;
      if (!string(e, "element-type", element, true)) return false;
      array_element[def.name] = element;
      return true;
    } else if (meta == "object") {
      def.meta = Meta::object;
      if (!read_object(e, def)) return false;
    } else if (meta == "alternate") {
      def.meta = Meta::alternate;
      const Json* members = objects(e, "members");
      if (!members) return false;
      for (const Json& m : *members) {
        std::string type;
        if (!string(m, "type", type, true)) return false;
        def.alternatives.push_back(std::move(type));
      }
    } else if (meta == "command") {
      def.meta = Meta::command;
      if (!string(e, "arg-type", def.arg_type, true) || !string(e, "ret-type", def.ret_type, true))
        return false;
      if (auto it = e.find("allow-oob"); it != e.end()) {
        if (!it->is_boolean()) return fail_here("\"allow-oob\" is not a boolean");
        def.allow_oob = it->get<bool>();
      }
    } else if (meta == "event") {
      def.meta = Meta::event;
      if (!string(e, "arg-type", def.arg_type, false)) return false;
    } else {
      return true;  // a meta-type from a newer QEMU: nothing qsock can use
    }
    defs.push_back(std::move(def));
    return true;
  }

  bool read_enum(const Json& e, TypeDef& def) {
    if (e.contains("members")) {  // 6.2+: members with features
      const Json* members = objects(e, "members");
      if (!members) return false;
      for (const Json& m : *members) {
        schema::EnumValue v;
        if (!string(m, "name", v.name, true) || !strings(m, "features", v.features)) return false;
        def.values.push_back(std::move(v));
      }
      return true;
    }
    std::vector<std::string> values;  // older: plain names
    if (!strings(e, "values", values)) return false;
    for (std::string& v : values) def.values.push_back({std::move(v), {}, {}, {}});
    return true;
  }

  bool read_object(const Json& e, TypeDef& def) {
    const Json* members = objects(e, "members");
    if (!members) return false;
    for (const Json& m : *members) {
      schema::Member member;
      if (!string(m, "name", member.name, true) || !string(m, "type", member.type, true) ||
          !strings(m, "features", member.features))
        return false;
      member.optional = m.contains("default");  // "default": null still means optional
      def.members.push_back(std::move(member));
    }
    if (!string(e, "tag", def.discriminator, false)) return false;
    const Json* variants = objects(e, "variants");
    if (!variants) return false;
    for (const Json& v : *variants) {
      schema::Variant variant;
      if (!string(v, "case", variant.value, true) || !string(v, "type", variant.type, true))
        return false;
      def.variants.push_back(std::move(variant));
    }
    return true;
  }

  std::size_t index_ = 0;
  std::string name_;
};

// Calls f on every type reference a definition holds.
template <typename F>
void for_each_reference(TypeDef& def, F f) {
  for (schema::Member& m : def.members) f(m.type);
  for (schema::Variant& v : def.variants) f(v.type);
  for (std::string& a : def.alternatives) f(a);
  for (std::string* s : {&def.base, &def.element_type, &def.arg_type, &def.ret_type})
    if (!s->empty()) f(*s);
}

// "[elem]" for an array type, recursively; other names unchanged.
std::string list_spelling(const std::map<std::string, std::string, std::less<>>& arrays,
                          const std::string& name, int depth = 0) {
  auto it = arrays.find(name);
  if (it == arrays.end() || depth > max_nesting) return name;
  return "[" + list_spelling(arrays, it->second, depth + 1) + "]";
}

const TypeDef* unwrap_lists(const Schema& schema, const TypeDef* t) {
  for (int i = 0; t && t->meta == Meta::array && i < max_nesting; ++i)
    t = schema.find(t->element_type);
  return t;
}

// The type a route reaches, or nullptr when this QEMU has no such path.
const TypeDef* follow(const Schema& schema, const NameRoute& route) {
  const TypeDef* entity = schema.find(route.entity);
  if (!entity || (entity->meta != Meta::command && entity->meta != Meta::event)) return nullptr;
  const std::string& start =
      route.root == RouteRoot::arguments ? entity->arg_type : entity->ret_type;
  if (start.empty()) return nullptr;
  const TypeDef* t = unwrap_lists(schema, schema.find(start));
  std::string_view path = route.path;
  while (t && !path.empty()) {
    auto slash = path.find('/');
    std::string_view step = path.substr(0, slash);
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
    if (t->meta != Meta::object) return nullptr;
    if (const schema::Member* m = schema.member(*t, step))
      t = schema.find(m->type);
    else
      t = schema.variant_type(*t, step);
    t = unwrap_lists(schema, t);
  }
  return t;
}

std::string renamed(const std::map<std::string, std::string, std::less<>>& names,
                    const std::string& ref) {
  if (ref.size() > 2 && ref.front() == '[' && ref.back() == ']')
    return "[" + renamed(names, ref.substr(1, ref.size() - 2)) + "]";
  auto it = names.find(ref);
  return it == names.end() ? ref : it->second;
}

}  // namespace

tl::expected<schema::Schema, std::string> schema_from_introspection(
    const Json& query_qmp_schema_return, std::string origin) {
  Reader reader;
  if (!reader.read(query_qmp_schema_return)) return tl::make_unexpected(reader.error);

  // Pass 1: masked names, lists spelled "[T]".
  Schema masked;
  for (TypeDef& def : reader.defs) {
    for_each_reference(def,
                       [&](std::string& ref) { ref = list_spelling(reader.array_element, ref); });
    masked.add(def);
  }

  // Pass 2: real names for the masked types the routes reach.
  std::map<std::string, std::string, std::less<>> real;  // masked -> real
  std::set<std::string, std::less<>> claimed;
  for (const NameRoute& route : name_routes()) {
    const TypeDef* t = follow(masked, route);
    if (!t || t->meta == Meta::builtin || t->meta == Meta::array) continue;
    if (real.count(t->name) || claimed.count(route.name)) continue;
    const TypeDef* holder = masked.find(route.name);
    if (holder && holder != t) continue;  // the name is some other entity's
    real.emplace(t->name, std::string(route.name));
    claimed.emplace(route.name);
  }

  Schema schema;
  schema.origin = std::move(origin);
  schema.versioned = false;
  for (TypeDef& def : reader.defs) {
    def.name = renamed(real, def.name);
    for_each_reference(def, [&](std::string& ref) { ref = renamed(real, ref); });
    schema.add(std::move(def));
  }
  return schema;
}

std::size_t adopt_embedded_sizes(schema::Schema& live, const schema::Schema& embedded) {
  std::size_t changed = 0;
  for (const std::string& name : live.names()) {
    const TypeDef* ours = embedded.find(name);
    const TypeDef* theirs = live.find(name);
    if (!ours || !theirs || ours->meta != Meta::object || theirs->meta != Meta::object) continue;
    TypeDef reconciled = *theirs;
    std::size_t before = changed;
    for (schema::Member& m : reconciled.members) {
      if (m.type == "size" || !schema::is_integer_builtin(m.type)) continue;
      const schema::Member* declared = embedded.member(*ours, m.name);
      const TypeDef* type = declared ? embedded.find(declared->type) : nullptr;
      if (type && type->meta == Meta::builtin && type->builtin == "size") {
        m.type = "size";
        ++changed;
      }
    }
    if (changed != before) live.add(std::move(reconciled));
  }
  return changed;
}

}  // namespace qsock::qmp
