#include "migration/qmp_monitor.h"

#include <fmt/format.h>

#include "qmp/live_schema.h"

namespace qsock::migration {

QmpMonitor::QmpMonitor(qmp::MonitorAddress address, qmp::Session session)
    : address_(std::move(address)),
      session_(std::move(session)),
      pid_(session_.libvirt() != nullptr ? session_.libvirt()->qemu_pid()
                                         : monitor_peer_pid(address_)) {}

QmpMonitor::~QmpMonitor() { release_fd(); }

std::string QmpMonitor::version() const { return session_.greeting().version_string(); }

bool QmpMonitor::can_pass_fds() const { return fd_passing_possible(address_).has_value(); }

bool QmpMonitor::supports_channels() const {
  return features_.has("migrate-channels").value_or(false);
}

std::string QmpMonitor::cannot_set_parameter(const std::string& /*name*/,
                                             const Json& /*value*/) const {
  return "";  // migrate-set-parameters takes any JSON value
}

qmp::Result<void> QmpMonitor::run(const char* command, const Json& arguments, Deadline deadline) {
  auto r = session_.execute(command, arguments, deadline);
  if (!r) return tl::unexpected(r.error());
  return {};
}

qmp::Result<void> QmpMonitor::load_schema(Deadline deadline) {
  auto s = qmp::live_schema(session_, deadline);
  if (!s) return tl::unexpected(s.error());
  schema_ = std::make_unique<schema::Schema>(std::move(*s));
  features_ = qmp::detect_features(*schema_, version());
  return {};
}

bool QmpMonitor::has_inet_member(std::string_view member) const {
  return schema_has_inet_member(*schema_, member, std::nullopt);
}

qmp::Result<std::optional<Milliseconds>> QmpMonitor::downtime_limit(Deadline deadline) {
  auto r = session_.execute("query-migrate-parameters", nullptr, deadline);
  if (!r) return tl::unexpected(r.error());
  std::optional<Milliseconds> out;
  if (r->contains("downtime-limit") && (*r)["downtime-limit"].is_number())
    out = Milliseconds((*r)["downtime-limit"].get<long long>());
  return out;
}

qmp::Result<std::map<std::string, bool>> QmpMonitor::capabilities(Deadline deadline) {
  auto r = session_.execute("query-migrate-capabilities", nullptr, deadline);
  if (!r) return tl::unexpected(r.error());
  std::map<std::string, bool> out;
  for (const Json& c : *r)
    if (c.is_object() && c.contains("capability") && c.contains("state"))
      out[c["capability"].get<std::string>()] = c["state"].get<bool>();
  return out;
}

qmp::Result<void> QmpMonitor::set_capabilities(const std::vector<CapabilityRequest>& caps,
                                               Deadline deadline) {
  if (caps.empty()) return {};
  Json list = Json::array();
  for (const CapabilityRequest& c : caps)
    list.push_back(Json{{"capability", c.name}, {"state", c.state}});
  return run("migrate-set-capabilities", Json{{"capabilities", list}}, deadline);
}

qmp::Result<void> QmpMonitor::set_parameters(const Json& params, Deadline deadline) {
  if (params.empty()) return {};
  return run("migrate-set-parameters", params, deadline);
}

qmp::Result<MigrationInfo> QmpMonitor::query_migrate(Deadline deadline) {
  auto r = session_.execute("query-migrate", nullptr, deadline);
  if (!r) return tl::unexpected(r.error());
  return migration_info_from_json(*r);
}

namespace {
Json migrate_arguments(const std::string& uri, const Json& target, bool channels) {
  Json args = Json::object();
  if (channels)
    args["channels"] = Json::array({Json{{"channel-type", "main"}, {"addr", target}}});
  else
    args["uri"] = uri;
  return args;
}
}  // namespace

qmp::Result<void> QmpMonitor::migrate(const std::string& uri, const Json& target, bool channels,
                                      Deadline deadline) {
  return run("migrate", migrate_arguments(uri, target, channels), deadline);
}

qmp::Result<void> QmpMonitor::start_postcopy(Deadline deadline) {
  return run("migrate-start-postcopy", nullptr, deadline);
}

qmp::Result<void> QmpMonitor::recover(const std::string& uri, Deadline deadline) {
  return run("migrate-recover", Json{{"uri", uri}}, deadline);
}

qmp::Result<void> QmpMonitor::resume(const std::string& uri, const Json& target, bool channels,
                                     Deadline deadline) {
  Json args = migrate_arguments(uri, target, channels);
  args["resume"] = true;
  return run("migrate", args, deadline);
}

qmp::Result<void> QmpMonitor::migrate_incoming(const std::string& uri, Deadline deadline) {
  return run("migrate-incoming", Json{{"uri", uri}}, deadline);
}

qmp::Result<void> QmpMonitor::cancel(Deadline deadline) {
  return run("migrate_cancel", nullptr, deadline);
}

qmp::Result<std::string> QmpMonitor::run_state(Deadline deadline) {
  auto r = session_.execute("query-status", nullptr, deadline);
  if (!r) return tl::unexpected(r.error());
  if (!r->is_object() || !r->contains("status") || !(*r)["status"].is_string())
    return qmp::fail(qmp::ErrorKind::protocol, "query-status returned no status");
  return (*r)["status"].get<std::string>();
}

qmp::Result<void> QmpMonitor::cont(Deadline deadline) { return run("cont", nullptr, deadline); }

qmp::Result<std::string> QmpMonitor::machine_type(Deadline deadline) {
  auto r = session_.execute("qom-get", {{"path", "/machine"}, {"property", "type"}}, deadline);
  if (!r) return tl::unexpected(r.error());
  if (!r->is_string())
    return qmp::fail(qmp::ErrorKind::protocol, "qom-get /machine type: not a string");
  return machine_type_from_qom(r->get<std::string>());
}

qmp::Result<void> QmpMonitor::pass_fd(int fd, const std::string& name, Deadline deadline) {
  if (auto can = fd_passing_possible(address_); !can) return can;
  release_fd();
  auto named = qmp::pass_fd(session_, fd, name, deadline);
  if (!named) return tl::unexpected(named.error());
  named_fd_.emplace(std::move(*named));
  return {};
}

void QmpMonitor::consume_fd() {
  if (named_fd_) named_fd_->keep();
  named_fd_.reset();
}

void QmpMonitor::release_fd() { named_fd_.reset(); }  // sends closefd

std::vector<qmp::Event> QmpMonitor::events(Deadline deadline) {
  std::vector<qmp::Event> out;
  for (;;) {
    auto e = session_.next_event(out.empty() ? deadline : Deadline::after(Milliseconds(0)));
    if (!e) break;
    out.push_back(std::move(*e));
  }
  return out;
}

}  // namespace qsock::migration
