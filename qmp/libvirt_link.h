// A QEMU reached through libvirt rather than its monitor socket.
//
// libvirt holds a managed QEMU's QMP monitor for the VM's whole life, so
// qsock speaks to such a QEMU through libvirt's own passthrough
// (libvirt-qemu: virDomainQemuMonitorCommand[WithFiles] and QEMU monitor
// events). libvirt marks the domain "tainted: custom monitor control
// commands" on the first one. Every call is bounded by the caller's
// deadline (a call still under way in libvirt is abandoned, not waited for).
// Built without libvirt-dev, open() says so.
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/deadline.h"
#include "base/json.h"
#include "qmp/error.h"

namespace qsock::qmp {

// Whether this qsock was built with libvirt.
bool libvirt_compiled_in();

// "qemu:///system" unless LIBVIRT_DEFAULT_URI says otherwise: libvirt's own
// default-URI rule for a client that names none.
std::string default_libvirt_uri();

// A live migration through libvirt's own migration API (peer to peer: the
// source's libvirtd talks to the destination's).
struct LibvirtMigrateRequest {
  std::string dest_uri;     // the destination libvirtd, as the source's reaches it
  std::string migrate_uri;  // where QEMU sends the stream: tcp://HOST:PORT
  std::optional<unsigned long> bandwidth_mib;  // MiB/s
};

class LibvirtLink {
 public:
  // Connects to `uri` and finds the domain by name, UUID or id (the order
  // virsh tries), which must be running. Registers for its QEMU's events.
  static Result<std::shared_ptr<LibvirtLink>> open(const std::string& uri,
                                                   const std::string& domain, Deadline deadline);
  ~LibvirtLink();
  LibvirtLink(const LibvirtLink&) = delete;
  LibvirtLink& operator=(const LibvirtLink&) = delete;
  LibvirtLink(LibvirtLink&&) = delete;
  LibvirtLink& operator=(LibvirtLink&&) = delete;

  // Sends one QMP command message ({"execute": ..., "arguments": ...}) and
  // returns QEMU's reply object ({"return": ...} or {"error": ...}). With
  // `fd_to_pass` >= 0 the descriptor goes with it (local connections only).
  Result<Json> command(const Json& request, Deadline deadline, int fd_to_pass = -1);

  // The QEMU events that arrived, as QMP event messages ({"event", "data",
  // "timestamp"}), oldest first: waits for at least one until `deadline`;
  // an empty list when none came.
  Result<std::vector<Json>> events(Deadline deadline);

  // Migrates the domain live, peer to peer, and returns when libvirt's job
  // ends: nothing once it completed, libvirt's error otherwise. Not bounded:
  // run it on a thread of its own, and abort_job() to end it.
  Result<void> migrate(const LibvirtMigrateRequest& request);
  // libvirt's job statistics (virDomainGetJobStats) as a JSON object of its
  // typed parameters ("memory_processed", "time_elapsed", ...) plus "type"
  // (libvirt's job type number); `completed` asks for the last job's.
  Result<Json> job_stats(bool completed, Deadline deadline);
  Result<void> abort_job(Deadline deadline);
  // The domain's state as virsh domstate words it ("running", "paused",
  // "shut off", ...), or "gone" once libvirt no longer has it.
  Result<std::string> state(Deadline deadline);

  // QEMU's pid on this host: the process whose command line carries the
  // domain's UUID (libvirt passes -uuid), when the connection is local.
  // During a migration between two daemons of one host both QEMUs carry it:
  // `incoming` then picks the destination's (started with -incoming) or the
  // other one.
  enum class Role { any, incoming, running };
  std::optional<pid_t> qemu_pid(Role role = Role::any) const;

  const std::string& domain_name() const;
  const std::string& uri() const;

  struct State;

 private:
  explicit LibvirtLink(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};

}  // namespace qsock::qmp
