#include "migration/plan.h"

#include "base/names.h"

namespace qsock::migration {

namespace {
constexpr Named<SockoptsMode> mode_names[] = {
    {SockoptsMode::automatic, "auto"},
    {SockoptsMode::native, "native"},
    {SockoptsMode::fd, "fd"},
    {SockoptsMode::inject, "inject"},
};
}  // namespace

std::string_view mode_name(SockoptsMode m) { return name_in<SockoptsMode>(mode_names, m, "auto"); }

std::optional<SockoptsMode> parse_mode(std::string_view name) {
  return value_in<SockoptsMode>(mode_names, name);
}

std::string MigrationPlan::transport() const {
  if (!target.is_object()) return "";
  return target.value("transport", "");
}

bool MigrationPlan::target_socket_is(std::string_view type) const {
  return transport() == "socket" && target.value("type", "") == type;
}

}  // namespace qsock::migration
