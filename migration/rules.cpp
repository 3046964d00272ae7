#include "migration/rules.h"

#include <algorithm>

namespace qsock::migration {

const std::vector<MigrationRule>& migration_rules() {
  using enum RuleKind;
  using S = Subject;
  static const std::vector<MigrationRule> rules = {
      // migrate_caps_check() in QEMU's migration/options.c (and the proposed netpass series).
      {requires_capability, S::capability, "netpass", "return-path",
       "Capability 'netpass' requires capability 'return-path'"},
      {requires_capability, S::capability, "x-colo", "return-path",
       "Capability 'x-colo' requires capability 'return-path'"},
      {requires_capability, S::capability, "switchover-ack", "return-path",
       "Capability 'switchover-ack' requires capability 'return-path'"},
      {requires_capability, S::capability, "postcopy-preempt", "postcopy-ram",
       "Postcopy preempt requires postcopy-ram"},
      {requires_capability, S::capability, "zero-copy-send", "multifd",
       "Zero copy only available for non-compressed non-TLS multifd migration"},
      {excludes_capability, S::capability, "multifd", "xbzrle",
       "Multifd is not compatible with xbzrle"},
      {excludes_capability, S::capability, "mapped-ram", "xbzrle",
       "Mapped-ram migration is incompatible with xbzrle"},
      {excludes_capability, S::capability, "mapped-ram", "postcopy-ram",
       "Mapped-ram migration is incompatible with postcopy"},
      {excludes_capability, S::capability, "x-ignore-shared", "postcopy-ram",
       "Postcopy is not compatible with ignore-shared"},
      // The channel.
      {needs_file_target, S::capability, "mapped-ram", "",
       "capability 'mapped-ram' needs a seekable file: target"},
      {needs_unix_channel, S::capability, "local-char-socket", "",
       "capability 'local-char-socket' passes chardev fds and needs a UNIX-socket channel"},
      {needs_unix_channel, S::parameter, "backend-transfer", "",
       "parameter 'backend-transfer' passes backend fds and needs a UNIX-socket channel"},
      {needs_unix_channel, S::parameter, "fds", "",
       "parameter 'fds' passes backend fds and needs a UNIX-socket channel"},
      // Both sides.
      {must_match, S::capability, "postcopy-ram", "", ""},
      {must_match, S::capability, "postcopy-preempt", "", ""},
      {must_match, S::capability, "multifd", "", ""},
      {must_match, S::capability, "return-path", "", ""},
      {must_match, S::capability, "x-colo", "", ""},
      {must_match, S::capability, "switchover-ack", "", ""},
      {must_match, S::capability, "mapped-ram", "", ""},
      {must_match, S::capability, "x-ignore-shared", "", ""},
      {must_match, S::capability, "validate-uuid", "", ""},
      {must_match, S::capability, "netpass", "", ""},
      {must_match, S::capability, "local-char-socket", "", ""},
      {must_match, S::parameter, "multifd-channels", "", ""},
      {must_match, S::parameter, "multifd-compression", "", ""},
      {must_match, S::parameter, "backend-transfer", "", ""},
      {must_match, S::parameter, "fds", "", ""},
  };
  return rules;
}

namespace {
bool matches(Subject kind, std::string_view name) {
  const auto& rules = migration_rules();
  return std::any_of(rules.begin(), rules.end(), [&](const MigrationRule& r) {
    return r.kind == RuleKind::must_match && r.subject_kind == kind && r.subject == name;
  });
}
}  // namespace

bool parameter_must_match(std::string_view name) { return matches(Subject::parameter, name); }
bool capability_must_match(std::string_view name) { return matches(Subject::capability, name); }

}  // namespace qsock::migration

namespace qsock::migration {

const std::vector<ParameterRange>& parameter_ranges() {
  static const std::vector<ParameterRange> ranges = {
      {"downtime-limit", 0, 2'000'000,
       "Parameter 'downtime_limit' expects an integer in the range of 0 to 2000 seconds"},
      {"multifd-channels", 1, 255,
       "Parameter 'multifd_channels' expects a value between 1 and 255"},
      {"multifd-zlib-level", 0, 9,
       "Parameter 'multifd_zlib_level' expects a value between 0 and 9"},
      {"multifd-zstd-level", 0, 20,
       "Parameter 'multifd_zstd_level' expects a value between 0 and 20"},
      {"cpu-throttle-initial", 1, 99,
       "Parameter 'cpu_throttle_initial' expects an integer in the range of 1 to 99"},
      {"cpu-throttle-increment", 1, 99,
       "Parameter 'cpu_throttle_increment' expects an integer in the range of 1 to 99"},
      {"max-cpu-throttle", 1, 99,
       "Parameter 'max_cpu_throttle' expects an integer in the range of 1 to 99"},
      {"throttle-trigger-threshold", 1, 100,
       "Parameter 'throttle_trigger_threshold' expects an integer in the range of 1 to 100"},
  };
  return ranges;
}

const std::vector<BackendAlias>& backend_aliases() {
  static const std::vector<BackendAlias> aliases = {{"virtio-net-tap", "virtio-net"}};
  return aliases;
}

}  // namespace qsock::migration
