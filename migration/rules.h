// The rules QEMU enforces between migration capabilities, parameters and the
// channel, as data: one row per rule, with QEMU's own message where QEMU has
// one. Preflight walks this table; nothing else knows the rules.
#pragma once

#include <string_view>
#include <vector>

namespace qsock::migration {

enum class RuleKind {
  requires_capability,  // `subject` on needs `other` on
  excludes_capability,  // `subject` and `other` not both on
  needs_file_target,    // `subject` on needs a file: target
  needs_unix_channel,   // `subject` on (or parameter set) needs a UNIX-socket channel
  must_match,           // `subject` must be set the same on source and destination
};

enum class Subject { capability, parameter };

struct MigrationRule {
  RuleKind kind;
  Subject subject_kind;
  std::string_view subject;
  std::string_view other;    // the other capability, for requires/excludes
  std::string_view message;  // QEMU's message, or qsock's where QEMU checks nothing up front
};

const std::vector<MigrationRule>& migration_rules();

// Parameters whose value must be the same on both sides (set on both by qsock).
bool parameter_must_match(std::string_view name);
bool capability_must_match(std::string_view name);

}  // namespace qsock::migration

namespace qsock::migration {

// Ranges QEMU checks beyond the schema type (migrate_params_check), with its message.
struct ParameterRange {
  std::string_view name;
  long long min;
  long long max;
  std::string_view message;
};
const std::vector<ParameterRange>& parameter_ranges();

// Values that name the same backend in the two proposed spellings of backend
// transfer: backend-transfer ['virtio-net-tap'] and fds ['virtio-net'].
struct BackendAlias {
  std::string_view backend_transfer;
  std::string_view fds;
};
const std::vector<BackendAlias>& backend_aliases();

}  // namespace qsock::migration
