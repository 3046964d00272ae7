// Monitor over a QMP session: every operation is one QMP command; the schema
// and features come from the QEMU's own query-qmp-schema.
#pragma once

#include <optional>

#include "migration/monitor.h"
#include "qmp/fd_passing.h"
#include "qmp/session.h"

namespace qsock::migration {

class QmpMonitor final : public Monitor {
 public:
  QmpMonitor(qmp::MonitorAddress address, qmp::Session session);
  QmpMonitor(const QmpMonitor&) = delete;
  QmpMonitor& operator=(const QmpMonitor&) = delete;
  QmpMonitor(QmpMonitor&&) = delete;
  QmpMonitor& operator=(QmpMonitor&&) = delete;
  ~QmpMonitor() override;

  MonitorProtocol protocol() const override { return MonitorProtocol::qmp; }
  std::string version() const override;
  std::optional<pid_t> pid() const override { return pid_; }
  bool can_pass_fds() const override;
  bool supports_events() const override { return true; }
  bool supports_channels() const override;
  std::string cannot_set_parameter(const std::string& name, const Json& value) const override;

  qmp::Result<void> load_schema(Deadline deadline) override;
  const schema::Schema& schema() const override { return *schema_; }
  const qmp::Features& features() const override { return features_; }
  std::optional<schema::QemuVersion> schema_release() const override { return std::nullopt; }
  bool has_inet_member(std::string_view member) const override;
  qmp::Result<std::optional<Milliseconds>> downtime_limit(Deadline deadline) override;

  qmp::Result<std::map<std::string, bool>> capabilities(Deadline deadline) override;
  qmp::Result<void> set_capabilities(const std::vector<CapabilityRequest>& caps,
                                     Deadline deadline) override;
  qmp::Result<void> set_parameters(const Json& params, Deadline deadline) override;
  qmp::Result<MigrationInfo> query_migrate(Deadline deadline) override;
  qmp::Result<void> migrate(const std::string& uri, const Json& target, bool channels,
                            Deadline deadline) override;
  qmp::Result<void> migrate_incoming(const std::string& uri, Deadline deadline) override;
  qmp::Result<void> cancel(Deadline deadline) override;
  qmp::Result<std::string> run_state(Deadline deadline) override;
  qmp::Result<void> cont(Deadline deadline) override;
  qmp::Result<void> start_postcopy(Deadline deadline) override;
  qmp::Result<void> recover(const std::string& uri, Deadline deadline) override;
  qmp::Result<void> resume(const std::string& uri, const Json& target, bool channels,
                           Deadline deadline) override;
  qmp::Result<std::string> machine_type(Deadline deadline) override;
  qmp::Result<void> pass_fd(int fd, const std::string& name, Deadline deadline) override;
  void consume_fd() override;
  void release_fd() override;
  std::vector<qmp::Event> events(Deadline deadline) override;

 private:
  // One command whose return value does not matter.
  qmp::Result<void> run(const char* command, const Json& arguments, Deadline deadline);

  qmp::MonitorAddress address_;
  qmp::Session session_;
  std::optional<pid_t> pid_;
  std::unique_ptr<schema::Schema> schema_;
  qmp::Features features_;
  std::optional<qmp::NamedFd> named_fd_;  // getfd guard until consumed
};

}  // namespace qsock::migration
