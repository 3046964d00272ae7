// Monitor over a plain HMP monitor (-monitor unix:...): every operation is a
// line of text and its answer parsed. HMP has no events and no structured
// values; the schema is the embedded one at the release of the banner, with
// the capability and parameter names from `info migrate_capabilities` and
// `info migrate_parameters`.
#pragma once

#include <string>

#include "migration/monitor.h"
#include "qmp/hmp.h"

namespace qsock::migration {

class HmpMonitor final : public Monitor {
 public:
  HmpMonitor(qmp::MonitorAddress address, qmp::HmpSession session);
  HmpMonitor(const HmpMonitor&) = delete;
  HmpMonitor& operator=(const HmpMonitor&) = delete;
  HmpMonitor(HmpMonitor&&) = delete;
  HmpMonitor& operator=(HmpMonitor&&) = delete;
  ~HmpMonitor() override;

  MonitorProtocol protocol() const override { return MonitorProtocol::hmp; }
  std::string version() const override;
  std::optional<pid_t> pid() const override { return pid_; }
  bool can_pass_fds() const override;
  bool supports_events() const override { return false; }
  bool supports_channels() const override { return false; }
  std::string cannot_set_parameter(const std::string& name, const Json& value) const override;

  qmp::Result<void> load_schema(Deadline deadline) override;
  const schema::Schema& schema() const override { return *schema_; }
  const qmp::Features& features() const override { return features_; }
  std::optional<schema::QemuVersion> schema_release() const override;
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
  // One line; "Error: ..." in the answer becomes a QEMU error.
  qmp::Result<std::string> hmp(const std::string& line, Deadline deadline, int fd = -1);
  qmp::Result<void> command(const std::string& line, Deadline deadline);

  qmp::MonitorAddress address_;
  qmp::HmpSession session_;
  std::optional<pid_t> pid_;
  std::unique_ptr<schema::Schema> schema_;
  qmp::Features features_;
  std::string fd_name_;  // getfd name not yet consumed
};

}  // namespace qsock::migration
