// Which permission the guard lacks for a QEMU, said exactly: pidfd_getfd
// and /proc/PID/fd need PTRACE_MODE_ATTACH on the process, which comes from
// CAP_SYS_PTRACE, or from being its user where Yama's ptrace_scope allows.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace qsock::guard {

struct Credentials {
  uid_t guard_uid = 0;
  bool has_cap_sys_ptrace = false;
  std::optional<int> ptrace_scope;  // kernel.yama.ptrace_scope, when Yama is there
};

// This process's: effective uid, CAP_SYS_PTRACE in its effective set, Yama's scope.
Credentials own_credentials();

// What to change so that the guard may reach a QEMU running as `qemu_uid`.
std::string missing_permission(const Credentials& c, uid_t qemu_uid);

}  // namespace qsock::guard
