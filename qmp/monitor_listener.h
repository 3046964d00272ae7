// What the kernel says of a monitor's UNIX listener, read without connecting.
//
// QEMU serves one client a monitor at a time and listens with a backlog of 1.
// While another client (libvirt, a second qsock) holds the monitor, every new
// connect completes in the kernel and waits in the accept queue, even after
// its client gave up, until the holder leaves; after two, connect itself
// blocks. So qsock looks first, with sock_diag (NETLINK_SOCK_DIAG, AF_UNIX):
// the listener is the socket bound to the path's file (its VFS inode, which
// holds across mount namespaces, where path names differ), its receive queue
// is its accept queue, and the connections it serves carry its name and a
// live peer.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace qsock::qmp {

// One AF_UNIX socket as sock_diag reports it.
struct UnixSocketRow {
  std::uint64_t inode = 0;  // the socket's own (0: not yet accepted)
  unsigned state = 0;       // TCP_ESTABLISHED 1, TCP_LISTEN 10, ...
  std::string name;         // the bound name, as the binder's mount namespace wrote it
  std::optional<std::uint64_t> vfs_inode;  // the file it is bound to
  std::optional<std::uint32_t> vfs_dev;    // that file's device, the kernel's encoding
  std::uint64_t peer = 0;                  // the peer's inode (0: none, or closed)
  std::uint32_t queued = 0;                // a listener's accept queue
};

struct MonitorListener {
  std::uint64_t inode = 0;  // the listening socket's
  unsigned served = 0;      // connections accepted whose client is still there
  unsigned queued = 0;      // connections waiting in its accept queue
};

// The listener bound to the file (dev, ino) of `stat(2)`, in `table`.
std::optional<MonitorListener> monitor_listener(const std::vector<UnixSocketRow>& table, dev_t dev,
                                                ino_t ino);
// The same for the socket file at `path`, from this network namespace's
// sockets; nothing when it is not a socket bound there (or bound in another
// network namespace, or sock_diag is not available).
std::optional<MonitorListener> monitor_listener(const std::string& path);

// The AF_UNIX sockets of this network namespace (sock_diag); empty on failure.
std::vector<UnixSocketRow> unix_sockets();

// The processes holding the socket with this inode in /proc/*/fd (those
// this user may read).
std::vector<pid_t> pids_holding_socket(std::uint64_t inode);

// The QEMU listening on the monitor at `path`, found without connecting: the
// listener's inode, its holder (a QEMU when several hold it, as a launcher
// that passed it on may). Nothing when the kernel or /proc does not show it.
std::optional<pid_t> listener_pid(const std::string& path);

// The libvirt domain whose monitor this is, from libvirt's layout
// (.../qemu/domain-ID-NAME/monitor.sock; NAME may be shortened), or "".
std::string libvirt_domain_of(std::string_view monitor_path);

}  // namespace qsock::qmp
