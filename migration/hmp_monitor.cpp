#include "migration/hmp_monitor.h"

#include <cstdlib>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include "base/expected.h"
#include "qmp/fd_passing.h"
#include "schema/loader.h"

namespace qsock::migration {

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
}  // namespace

HmpMonitor::HmpMonitor(qmp::MonitorAddress address, qmp::HmpSession session)
    : address_(std::move(address)),
      session_(std::move(session)),
      pid_(monitor_peer_pid(address_)) {}

HmpMonitor::~HmpMonitor() { release_fd(); }

std::string HmpMonitor::version() const {
  // "QEMU 7.2.22 monitor - type 'help' for more information"
  const std::string& b = session_.banner();
  auto at = b.find("QEMU ");
  if (at == std::string::npos) return "";
  auto end = b.find(' ', at + 5);
  return b.substr(at + 5, end == std::string::npos ? std::string::npos : end - at - 5);
}

bool HmpMonitor::can_pass_fds() const { return fd_passing_possible(address_).has_value(); }

std::string HmpMonitor::cannot_set_parameter(const std::string& name, const Json& value) const {
  if (!value.is_array() && !value.is_object()) return "";
  return fmt::format("HMP, whose migrate_set_parameter cannot express parameter '{}' = {}", name,
                     dump_json(value));
}

qmp::Result<std::string> HmpMonitor::hmp(const std::string& line, Deadline deadline, int fd) {
  auto out = session_.run(line, deadline, fd);
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

qmp::Result<void> HmpMonitor::command(const std::string& line, Deadline deadline) {
  auto r = hmp(line, deadline);
  if (!r) return tl::unexpected(r.error());
  return {};
}

qmp::Result<void> HmpMonitor::load_schema(Deadline deadline) {
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

std::optional<schema::QemuVersion> HmpMonitor::schema_release() const {
  return schema::parse_qemu_version(version());
}

bool HmpMonitor::has_inet_member(std::string_view member) const {
  auto release = schema_release();
  return release && schema_has_inet_member(*schema_, member, release);
}

qmp::Result<std::optional<Milliseconds>> HmpMonitor::downtime_limit(Deadline deadline) {
  auto text = hmp("info migrate_parameters", deadline);
  if (!text) return tl::unexpected(text.error());
  std::optional<Milliseconds> out;
  for (auto& [k, v] : hmp_pairs(*text))
    if (k == "downtime-limit") out = Milliseconds(std::atoll(v.c_str()));  // "300 ms"
  return out;
}

qmp::Result<std::map<std::string, bool>> HmpMonitor::capabilities(Deadline deadline) {
  auto caps = hmp("info migrate_capabilities", deadline);
  if (!caps) return tl::unexpected(caps.error());
  std::map<std::string, bool> out;
  for (auto& [k, v] : hmp_pairs(*caps)) out[k] = v == "on";
  return out;
}

qmp::Result<void> HmpMonitor::set_capabilities(const std::vector<CapabilityRequest>& caps,
                                               Deadline deadline) {
  for (const CapabilityRequest& c : caps)
    QSOCK_TRY(command(fmt::format("migrate_set_capability {} {}", c.name, c.state ? "on" : "off"),
                      deadline));
  return {};
}

qmp::Result<void> HmpMonitor::set_parameters(const Json& params, Deadline deadline) {
  for (const auto& [name, value] : params.items()) {
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
    QSOCK_TRY(command(fmt::format("migrate_set_parameter {} {}", name, text), deadline));
  }
  return {};
}

qmp::Result<MigrationInfo> HmpMonitor::query_migrate(Deadline deadline) {
  auto text = hmp("info migrate", deadline);
  if (!text) return tl::unexpected(text.error());
  return migration_info_from_hmp(*text);
}

qmp::Result<void> HmpMonitor::migrate(const std::string& uri, const Json& /*target*/,
                                      bool /*channels*/, Deadline deadline) {
  return command("migrate -d " + uri, deadline);
}

qmp::Result<void> HmpMonitor::start_postcopy(Deadline deadline) {
  return command("migrate_start_postcopy", deadline);
}

qmp::Result<void> HmpMonitor::recover(const std::string& uri, Deadline deadline) {
  return command("migrate_recover " + uri, deadline);
}

qmp::Result<void> HmpMonitor::resume(const std::string& uri, const Json& /*target*/,
                                     bool /*channels*/, Deadline deadline) {
  return command("migrate -d -r " + uri, deadline);
}

qmp::Result<void> HmpMonitor::migrate_incoming(const std::string& uri, Deadline deadline) {
  return command("migrate_incoming " + uri, deadline);
}

qmp::Result<void> HmpMonitor::cancel(Deadline deadline) {
  return command("migrate_cancel", deadline);
}

qmp::Result<std::string> HmpMonitor::run_state(Deadline deadline) {
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

qmp::Result<void> HmpMonitor::cont(Deadline deadline) { return command("cont", deadline); }

qmp::Result<std::string> HmpMonitor::machine_type(Deadline deadline) {
  auto text = hmp("qom-get /machine type", deadline);
  if (!text) return tl::unexpected(text.error());
  std::string type = machine_type_from_qom(*text);
  // A type name has no blanks; an error reply ("unknown command: ...") has.
  if (type.empty() || type.find_first_of(" \t\n:'") != std::string::npos)
    return qmp::fail(
        qmp::ErrorKind::protocol,
        fmt::format("HMP 'qom-get /machine type' printed '{}'", text->substr(0, text->find('\n'))));
  return type;
}

qmp::Result<void> HmpMonitor::pass_fd(int fd, const std::string& name, Deadline deadline) {
  if (auto can = fd_passing_possible(address_); !can) return can;
  release_fd();
  auto r = hmp("getfd " + name, deadline, fd);
  if (!r) return tl::unexpected(r.error());
  fd_name_ = name;
  return {};
}

void HmpMonitor::consume_fd() { fd_name_.clear(); }

void HmpMonitor::release_fd() {
  if (fd_name_.empty()) return;
  (void)session_.run("closefd " + fd_name_, Deadline::after(qmp::NamedFd::cleanup_budget));
  fd_name_.clear();
}

std::vector<qmp::Event> HmpMonitor::events(Deadline deadline) {
  std::this_thread::sleep_for(deadline.remaining());
  return {};
}

}  // namespace qsock::migration
