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

  // QEMU's pid on this host: the process whose command line carries the
  // domain's UUID (libvirt passes -uuid), when the connection is local.
  std::optional<pid_t> qemu_pid() const;

  const std::string& domain_name() const;
  const std::string& uri() const;

  struct State;

 private:
  explicit LibvirtLink(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};

}  // namespace qsock::qmp
