#include "qmp/features.h"

#include "base/names.h"

namespace qsock::qmp {

using schema::Meta;
using schema::Schema;
using schema::TypeDef;

std::string_view spelling(BackendTransfer bt) {
  static constexpr Named<BackendTransfer> spellings[] = {
      {BackendTransfer::backend_transfer, "backend-transfer"},
      {BackendTransfer::fds, "fds"},
      {BackendTransfer::device_ids, "backend-transfer-ids"},
  };
  return name_in<BackendTransfer>(spellings, bt, "");
}

const std::vector<FeatureProbe>& feature_probes() {
  using enum ProbeKind;
  static const std::vector<FeatureProbe> probes = {
      // The features operators ask about first (and in this order in --json).
      {"user-timeout", member, "InetSocketAddress", "user-timeout"},
      {"keep-alive-count", member, "InetSocketAddress", "keep-alive-count"},
      {"netpass", enum_value, "MigrationCapability", "netpass"},
      {"local-char-socket", enum_value, "MigrationCapability", "local-char-socket"},
      {"backend-transfer", backend_transfer, "MigrationParameters", ""},
      {"migrate-channels", command_argument, "migrate", "channels"},
      // Socket options.
      {"keep-alive", member, "InetSocketAddress", "keep-alive"},
      {"keep-alive-idle", member, "InetSocketAddress", "keep-alive-idle"},
      {"keep-alive-interval", member, "InetSocketAddress", "keep-alive-interval"},
      {"mptcp", member, "InetSocketAddress", "mptcp"},
      {"numeric", member, "InetSocketAddress", "numeric"},
      // Migration.
      {"return-path", enum_value, "MigrationCapability", "return-path"},
      {"multifd", enum_value, "MigrationCapability", "multifd"},
      {"postcopy-ram", enum_value, "MigrationCapability", "postcopy-ram"},
      {"postcopy-preempt", enum_value, "MigrationCapability", "postcopy-preempt"},
      {"zero-copy-send", enum_value, "MigrationCapability", "zero-copy-send"},
      {"switchover-ack", enum_value, "MigrationCapability", "switchover-ack"},
      {"dirty-limit", enum_value, "MigrationCapability", "dirty-limit"},
      {"mapped-ram", enum_value, "MigrationCapability", "mapped-ram"},
      {"migrate-incoming-channels", command_argument, "migrate-incoming", "channels"},
      {"migrate-incoming-exit-on-error", command_argument, "migrate-incoming", "exit-on-error"},
      {"cpr-reboot", enum_value, "MigMode", "cpr-reboot"},
      {"cpr-transfer", enum_value, "MigMode", "cpr-transfer"},
      {"cpr-exec", enum_value, "MigMode", "cpr-exec"},
      // Passing file descriptors.
      {"getfd", command, "getfd", ""},
      {"add-fd", command, "add-fd", ""},
  };
  return probes;
}

namespace {

const TypeDef* find_meta(const Schema& schema, std::string_view name, Meta meta) {
  const TypeDef* t = schema.find(name);
  return t && t->meta == meta ? t : nullptr;
}

// The type that lists migration parameters. Where migrate-set-parameters is
// boxed over MigrationParameters (11.0 development) there is only that one;
// a schema without it still has MigrateSetParameters.
const TypeDef* parameters_type(const Schema& schema, std::string_view preferred) {
  if (const TypeDef* t = find_meta(schema, preferred, Meta::object)) return t;
  return find_meta(schema, "MigrateSetParameters", Meta::object);
}

BackendTransfer probe_backend_transfer(const Schema& schema, const TypeDef* params) {
  if (!params) return BackendTransfer::none;
  if (const schema::Member* m = schema.member(*params, "backend-transfer")) {
    const TypeDef* t = schema.find(m->type);
    const TypeDef* element = t && t->meta == Meta::array ? schema.find(t->element_type) : nullptr;
    if (element && element->meta == Meta::builtin) return BackendTransfer::device_ids;
    return BackendTransfer::backend_transfer;
  }
  if (schema.member(*params, "fds")) return BackendTransfer::fds;
  return BackendTransfer::none;
}

Feature probe(const Schema& schema, const FeatureProbe& p) {
  Feature f{std::string(p.key), false, std::nullopt};
  switch (p.kind) {
    case ProbeKind::member: {
      const TypeDef* t = find_meta(schema, p.where, Meta::object);
      f.present = t != nullptr && schema.member(*t, p.name) != nullptr;
      break;
    }
    case ProbeKind::enum_value: {
      const TypeDef* t = find_meta(schema, p.where, Meta::enumeration);
      f.present = t != nullptr && schema.enum_value(*t, p.name) != nullptr;
      break;
    }
    case ProbeKind::command:
      f.present = find_meta(schema, p.where, Meta::command) != nullptr;
      break;
    case ProbeKind::command_argument: {
      const TypeDef* cmd = find_meta(schema, p.where, Meta::command);
      const TypeDef* args = cmd ? find_meta(schema, cmd->arg_type, Meta::object) : nullptr;
      f.present = args != nullptr && schema.member(*args, p.name) != nullptr;
      break;
    }
    case ProbeKind::backend_transfer:
      f.choice = probe_backend_transfer(schema, parameters_type(schema, p.where));
      f.present = *f.choice != BackendTransfer::none;
      break;
  }
  return f;
}

}  // namespace

std::optional<bool> Features::has(std::string_view key) const {
  for (const Feature& f : features)
    if (f.key == key) return f.present;
  return std::nullopt;
}

BackendTransfer Features::backend_transfer() const {
  for (const Feature& f : features)
    if (f.choice) return *f.choice;
  return BackendTransfer::none;
}

Json Features::to_json() const {
  Json flags = Json::object();
  for (const Feature& f : features) {
    if (f.choice)
      flags[f.key] = f.present ? Json(spelling(*f.choice)) : Json(nullptr);
    else
      flags[f.key] = f.present;
  }
  return Json{{"version", version},
              {"features", std::move(flags)},
              {"capabilities", capabilities},
              {"parameters", parameters}};
}

Features detect_features(const Schema& schema, std::string version) {
  Features out;
  out.version = std::move(version);
  for (const FeatureProbe& p : feature_probes()) out.features.push_back(probe(schema, p));
  if (const TypeDef* caps = find_meta(schema, "MigrationCapability", Meta::enumeration))
    for (const schema::EnumValue& v : caps->values) out.capabilities.push_back(v.name);
  if (const TypeDef* params = parameters_type(schema, "MigrationParameters"))
    for (const schema::Member* m : schema.members_of(*params)) out.parameters.push_back(m->name);
  return out;
}

}  // namespace qsock::qmp
