// Preflight: a MigrationPlan checked against the live schemas of the source
// and (with -d) the destination, before anything is changed. Pure: every
// problem is collected, none stops the check, nothing is sent.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/json.h"
#include "migration/plan.h"
#include "migration/side_differences.h"
#include "qmp/features.h"
#include "schema/model.h"

namespace qsock::migration {

struct MigrationSide {
  const schema::Schema* schema = nullptr;
  const qmp::Features* features = nullptr;
  std::string label;  // "source (QEMU 7.2.22)"
  // What query-migrate-capabilities reported, when read: the rules are checked
  // on these with the requested changes on top.
  std::map<std::string, bool> current_capabilities;
  // Set when `schema` is not the QEMU's own (HMP has no query-qmp-schema):
  // a member then counts only if the embedded schema has it in this release.
  std::optional<schema::QemuVersion> release;
};

struct Problem {
  std::string message;
  std::string hint;  // "" when none
};

struct Preflight {
  std::vector<Problem> problems;
  std::vector<std::string> notes;  // what qsock turned on, and what it cannot check
  // What to send: migrate-set-capabilities and migrate-set-parameters per side.
  std::vector<CapabilityRequest> source_capabilities;
  std::vector<CapabilityRequest> destination_capabilities;
  Json source_parameters = Json::object();
  Json destination_parameters = Json::object();
  // The socket option members the target asks for ({"user-timeout":5000,...}).
  Json socket_options = Json::object();
  // Those members the source's (and destination's) InetSocketAddress lacks.
  std::vector<std::string> native_missing;
  // With a destination: what one side's schema has and the other's lacks
  // (also given as notes).
  std::vector<SideDifference> differences;

  bool ok() const { return problems.empty(); }
};

Preflight preflight(const MigrationPlan& plan, const MigrationSide& source,
                    const std::optional<MigrationSide>& destination);

}  // namespace qsock::migration
