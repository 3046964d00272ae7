// What a given QEMU supports, answered from its live schema (never from its
// version number): the InetSocketAddress members, the migration capabilities
// and parameters, the proposed features qsock knows about, and which spelling
// of backend transfer this build carries.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"
#include "schema/model.h"

namespace qsock::qmp {

// The spellings backend transfer has had in proposed patches; a live QEMU
// carries at most one. `device_ids` is the v9 form: a list of device ids
// (['str']) rather than of an enum.
enum class BackendTransfer { none, backend_transfer, fds, device_ids };
// "backend-transfer", "fds", "backend-transfer-ids"; "" for none.
std::string_view spelling(BackendTransfer bt);

// How a feature is looked up in the schema.
enum class ProbeKind {
  member,            // `name` is a member of the object type `where`
  enum_value,        // `name` is a value of the enum type `where`
  command,           // the command `where` exists
  command_argument,  // the command `where` takes the argument `name`
  backend_transfer,  // which BackendTransfer spelling the parameters type `where` has
};

struct FeatureProbe {
  std::string_view key;  // the name in `qsock caps` output
  ProbeKind kind;
  std::string_view where;
  std::string_view name;
};

// Every feature qsock reports, in output order.
const std::vector<FeatureProbe>& feature_probes();

struct Feature {
  std::string key;
  bool present = false;
  // Only for ProbeKind::backend_transfer: which spelling; reported as that
  // string (or null) instead of a boolean.
  std::optional<BackendTransfer> choice;
};

struct Features {
  std::string version;                    // "7.2.22": Greeting::version_string() of the session
  std::vector<Feature> features;          // in feature_probes() order
  std::vector<std::string> capabilities;  // every MigrationCapability value, as QEMU lists them
  std::vector<std::string> parameters;    // every MigrationParameters member

  // Whether the feature `key` is present; nullopt for a key qsock does not probe.
  std::optional<bool> has(std::string_view key) const;
  BackendTransfer backend_transfer() const;

  // {"version":..,"features":{key:bool|spelling|null,..},"capabilities":[..],"parameters":[..]}
  Json to_json() const;
};

// Reads the features from a schema whose type names are resolved (a live
// schema from schema_from_introspection, or the embedded one). Values and
// members qsock does not know are kept in capabilities/parameters.
Features detect_features(const schema::Schema& schema, std::string version);

}  // namespace qsock::qmp
