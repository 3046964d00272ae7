#include "migration/monitor.h"

#include <cstdlib>

#include <fmt/format.h>

#include "qmp/live_schema.h"
#include "qmp/protocol_detect.h"
#include "sockopts/peercred.h"
#include "schema/loader.h"

namespace qsock::migration {

qmp::Result<std::unique_ptr<MigrationMonitor>> MigrationMonitor::connect(const qmp::MonitorAddress& address,
                                                                    Deadline deadline) {
  auto connection = qmp::Connection::open(address, deadline);
  if (!connection) return tl::unexpected(connection.error());
  auto detected = qmp::detect_protocol(std::move(*connection), deadline);
  if (!detected) return tl::unexpected(detected.error());
  std::unique_ptr<MigrationMonitor> m(new MigrationMonitor());
  m->address_ = address;
  if (detected->protocol == qmp::Protocol::qmp) {
    auto s = qmp::Session::start(std::move(detected->connection), deadline, detected->already_read);
    if (!s) return tl::unexpected(s.error());
    m->session_.emplace(std::move(*s));
  } else {
    auto h = qmp::HmpSession::start(std::move(detected->connection), deadline, detected->already_read);
    if (!h) return tl::unexpected(h.error());
    m->hmp_.emplace(std::move(*h));
  }
  if (address.kind == qmp::MonitorAddress::Kind::unix_socket) {
    // Another connection only to read the listener's credentials; QEMU
    // accepts it and never greets it (one client at a time), which is harmless.
    if (auto pid = sockopts::pid_of_unix_peer(address.path)) m->pid_ = *pid;
  }
  return m;
}

MigrationMonitor::~MigrationMonitor() { release_fd(); }

std::string MigrationMonitor::version() const {
  if (session_) return session_->greeting().version_string();
  // "QEMU 7.2.22 monitor - type 'help' for more information"
  const std::string& b = hmp_->banner();
  auto at = b.find("QEMU ");
  if (at == std::string::npos) return "";
  auto end = b.find(' ', at + 5);
  return b.substr(at + 5, end == std::string::npos ? std::string::npos : end - at - 5);
}

qmp::Result<std::string> MigrationMonitor::hmp(const std::string& line, Deadline deadline, int fd) {
  auto out = hmp_->run(line, deadline, fd);
  if (!out) return out;
  // HMP reports failures as text: "Error: ..." (or "...: error ..." from older paths).
  std::string_view text = *out;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  if (text.starts_with("Error: ")) {
    qmp::Error e{qmp::ErrorKind::qemu, std::string(text.substr(7)), Json()};
    e.qemu_error = Json{{"class", "GenericError"}, {"desc", e.message}};
    return tl::unexpected(e);
  }
  return out;
}

namespace {
// "name: value" lines of `info migrate_capabilities` / `info migrate_parameters`.
std::vector<std::pair<std::string, std::string>> hmp_pairs(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    std::string line = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? text.size() : nl + 1;
    auto colon = line.find(": ");
    if (colon == std::string::npos || colon == 0) continue;
    out.emplace_back(line.substr(0, colon), line.substr(colon + 2));
  }
  return out;
}

qmp::Result<void> ok_or(qmp::Result<Json> r) {
  if (!r) return tl::unexpected(r.error());
  return {};
}
}  // namespace

qmp::Result<void> MigrationMonitor::load_schema(Deadline deadline) {
  if (session_) {
    auto s = qmp::live_schema(*session_, deadline);
    if (!s) return tl::unexpected(s.error());
    schema_ = std::make_unique<schema::Schema>(std::move(*s));
    features_ = qmp::detect_features(*schema_, version());
    return {};
  }
  schema_ = std::make_unique<schema::Schema>(schema::embedded_schema());
  features_ = qmp::detect_features(*schema_, version());
  // The names this QEMU really has, from itself.
  auto caps = hmp("info migrate_capabilities", deadline);
  if (!caps) return tl::unexpected(caps.error());
  auto params = hmp("info migrate_parameters", deadline);
  if (!params) return tl::unexpected(params.error());
  features_.capabilities.clear();
  features_.parameters.clear();
  for (auto& [k, v] : hmp_pairs(*caps)) features_.capabilities.push_back(k);
  for (auto& [k, v] : hmp_pairs(*params)) features_.parameters.push_back(k);
  return {};
}

