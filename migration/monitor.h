// The operations the migration driver needs from one QEMU, as an interface:
// QMP (qmp_monitor.h) and HMP (hmp_monitor.h) implement it today, and a test
// substitutes a scripted one (tests/migration/scripted_monitor.h). What a
// transport cannot express is said by the interface (supports_events(),
// cannot_set_parameter(), ...), so the driver never asks which one it has.
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/deadline.h"
#include "base/json.h"
#include "base/units.h"
#include "migration/info.h"
#include "migration/plan.h"
#include "qmp/error.h"
#include "qmp/features.h"
#include "qmp/monitor_address.h"
#include "qmp/session.h"
#include "schema/model.h"
#include "schema/versions.h"

namespace qsock::migration {

enum class MonitorProtocol { qmp, hmp };
std::string_view protocol_name(MonitorProtocol p);  // "QMP", "HMP"

class Monitor {
 public:
  Monitor() = default;
  Monitor(const Monitor&) = delete;
  Monitor& operator=(const Monitor&) = delete;
  Monitor(Monitor&&) = delete;
  Monitor& operator=(Monitor&&) = delete;
  virtual ~Monitor() = default;

  virtual MonitorProtocol protocol() const = 0;
  virtual std::string version() const = 0;  // "7.2.22", "" when unknown
  // The QEMU's pid (SO_PEERCRED of a UNIX monitor), for pidfd_getfd.
  virtual std::optional<pid_t> pid() const = 0;
  virtual bool can_pass_fds() const = 0;  // a UNIX monitor socket
  // Whether events() can deliver anything (MIGRATION, STOP, RESUME, ...).
  virtual bool supports_events() const = 0;
  // Whether migrate takes {"channels": [...]} here (else only a URI).
  virtual bool supports_channels() const = 0;
  // Why this monitor cannot set parameter `name` to `value` ("HMP, whose
  // migrate_set_parameter cannot express parameter 'x' = [...]"), or "".
  virtual std::string cannot_set_parameter(const std::string& name, const Json& value) const = 0;

  // The schema and features (see each implementation for where they come from).
  virtual qmp::Result<void> load_schema(Deadline deadline) = 0;
  virtual const schema::Schema& schema() const = 0;
  virtual const qmp::Features& features() const = 0;
  // The release the schema stands for, when it is not the QEMU's own (HMP).
  virtual std::optional<schema::QemuVersion> schema_release() const = 0;
  // Whether InetSocketAddress has `member` in this QEMU.
  virtual bool has_inet_member(std::string_view member) const = 0;
  virtual qmp::Result<std::optional<Milliseconds>> downtime_limit(Deadline deadline) = 0;

  virtual qmp::Result<std::map<std::string, bool>> capabilities(Deadline deadline) = 0;
  virtual qmp::Result<void> set_capabilities(const std::vector<CapabilityRequest>& caps,
                                             Deadline deadline) = 0;
  virtual qmp::Result<void> set_parameters(const Json& params, Deadline deadline) = 0;
  virtual qmp::Result<MigrationInfo> query_migrate(Deadline deadline) = 0;
  // With channels (supports_channels()): {"channels":[{"channel-type":"main",
  // "addr":TARGET}]}; else the URI.
  virtual qmp::Result<void> migrate(const std::string& uri, const Json& target, bool channels,
                                    Deadline deadline) = 0;
  virtual qmp::Result<void> migrate_incoming(const std::string& uri, Deadline deadline) = 0;
  // Postcopy: switch a running precopy migration to postcopy; on a paused
  // postcopy, listen again on the destination (migrate-recover) and resume
  // from the source (migrate with resume).
  virtual qmp::Result<void> start_postcopy(Deadline deadline) = 0;
  virtual qmp::Result<void> recover(const std::string& uri, Deadline deadline) = 0;
  virtual qmp::Result<void> resume(const std::string& uri, const Json& target, bool channels,
                                   Deadline deadline) = 0;
  virtual qmp::Result<void> cancel(Deadline deadline) = 0;
  // "running", "paused", "postmigrate", "inmigrate", ...
  virtual qmp::Result<std::string> run_state(Deadline deadline) = 0;
  virtual qmp::Result<void> cont(Deadline deadline) = 0;
  // The machine type the VM runs ("pc-i440fx-10.0"): QOM's /machine type
  // without its "-machine" suffix, so an alias (-M pc) shows what it means.
  virtual qmp::Result<std::string> machine_type(Deadline deadline) = 0;
  // getfd NAME with `fd`; until consume_fd() the name is closed again on destruction.
  virtual qmp::Result<void> pass_fd(int fd, const std::string& name, Deadline deadline) = 0;
  virtual void consume_fd() = 0;  // QEMU took it (migrate fd:NAME)
  virtual void release_fd() = 0;  // closefd now (best effort)
  // Events that arrive before `deadline`. A monitor without events waits
  // out the deadline and returns none, so a caller can pace its polls on it.
  virtual std::vector<qmp::Event> events(Deadline deadline) = 0;
};

// Connects to `address` and detects the protocol (QMP greets, HMP prints a
// banner). The schema is not loaded yet: see Monitor::load_schema.
qmp::Result<std::unique_ptr<Monitor>> connect_monitor(const qmp::MonitorAddress& address,
                                                      Deadline deadline);

// What the implementations share.
// "pc-i440fx-10.0" from QOM's type name "pc-i440fx-10.0-machine" (HMP's
// qom-get prints it quoted, with a newline).
std::string machine_type_from_qom(std::string_view type);
// Whether a socket can be passed to the monitor at `address` (a UNIX
// socket), else the error that says why not.
qmp::Result<void> fd_passing_possible(const qmp::MonitorAddress& address);
// The pid of the QEMU listening on a UNIX monitor socket, if readable.
std::optional<pid_t> monitor_peer_pid(const qmp::MonitorAddress& address);
// Whether `schema` has InetSocketAddress `member`; with `release`, only if
// that release has it.
bool schema_has_inet_member(const schema::Schema& schema, std::string_view member,
                            const std::optional<schema::QemuVersion>& release);

}  // namespace qsock::migration
