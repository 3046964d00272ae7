#include "migration/plan.h"

namespace qsock::migration {

std::string_view mode_name(SockoptsMode m) {
  switch (m) {
    case SockoptsMode::automatic:
      return "auto";
    case SockoptsMode::native:
      return "native";
    case SockoptsMode::fd:
      return "fd";
    case SockoptsMode::inject:
      return "inject";
  }
  return "auto";
}

std::optional<SockoptsMode> parse_mode(std::string_view name) {
  for (SockoptsMode m :
       {SockoptsMode::automatic, SockoptsMode::native, SockoptsMode::fd, SockoptsMode::inject})
    if (mode_name(m) == name) return m;
  return std::nullopt;
}

std::string MigrationPlan::transport() const {
  if (!target.is_object()) return "";
  return target.value("transport", "");
}

bool MigrationPlan::target_socket_is(std::string_view type) const {
  return transport() == "socket" && target.value("type", "") == type;
}

}  // namespace qsock::migration
