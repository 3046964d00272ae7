// What query-migrate (or HMP's `info migrate`) says about a migration, as a
// value with units. Unknown members stay in `raw` (tolerant reader).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/json.h"
#include "base/units.h"
#include "qmp/error.h"

namespace qsock::migration {

struct RamStats {
  Bytes transferred;
  Bytes remaining;
  Bytes total;
  double mbps = 0;                     // megabits per second, as QEMU computes it
  std::uint64_t dirty_pages_rate = 0;  // pages per second
  std::uint64_t dirty_sync_count = 0;  // passes
  Bytes page_size{4096};
  std::optional<Bytes> precopy_bytes;   // 7.0+
  std::optional<Bytes> downtime_bytes;  // 7.0+
  std::optional<Bytes> postcopy_bytes;  // 7.0+
  // Pages the destination asked for out of turn, once it ran (postcopy).
  std::optional<std::uint64_t> postcopy_requests;
};

struct MigrationInfo {
  std::string status;  // "none", "setup", "active", "completed", "failed", ...
  std::optional<RamStats> ram;
  std::optional<Milliseconds> total_time;
  std::optional<Milliseconds> setup_time;
  std::optional<Milliseconds> expected_downtime;
  std::optional<Milliseconds> downtime;
  std::string error_desc;
  Json raw;  // the reply as received (or the HMP text as {"hmp": TEXT})
};

bool is_terminal(std::string_view status);  // completed, failed, cancelled
// The TCP port an incoming migration listens on (query-migrate's
// socket-address on the destination), if it names one.
std::optional<std::uint16_t> listening_port(const MigrationInfo& incoming);
// Where qsock stops following: a terminal status, or a paused postcopy (only
// a recovery moves that one on).
bool stops_following(std::string_view status);
// Whether the guest runs on the destination in this status: postcopy once the
// destination was started (postcopy-active, -paused, -recover...). Not
// postcopy-device (10.2+): the device state is still on its way and a
// failure there leaves the source whole.
bool guest_runs_on_destination(std::string_view status);

// From query-migrate's return value. Errors (kind protocol): not an object.
qmp::Result<MigrationInfo> migration_info_from_json(const Json& reply);

// From HMP `info migrate` ("Migration status: active", "transferred ram: 1234
// kbytes", ...). Lines it does not know are ignored; no status line is an error.
qmp::Result<MigrationInfo> migration_info_from_hmp(std::string_view text);

}  // namespace qsock::migration
