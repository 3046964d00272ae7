// The TCP sockets of another network namespace. A QEMU in its own network
// namespace (ip netns exec, a container) has connections the guard's own
// sock_diag socket cannot see: one created inside that namespace (setns
// there and back; CAP_SYS_ADMIN) can. Without the capability, the QEMU's
// /proc/PID/net/tcp{,6} tables show the same namespace's sockets.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/fd.h"
#include "sockopts/error.h"
#include "sockopts/tcp_diag.h"

namespace qsock::guard {

class NetnsSockets {
 public:
  // `member`: a process inside the namespace.
  explicit NetnsSockets(pid_t member);

  // Established, connecting and listening TCP sockets of the namespace.
  sockopts::Result<std::vector<sockopts::TcpDiagRow>> list();

  // A fingerprint of the namespace's TCP connections: /proc/net/snmp's
  // ActiveOpens and PassiveOpens (opened so far) and CurrEstab (open now). A
  // dump walks the kernel's whole established hash table (a millisecond on
  // a large host); reading the counters costs microseconds, and while they
  // stand still no connection has been established or closed since.
  std::optional<std::uint64_t> tcp_opens() const;
  void set_member(pid_t member) { member_ = member; }
  bool through_sock_diag() const { return sock_diag_.valid(); }

 private:
  pid_t member_;
  Fd sock_diag_;  // invalid: read member_'s /proc tables instead
};

// The fingerprint of a /proc/net/snmp text: ActiveOpens + PassiveOpens in
// the high bits, CurrEstab in the low 20 (a change of either changes it).
std::optional<std::uint64_t> tcp_opens_in(const std::string& snmp);

}  // namespace qsock::guard
