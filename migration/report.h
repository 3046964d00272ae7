// The end of a migration, as qsock reports it: QEMU's numbers with their
// sources and units, what qsock observed itself, and what it did to the
// source afterwards. A value; cli/ prints it as text or as the --json line.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "migration/info.h"
#include "base/json.h"
#include "base/units.h"

namespace qsock::migration {

struct MigrationReport {
  std::string status;  // QEMU's final status ("completed", "failed", "cancelled"), or "prepared"
  std::optional<Milliseconds> downtime;           // source query-migrate "downtime"
  std::optional<Milliseconds> observed_downtime;  // source STOP event -> destination RESUME event
  std::optional<Milliseconds> downtime_limit;     // the parameter in effect
  std::optional<Milliseconds> expected_downtime;  // the last query-migrate "expected-downtime"
  std::optional<Milliseconds> total_time;         // source query-migrate "total-time"
  std::optional<Milliseconds> setup_time;
  std::optional<RamStats> ram;
  std::uint64_t passes = 0;  // MIGRATION_PASS events, else ram.dirty-sync-count
  std::string sockopts_via;  // "native", "fd", "inject"; "" when no options were asked for
  std::string destination_sockopts_via;
  bool fd_passed = false;
  // {"options": {...}, "tcp_info": {...}, "destination": {"options":..,"tcp_info":..}}
  Json socket = Json::object();
  std::string source_state;       // run state after qsock put it back
  bool source_resumed = false;    // qsock sent `cont`
  std::string destination_state;  // run state, "exited", or "" when not watched
  std::string error;              // QEMU's error-desc, or qsock's reason
  std::string fired;              // which bound ended it: "--timeout 30 s", "--stall 10 s", ...
  std::vector<std::string> notes;

  // {"event":"report","status":..,"downtime_ms":..,"observed_downtime_ms":..|null,...}
  Json to_json() const;
  // Whether the numbers agree with each other (downtime <= total time, the
  // byte counts add up); the problems found, empty when consistent.
  std::vector<std::string> inconsistencies() const;
};

}  // namespace qsock::migration
