#include "guard/permission.h"

#include <linux/capability.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string_view>

#include <fmt/format.h>

namespace qsock::guard {

Credentials own_credentials() {
  Credentials c;
  c.guard_uid = ::geteuid();
  // CapEff in /proc/self/status: the effective set as a hex mask.
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (!line.starts_with("CapEff:")) continue;
    unsigned long long mask = std::stoull(line.substr(7), nullptr, 16);
    c.has_cap_sys_ptrace = (mask >> CAP_SYS_PTRACE) & 1U;
  }
  std::ifstream yama("/proc/sys/kernel/yama/ptrace_scope");
  int scope = 0;
  if (yama >> scope) c.ptrace_scope = scope;
  return c;
}

std::string missing_permission(const Credentials& c, uid_t qemu_uid) {
  if (c.has_cap_sys_ptrace)
    return "the guard has CAP_SYS_PTRACE: a security module (SELinux, AppArmor) or "
           "ptrace_scope 3 refuses it";
  if (c.guard_uid != qemu_uid)
    return fmt::format(
        "the guard runs as uid {} without CAP_SYS_PTRACE, the QEMU as uid {}: run the guard as "
        "root (the systemd unit does) or give it CAP_SYS_PTRACE",
        c.guard_uid, qemu_uid);
  if (c.ptrace_scope && *c.ptrace_scope >= 1)
    return fmt::format(
        "kernel.yama.ptrace_scope is {}: a process of the same user may not attach to QEMU; "
        "give the guard CAP_SYS_PTRACE, or set the sysctl to 0",
        *c.ptrace_scope);
  return "PTRACE_MODE_ATTACH refused: QEMU may have made itself non-dumpable "
         "(a setuid binary, prctl PR_SET_DUMPABLE); give the guard CAP_SYS_PTRACE";
}

}  // namespace qsock::guard
