// The guard's counters and their Prometheus text form, for node_exporter's
// textfile collector: written to a temporary file and renamed over the old
// one, so the collector never reads half a file.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "base/units.h"
#include "guard/event.h"
#include "guard/policy.h"
#include "sockopts/error.h"

namespace qsock::guard {

struct KindCounters {
  std::uint64_t seen = 0;
  std::uint64_t bounded = 0;
  std::uint64_t already_bounded = 0;
  std::uint64_t failed = 0;
  std::uint64_t ignored = 0;
  std::uint64_t changed = 0;
  std::uint64_t current = 0;  // open connections the guard knows now
};

struct Counters {
  std::map<Kind, KindCounters> kinds;
  std::uint64_t qemu_processes = 0;
  std::uint64_t policy_reload_failures = 0;
  Microseconds interval{0};
  Microseconds slowest_scan{0};
  Microseconds last_scan{0};
  Microseconds reaction_max{0};
  double last_scan_unix_seconds = 0;

  // Counts a connection event of `kind` (seen is counted apart).
  void count(EventType type, Kind kind);
  // Interval plus the slowest scan: the longest a new connection waits.
  Microseconds detection_bound() const { return interval + slowest_scan; }
};

std::string prometheus_text(const Counters& c);

// `text` into `path` through PATH.tmp and rename(2).
sockopts::Result<void> write_atomically(const std::string& path, const std::string& text);

}  // namespace qsock::guard
