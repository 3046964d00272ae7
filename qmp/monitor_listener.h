// What the kernel says of a monitor's UNIX listener, read without connecting.
//
// QEMU serves one client a monitor at a time and listens with a backlog of 1.
// While another client (libvirt, a second qsock) holds the monitor, every new
// connect completes in the kernel and waits in the accept queue, even after
// its client gave up, until the holder leaves; after two, connect itself
// blocks. So qsock looks first: /proc/net/unix lists the listener (flag
// __SO_ACCEPTCON), the connections it accepted (state connected, with the
// listener's path) and those still queued (state connecting, no inode of their
// own).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/units.h"

namespace qsock::qmp {

// One row of /proc/net/unix.
struct UnixSocketRow {
  std::uint64_t inode = 0;
  bool listening = false;  // __SO_ACCEPTCON
  unsigned state = 0;      // 1 unconnected, 2 connecting, 3 connected, 4 disconnecting
  std::string path;        // "" when unbound; abstract names start with '@'
};

// The rows of a /proc/net/unix table; rows that do not parse are skipped.
std::vector<UnixSocketRow> parse_proc_net_unix(std::string_view text);

struct MonitorListener {
  std::uint64_t inode = 0;  // the listening socket's
  unsigned served = 0;      // connections QEMU accepted and still has
  unsigned queued = 0;      // connections waiting in its accept queue
};

// The listener bound to `path` as this network namespace's table shows it;
// nothing when the table has no listener there (none, or bound in another
// network namespace).
std::optional<MonitorListener> monitor_listener(const std::vector<UnixSocketRow>& table,
                                                std::string_view path);
std::optional<MonitorListener> monitor_listener(const std::string& path);

// The processes holding the socket with this inode in /proc/*/fd (those
// this user may read).
std::vector<pid_t> pids_holding_socket(std::uint64_t inode);

// The QEMU listening on the monitor at `path`, found without connecting: the
// listener's inode, its holder (a QEMU when several hold it, as a launcher
// that passed it on may). Nothing when the table or /proc does not show it.
std::optional<pid_t> listener_pid(const std::string& path);

// The libvirt domain whose monitor this is, from libvirt's layout
// (/var/lib/libvirt/qemu/domain-ID-NAME/monitor.sock), or "".
std::string libvirt_domain_of(std::string_view monitor_path);

}  // namespace qsock::qmp
