// A libvirt domain's live migration, started through libvirt's migration API
// (libvirt owns the job: it configures both QEMUs, cancels, resumes the
// source on failure) and bounded by qsock from outside: every connection of
// the migration on each QEMU that runs on this host gets the socket options
// as it appears (the sweepers of channel.h), progress comes from libvirt's
// job statistics, and the report is the same as a QMP migration's.
#pragma once

#include <optional>
#include <string>

#include "base/json.h"
#include "migration/driver.h"

namespace qsock::migration {

struct LibvirtMigration {
  std::string source_uri;  // the source libvirtd
  std::string domain;      // name, UUID or id there
  std::string dest_uri;    // the destination libvirtd, as the source's reaches it
  // Where QEMU sends the stream, as `qsock check` reads a migration address
  // ({"transport":"socket","type":"inet","host","port", socket options...}).
  Json target;
  std::optional<unsigned long> bandwidth_mib;  // MiB/s (libvirt's unit)
};

DriverOutcome run_libvirt_migration(const LibvirtMigration& m, const DriverOptions& options,
                                    const DriverSinks& sinks);

// Progress figures from libvirt's job statistics (virDomainGetJobStats keys).
MigrationInfo info_from_job_stats(const Json& stats, const std::string& status);

}  // namespace qsock::migration
