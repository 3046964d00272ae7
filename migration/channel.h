// How socket options reach a migration socket (--sockopts native|fd|inject),
// and reading back what the socket really has.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "base/deadline.h"
#include "base/fd.h"
#include "base/json.h"
#include "migration/plan.h"
#include "migration/report.h"
#include "qmp/error.h"
#include "sockopts/options.h"

namespace qsock::migration {

// Options that act on an existing socket (keep-alive*, user-timeout): the
// ones fd and inject can apply (sockopts/options.h).
using sockopts::has_socket_options;

struct ModeChoice {
  SockoptsMode mode = SockoptsMode::native;
  std::string reason;  // why auto chose it, for the report
};

struct ChannelFacts {
  bool inet = false;                 // the target is a TCP address
  std::vector<std::string> missing;  // option members the QEMU's schema lacks
  bool can_pass_fds = false;         // UNIX monitor socket
  bool have_pid = false;             // the QEMU's pid is known (peer credentials)
  bool multi_channel = false;        // multifd or postcopy-preempt: QEMU opens more connections
};

// `auto`: native when the schema has every member, else fd (one channel
// only), else inject.
// An explicit mode the facts rule out is an error (kind invalid) saying why.
qmp::Result<ModeChoice> choose_mode(SockoptsMode requested, const ChannelFacts& facts);

// Which of the QEMU's sockets: the one connected to `remote_port` (source),
// or the one accepted on `local_port` (destination); loopback makes both ends
// one process's neighbours, so the port and the direction decide.
struct SocketMatch {
  std::optional<std::uint16_t> remote_port;
  std::optional<std::uint16_t> local_port;
};

// inject: waits (until `deadline`) for the QEMU's established socket that
// matches, duplicates it with pidfd_getfd and applies `o` to it. Returns the
// duplicate (for read-back and TCP_INFO; close it when done). `over`, when
// given, says whether the migration has ended: once it has, one more look,
// then it gives up (kind invalid) instead of waiting out the deadline for a
// socket that is gone.
qmp::Result<Fd> inject_options(pid_t pid, const SocketMatch& match,
                               const sockopts::SocketOptions& o, Deadline deadline,
                               const std::function<bool()>& over = {});

// Every connection of a migration that matches, however many the QEMU opens
// (the main channel, each multifd channel, the postcopy preempt channel).
// QEMU opens them itself, at its own pace, so qsock sweeps the process's
// sockets during the whole migration: each new established one gets
// `options` (inject; none: only read back) and is read back once, and no
// duplicate is kept (one would hold a dead peer's connection open).
struct ChannelSweeper {
  ChannelSweeper(pid_t process, SocketMatch which, sockopts::SocketOptions apply, SocketEnd side)
      : pid(process), match(which), options(std::move(apply)), end(side) {}

  pid_t pid;
  SocketMatch match;
  sockopts::SocketOptions options;  // what to apply; empty: read only
  SocketEnd end;
  std::set<std::uint64_t> seen;      // socket inodes already handled
  std::vector<SocketView> channels;  // each as read right after applying, in order found
  std::vector<std::string> failures;

  // One look at the process's sockets. Returns how many new ones it handled.
  std::size_t sweep();
};

// What `fd` has: its options against `wanted`, TCP_INFO, its addresses and
// SO_ERROR; `end` and `when` say which socket it is and when it was read.
SocketView read_back(int fd, const sockopts::SocketOptions& wanted, SocketEnd end,
                     SocketReadAt when);

}  // namespace qsock::migration