qmp::Result<std::map<std::string, bool>> MigrationMonitor::capabilities(Deadline deadline) {
  std::map<std::string, bool> out;
  if (session_) {
    auto r = session_->execute("query-migrate-capabilities", nullptr, deadline);
    if (!r) return tl::unexpected(r.error());
    for (const Json& c : *r)
      if (c.is_object() && c.contains("capability") && c.contains("state"))
        out[c["capability"].get<std::string>()] = c["state"].get<bool>();
    return out;
  }
  auto caps = hmp("info migrate_capabilities", deadline);
  if (!caps) return tl::unexpected(caps.error());
  for (auto& [k, v] : hmp_pairs(*caps)) out[k] = v == "on";
  return out;
}

qmp::Result<void> MigrationMonitor::set_capabilities(const std::vector<CapabilityRequest>& caps,
                                                Deadline deadline) {
  if (caps.empty()) return {};
  if (session_) {
    Json list = Json::array();
    for (const CapabilityRequest& c : caps)
      list.push_back(Json{{"capability", c.name}, {"state", c.state}});
    return ok_or(
        session_->execute("migrate-set-capabilities", Json{{"capabilities", list}}, deadline));
  }
  for (const CapabilityRequest& c : caps) {
    auto r =
        hmp(fmt::format("migrate_set_capability {} {}", c.name, c.state ? "on" : "off"), deadline);
    if (!r) return tl::unexpected(r.error());
  }
  return {};
}

qmp::Result<void> MigrationMonitor::set_parameters(const Json& params, Deadline deadline) {
  if (params.empty()) return {};
  if (session_) return ok_or(session_->execute("migrate-set-parameters", params, deadline));
  for (auto& [name, value] : params.items()) {
    std::string text;
    if (value.is_boolean())
      text = value.get<bool>() ? "on" : "off";
    else if (value.is_number())
      text = value.dump();
    else if (value.is_string())
      text = value.get<std::string>();
    else
      return qmp::fail(qmp::ErrorKind::invalid,
                  fmt::format("HMP cannot express parameter '{}' = {} (migrate_set_parameter "
                              "takes one word): use a QMP monitor",
                              name, dump_json(value)));
    auto r = hmp(fmt::format("migrate_set_parameter {} {}", name, text), deadline);
    if (!r) return tl::unexpected(r.error());
  }
  return {};
}

qmp::Result<MigrationInfo> MigrationMonitor::query_migrate(Deadline deadline) {
  if (session_) {
    auto r = session_->execute("query-migrate", nullptr, deadline);
    if (!r) return tl::unexpected(r.error());
    return migration_info_from_json(*r);
  }
  auto text = hmp("info migrate", deadline);
  if (!text) return tl::unexpected(text.error());
  return migration_info_from_hmp(*text);
}

qmp::Result<void> MigrationMonitor::migrate(const std::string& uri, const Json& target, bool channels,
                                       Deadline deadline) {
  if (session_) {
    Json args = Json::object();
    if (channels)
      args["channels"] = Json::array({Json{{"channel-type", "main"}, {"addr", target}}});
    else
      args["uri"] = uri;
    return ok_or(session_->execute("migrate", args, deadline));
  }
  auto r = hmp("migrate -d " + uri, deadline);
  if (!r) return tl::unexpected(r.error());
  return {};
}

qmp::Result<void> MigrationMonitor::migrate_incoming(const std::string& uri, Deadline deadline) {
  if (session_) return ok_or(session_->execute("migrate-incoming", Json{{"uri", uri}}, deadline));
  auto r = hmp("migrate_incoming " + uri, deadline);
  if (!r) return tl::unexpected(r.error());
  return {};
}

qmp::Result<void> MigrationMonitor::cancel(Deadline deadline) {
  if (session_) return ok_or(session_->execute("migrate_cancel", nullptr, deadline));
  auto r = hmp("migrate_cancel", deadline);
  if (!r) return tl::unexpected(r.error());
  return {};
}

