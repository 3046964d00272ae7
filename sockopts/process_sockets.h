// Another process's TCP sockets: found through /proc, duplicated with
// pidfd_getfd, read (and adjusted) through the duplicate. Options set on the
// duplicate are set on the process's own socket: it is the same socket.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "base/fd.h"
#include "sockopts/apply.h"
#include "sockopts/error.h"
#include "sockopts/options.h"
#include "sockopts/proc_net.h"
#include "sockopts/tcp_info.h"

namespace qsock::sockopts {

struct ProcessSocket {
  int fd = -1;  // the descriptor number in the process
  std::uint64_t inode = 0;
  SockAddr local;
  SockAddr remote;
  TcpState state = TcpState::unknown;  // from /proc/PID/net/tcp{,6}
};

// The TCP sockets among the process's descriptors, in fd order, matched by
// inode against the process's own network namespace's tables.
Result<std::vector<ProcessSocket>> list_tcp_sockets(pid_t pid);

// pidfd_open(pid).
Result<Fd> open_pidfd(pid_t pid);
// pidfd_getfd(pidfd, target_fd): a descriptor of ours for the same socket.
// EPERM comes with the hint about ptrace permissions.
Result<Fd> duplicate_fd(int pidfd, int target_fd);

struct SocketReport {
  ProcessSocket socket;
  Result<SocketOptions> options = tl::unexpected(Error{"not read", 0, {}, {}});
  Result<TcpInfo> tcp_info = tl::unexpected(Error{"not read", 0, {}, {}});
  // With a --set: the outcome, and what the read-back still lacks.
  std::optional<Result<void>> set;
  std::vector<Difference> not_applied;
};

struct SocketFilter {
  std::optional<SockAddr> peer;  // only sockets with this remote end
  bool include_listening = true;
};

bool matches(const SocketFilter& f, const ProcessSocket& s);

// For each matching socket: duplicate, optionally apply `set` (exact
// semantics), read options and TCP_INFO, close the duplicate. Errors that
// stop everything (no such process, no permission for /proc or pidfd_open)
// come back as the error; a per-socket failure stays in its report.
Result<std::vector<SocketReport>> inspect_process(pid_t pid, const SocketFilter& filter,
                                                  const std::optional<SocketOptions>& set = {});

}  // namespace qsock::sockopts
