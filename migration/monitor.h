// The few operations the migration driver needs from one QEMU, over a QMP
// session or a plain HMP monitor (-monitor unix:...), whichever the socket
// speaks. What HMP cannot express (lists, events) is an error saying so.
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/deadline.h"
#include "qmp/error.h"
#include "qmp/fd_passing.h"
#include "qmp/features.h"
#include "qmp/hmp.h"
#include "migration/info.h"
#include "migration/plan.h"
#include "qmp/monitor_address.h"
#include "qmp/session.h"
#include "schema/model.h"

namespace qsock::migration {

enum class MonitorProtocol { qmp, hmp };

class MigrationMonitor {
 public:
  // Connects and detects the protocol. Not movable once made (a NamedFd
  // points into it), hence the unique_ptr.
  static qmp::Result<std::unique_ptr<MigrationMonitor>> connect(const qmp::MonitorAddress& address,
                                                           Deadline deadline);
  MigrationMonitor(const MigrationMonitor&) = delete;
  MigrationMonitor& operator=(const MigrationMonitor&) = delete;

  MonitorProtocol protocol() const { return hmp_ ? MonitorProtocol::hmp : MonitorProtocol::qmp; }
  const qmp::MonitorAddress& address() const { return address_; }
  std::string version() const;  // "7.2.22", from the greeting or the HMP banner
  bool can_pass_fds() const { return address_.kind == qmp::MonitorAddress::Kind::unix_socket; }
  // The QEMU's pid (SO_PEERCRED of a UNIX monitor), for pidfd_getfd.
  std::optional<pid_t> pid() const { return pid_; }
  qmp::Session* qmp() { return session_ ? &*session_ : nullptr; }

  // The schema and features: QMP's query-qmp-schema; for HMP the embedded
  // schema (for types), with capability and parameter names from `info
  // migrate_capabilities` / `info migrate_parameters`.
  qmp::Result<void> load_schema(Deadline deadline);
  const schema::Schema& schema() const { return *schema_; }
  const qmp::Features& features() const { return features_; }
  // HMP: the release from the banner, since the schema is the embedded one.
  std::optional<schema::QemuVersion> schema_release() const;
  // Whether InetSocketAddress has `member` in this QEMU (see schema_release).
  bool has_inet_member(std::string_view member) const;
  qmp::Result<std::optional<Milliseconds>> downtime_limit(Deadline deadline);

  qmp::Result<std::map<std::string, bool>> capabilities(Deadline deadline);
  qmp::Result<void> set_capabilities(const std::vector<CapabilityRequest>& caps, Deadline deadline);
  qmp::Result<void> set_parameters(const Json& params, Deadline deadline);
  qmp::Result<MigrationInfo> query_migrate(Deadline deadline);
  // `channels` true: {"channels":[{"channel-type":"main","addr":TARGET}]}; else {"uri":URI}.
  qmp::Result<void> migrate(const std::string& uri, const Json& target, bool channels,
                       Deadline deadline);
  qmp::Result<void> migrate_incoming(const std::string& uri, Deadline deadline);
  qmp::Result<void> cancel(Deadline deadline);
  qmp::Result<std::string> run_state(Deadline deadline);  // "running", "paused", "postmigrate", ...
  qmp::Result<void> cont(Deadline deadline);
  // getfd NAME with `fd`; until consume_fd() the name is closed again on destruction.
  qmp::Result<void> pass_fd(int fd, const std::string& name, Deadline deadline);
  void consume_fd();  // QEMU took it (migrate fd:NAME)
  void release_fd();  // closefd now (best effort)
  // Events that arrive before `deadline` (QMP only; HMP has none).
  std::vector<qmp::Event> events(Deadline deadline);

  ~MigrationMonitor();

 private:
  MigrationMonitor() = default;
  qmp::Result<std::string> hmp(const std::string& line, Deadline deadline, int fd = -1);

  qmp::MonitorAddress address_;
  std::optional<qmp::Session> session_;
  std::optional<qmp::HmpSession> hmp_;
  std::optional<pid_t> pid_;
  std::unique_ptr<schema::Schema> schema_;
  qmp::Features features_;
  std::optional<qmp::NamedFd> named_fd_;  // QMP getfd guard
  std::string hmp_fd_name_;          // HMP getfd name not yet consumed
};

}  // namespace qsock::migration