qmp::Result<std::string> MigrationMonitor::run_state(Deadline deadline) {
  if (session_) {
    auto r = session_->execute("query-status", nullptr, deadline);
    if (!r) return tl::unexpected(r.error());
    if (!r->is_object() || !r->contains("status"))
      return qmp::fail(qmp::ErrorKind::protocol, "query-status returned no status");
    return (*r)["status"].get<std::string>();
  }
  // "VM status: running", "VM status: paused", "VM status: paused (postmigrate)"
  auto text = hmp("info status", deadline);
  if (!text) return tl::unexpected(text.error());
  auto at = text->find("VM status: ");
  if (at == std::string::npos)
    return qmp::fail(qmp::ErrorKind::protocol, "HMP 'info status' printed no 'VM status:' line");
  std::string rest = text->substr(at + 11);
  if (auto nl = rest.find('\n'); nl != std::string::npos) rest.resize(nl);
  if (auto open = rest.find(" ("); open != std::string::npos) {
    auto close = rest.find(')', open);
    return rest.substr(open + 2, close == std::string::npos ? std::string::npos : close - open - 2);
  }
  return rest;
}

qmp::Result<void> MigrationMonitor::cont(Deadline deadline) {
  if (session_) return ok_or(session_->execute("cont", nullptr, deadline));
  auto r = hmp("cont", deadline);
  if (!r) return tl::unexpected(r.error());
  return {};
}

qmp::Result<void> MigrationMonitor::pass_fd(int fd, const std::string& name, Deadline deadline) {
  if (!can_pass_fds())
    return qmp::fail(qmp::ErrorKind::invalid,
                fmt::format("cannot pass a socket to {}: fd passing needs a UNIX monitor socket",
                            address_.describe()));
  release_fd();
  if (session_) {
    auto named = qmp::pass_fd(*session_, fd, name, deadline);
    if (!named) return tl::unexpected(named.error());
    named_fd_.emplace(std::move(*named));
    return {};
  }
  auto r = hmp("getfd " + name, deadline, fd);
  if (!r) return tl::unexpected(r.error());
  hmp_fd_name_ = name;
  return {};
}

void MigrationMonitor::consume_fd() {
  if (named_fd_) named_fd_->keep();
  named_fd_.reset();
  hmp_fd_name_.clear();
}

void MigrationMonitor::release_fd() {
  named_fd_.reset();  // sends closefd
  if (!hmp_fd_name_.empty() && hmp_) {
    (void)hmp_->run("closefd " + hmp_fd_name_, Deadline::after(qmp::NamedFd::cleanup_budget));
    hmp_fd_name_.clear();
  }
}

std::vector<qmp::Event> MigrationMonitor::events(Deadline deadline) {
  std::vector<qmp::Event> out;
  if (!session_) return out;
  for (;;) {
    auto e = session_->next_event(out.empty() ? deadline : Deadline::after(Milliseconds(0)));
    if (!e) break;
    out.push_back(std::move(*e));
  }
  return out;
}

}  // namespace qsock::migration

namespace qsock::migration {

std::optional<schema::QemuVersion> MigrationMonitor::schema_release() const {
  if (session_) return std::nullopt;
  return schema::parse_qemu_version(version());
}

bool MigrationMonitor::has_inet_member(std::string_view member) const {
  const schema::TypeDef* inet = schema_->find("InetSocketAddress");
  const schema::Member* m = inet ? schema_->member(*inet, member) : nullptr;
  if (!m) return false;
  auto release = schema_release();
  return !hmp_ || (release && m->avail.in_release(*release));
}

qmp::Result<std::optional<Milliseconds>> MigrationMonitor::downtime_limit(Deadline deadline) {
  std::optional<Milliseconds> out;
  if (session_) {
    auto r = session_->execute("query-migrate-parameters", nullptr, deadline);
    if (!r) return tl::unexpected(r.error());
    if (r->contains("downtime-limit") && (*r)["downtime-limit"].is_number())
      out = Milliseconds((*r)["downtime-limit"].get<long long>());
    return out;
  }
  auto text = hmp("info migrate_parameters", deadline);
  if (!text) return tl::unexpected(text.error());
  for (auto& [k, v] : hmp_pairs(*text))
    if (k == "downtime-limit") out = Milliseconds(std::atoll(v.c_str()));  // "300 ms"
  return out;
}

}  // namespace qsock::migration
