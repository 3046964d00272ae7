#include "migration/monitor.h"

#include <fmt/format.h>

#include "base/names.h"
#include "migration/hmp_monitor.h"
#include "migration/qmp_monitor.h"
#include "qmp/monitor_listener.h"
#include "qmp/protocol_detect.h"
#include "sockopts/peercred.h"

namespace qsock::migration {

std::string_view protocol_name(MonitorProtocol p) {
  static constexpr Named<MonitorProtocol> names[] = {{MonitorProtocol::qmp, "QMP"},
                                                     {MonitorProtocol::hmp, "HMP"}};
  return name_in<MonitorProtocol>(names, p);
}

qmp::Result<std::unique_ptr<Monitor>> connect_monitor(const qmp::MonitorAddress& address,
                                                      Deadline deadline) {
  if (address.kind == qmp::MonitorAddress::Kind::libvirt) {
    // Through libvirt: QMP, always.
    auto s = qmp::Session::connect(address, deadline);
    if (!s) return tl::unexpected(s.error());
    return std::make_unique<QmpMonitor>(address, std::move(*s));
  }
  auto connection = qmp::Connection::open(address, deadline);
  if (!connection) return tl::unexpected(connection.error());
  auto detected = qmp::detect_protocol(std::move(*connection), deadline);
  if (!detected) return tl::unexpected(detected.error());
  if (detected->protocol == qmp::Protocol::qmp) {
    auto s = qmp::Session::start(std::move(detected->connection), deadline, detected->already_read);
    if (!s) return tl::unexpected(s.error());
    return std::make_unique<QmpMonitor>(address, std::move(*s));
  }
  auto h =
      qmp::HmpSession::start(std::move(detected->connection), deadline, detected->already_read);
  if (!h) return tl::unexpected(h.error());
  return std::make_unique<HmpMonitor>(address, std::move(*h));
}

std::string machine_type_from_qom(std::string_view type) {
  while (!type.empty() && (type.back() == '\n' || type.back() == '\r' || type.back() == ' '))
    type.remove_suffix(1);
  if (type.size() >= 2 && type.front() == '"' && type.back() == '"')
    type = type.substr(1, type.size() - 2);
  constexpr std::string_view suffix = "-machine";
  if (type.ends_with(suffix)) type.remove_suffix(suffix.size());
  return std::string(type);
}

qmp::Result<void> fd_passing_possible(const qmp::MonitorAddress& address) {
  if (address.kind == qmp::MonitorAddress::Kind::unix_socket) return {};
  return qmp::fail(qmp::ErrorKind::invalid,
                   fmt::format("cannot pass a socket to {}: fd passing needs a UNIX monitor socket",
                               address.describe()));
}

std::optional<pid_t> monitor_peer_pid(const qmp::MonitorAddress& address) {
  if (address.kind != qmp::MonitorAddress::Kind::unix_socket) return std::nullopt;
  if (auto pid = qmp::listener_pid(address.path)) return pid;
  // Not in this network namespace's table: another connection only to read
  // the listener's credentials. It waits in the queue of the monitor qsock
  // holds until qsock leaves (harmless, but a slot).
  auto pid = sockopts::pid_of_unix_peer(address.path);
  if (!pid) return std::nullopt;
  return *pid;
}

bool schema_has_inet_member(const schema::Schema& schema, std::string_view member,
                            const std::optional<schema::QemuVersion>& release) {
  const schema::TypeDef* inet = schema.find("InetSocketAddress");
  const schema::Member* m = inet ? schema.member(*inet, member) : nullptr;
  if (!m) return false;
  return !release || m->avail.in_release(*release);
}

}  // namespace qsock::migration
