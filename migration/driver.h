// The migration driver: preflight, configure both sides, start, follow to
// the end under deadlines, cancel when a bound fires, put the source back,
// report. No printing: progress and notes go to the sinks cli/ gives.
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>

#include "base/interrupt.h"
#include "base/units.h"
#include "migration/info.h"
#include "migration/plan.h"
#include "migration/preflight.h"
#include "migration/report.h"
#include "qmp/error.h"
#include "qmp/monitor_address.h"
#include "sockopts/options.h"

namespace qsock::migration {

struct DriverOptions {
  std::optional<Milliseconds> timeout;  // --timeout: the whole migration, then cancel
  Milliseconds command_timeout{10000};  // each monitor command
  std::optional<Milliseconds> stall;    // --stall: no bytes moved for this long
  bool cancel_on_stall = false;         // --cancel-on-stall
  bool prepare_only = false;            // --prepare
  Milliseconds poll_interval{100};      // between query-migrate polls (events may cut it short)
  const InterruptFlag* interrupted = nullptr;  // set by SIGINT, SIGTERM or SIGHUP
  // watch --bound: these options on every connection of the migration, on
  // each side whose QEMU pid is known, as they appear.
  std::optional<sockopts::SocketOptions> bound;
  // The migration's TCP port, when the destination's monitor cannot say it.
  std::optional<std::uint16_t> port;
  // The source belongs to a manager (libvirt): qsock never sends it cont or
  // migrate_cancel; the manager puts it back.
  bool source_managed = false;
};

struct ProgressUpdate {
  MigrationInfo info;
  Milliseconds elapsed{0};
  std::uint64_t pass = 0;
  std::string event;  // the event that prompted it ("MIGRATION", "STOP", ...), "" for a poll
};

struct DriverSinks {
  std::function<void(const ProgressUpdate&)> progress;
  std::function<void(const std::string&)> note;  // something the operator should know now
};

struct DriverOutcome {
  enum class Kind {
    report,            // it ran (or was prepared): see report
    preflight_failed,  // nothing was changed: see preflight.problems
    error,             // qsock could not drive it: see error (and report, if it started)
  };
  Kind kind = Kind::report;
  Preflight preflight;
  MigrationReport report;
  qmp::Error error;
  bool started = false;      // migrate was sent
  bool interrupted = false;  // SIGINT ended it
};

class Monitor;

// Drives the migration through monitors already connected, their schemas
// loaded (Monitor::load_schema); `destination` may be null (no -d).
DriverOutcome run_migration(Monitor& source, Monitor* destination, const MigrationPlan& plan,
                            const DriverOptions& options, const DriverSinks& sinks);

// Attaches to a migration someone else started and follows it to the end.
DriverOutcome watch_migration(Monitor& source, Monitor* destination, const DriverOptions& options,
                              const DriverSinks& sinks);

// Recovers a postcopy migration that paused (a dead peer, now back): the
// destination listens again (migrate-recover at the plan's target), the
// source resumes to it (migrate with resume), every new connection gets the
// plan's socket options (inject), and it is followed to the end. Both sides
// must be in postcopy-paused; the source is never resumed as a VM.
DriverOutcome resume_migration(Monitor& source, Monitor& destination, const MigrationPlan& plan,
                               const DriverOptions& options, const DriverSinks& sinks);

// The same, connecting to the monitors first (connect_monitor).
DriverOutcome run_migration(const qmp::MonitorAddress& source,
                            const std::optional<qmp::MonitorAddress>& destination,
                            const MigrationPlan& plan, const DriverOptions& options,
                            const DriverSinks& sinks);

DriverOutcome resume_migration(const qmp::MonitorAddress& source,
                               const qmp::MonitorAddress& destination, const MigrationPlan& plan,
                               const DriverOptions& options, const DriverSinks& sinks);

DriverOutcome watch_migration(const qmp::MonitorAddress& source,
                              const std::optional<qmp::MonitorAddress>& destination,
                              const DriverOptions& options, const DriverSinks& sinks);

}  // namespace qsock::migration
