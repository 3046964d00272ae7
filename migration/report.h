// The end of a migration, as qsock reports it: QEMU's numbers with their
// sources and units, what qsock observed itself, and what it did to the
// source afterwards. A value; cli/ prints it as text or as the --json line.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"
#include "base/units.h"
#include "migration/info.h"
#include "migration/plan.h"
#include "sockopts/apply.h"
#include "sockopts/options.h"
#include "sockopts/tcp_info.h"

namespace qsock::migration {

enum class SocketEnd { source, destination };
// When qsock read a socket: the source's at the end of the migration (its
// view stays open), the destination's right after its options were applied
// (qsock keeps no duplicate of it: one would hold the connection open after
// the destination died).
enum class SocketReadAt { end, start };
std::string_view read_at_text(SocketReadAt when);  // "at the end", "when applied, at the start"

// One end of the migration connection, read back from the socket itself.
struct SocketView {
  SocketEnd end = SocketEnd::source;
  SocketReadAt read_at = SocketReadAt::end;
  std::optional<sockopts::SocketOptions> options;  // the socket options in effect
  std::string options_error;                       // why they could not be read
  std::vector<sockopts::Difference> not_applied;   // wanted, but not what the socket has
  std::optional<sockopts::TcpInfo> tcp_info;
  std::string local;  // "h:p"
  std::string peer;
  std::string error;  // SO_ERROR's errno name, "" when none
};

// {"options": {...}|null, "not_applied": [{"key","wanted","effective"}], "tcp_info": {...}|null,
//  "local": "h:p", "peer": "h:p", "options_error"?, "error"?; the destination's with
//  "read": "when applied, at the start"}
Json to_json(const SocketView& v);

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
  // How the options reached each end's socket (native, fd, inject); none when
  // no options were asked for or none reached it.
  std::optional<SockoptsMode> sockopts_via;
  std::optional<SockoptsMode> destination_sockopts_via;
  bool fd_passed = false;
  std::optional<SocketView> source_socket;
  std::optional<SocketView> destination_socket;
  // Every connection of the migration found on each side (the main one, each
  // multifd channel, the preempt channel), as read when qsock found it.
  std::vector<SocketView> channels;
  bool postcopy = false;          // it switched to postcopy: the guest moved before all its pages
  std::string source_state;       // run state after qsock put it back
  bool source_resumed = false;    // qsock sent `cont`
  std::string destination_state;  // run state, "exited", or "" when not watched
  // The last line the destination QEMU wrote to its stderr during a migration
  // that did not complete, where that is a file qsock can read (stderr_log.h).
  std::string destination_stderr;
  std::string error;  // QEMU's error-desc, or qsock's reason
  std::string fired;  // which bound ended it: "--timeout 30 s", "--stall 10 s", ...
  std::vector<std::string> notes;

  // {"event":"report","status":..,"downtime_ms":..,"observed_downtime_ms":..|null,...,
  //  "socket": {SOURCE VIEW..., "destination": {DESTINATION VIEW}}}
  Json to_json() const;
  // Whether the numbers agree with each other (downtime <= total time, the
  // byte counts add up); the problems found, empty when consistent.
  std::vector<std::string> inconsistencies() const;
};

}  // namespace qsock::migration
