#include "qmp/monitor_listener.h"

#include <dirent.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <charconv>
#include <cstring>

#include "base/fd.h"
#include "base/sock_diag.h"

#include "base/socket_inode.h"

namespace qsock::qmp {

namespace {

constexpr unsigned kEstablished = 1;  // TCP_ESTABLISHED, as sock_diag reports UNIX states
constexpr unsigned kListen = 10;      // TCP_LISTEN

template <typename T>
bool parse_number(std::string_view s, T& out, int base) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out, base);
  return ec == std::errc() && p == s.data() + s.size();
}

// One dump reply's socket: `payload` is its unix_diag_msg and the
// attributes after it. Read with memcpy: the buffer promises no alignment.
UnixSocketRow row_of(const char* payload, std::size_t size) {
  UnixSocketRow r;
  unix_diag_msg msg{};
  if (size < sizeof msg) return r;
  std::memcpy(&msg, payload, sizeof msg);
  r.inode = msg.udiag_ino;
  r.state = msg.udiag_state;
  for (std::size_t at = NLMSG_ALIGN(sizeof msg); at + sizeof(rtattr) <= size;) {
    rtattr a{};
    std::memcpy(&a, payload + at, sizeof a);
    if (a.rta_len < sizeof a || at + a.rta_len > size) break;
    const char* data = payload + at + RTA_LENGTH(0);
    std::size_t length = a.rta_len - RTA_LENGTH(0);
    if (a.rta_type == UNIX_DIAG_NAME) {
      r.name.assign(data, length);
    } else if (a.rta_type == UNIX_DIAG_VFS && length >= sizeof(unix_diag_vfs)) {
      unix_diag_vfs v{};
      std::memcpy(&v, data, sizeof v);
      r.vfs_inode = v.udiag_vfs_ino;
      r.vfs_dev = v.udiag_vfs_dev;
    } else if (a.rta_type == UNIX_DIAG_PEER && length >= sizeof(std::uint32_t)) {
      std::uint32_t peer = 0;
      std::memcpy(&peer, data, sizeof peer);
      r.peer = peer;
    } else if (a.rta_type == UNIX_DIAG_RQLEN && length >= sizeof(unix_diag_rqlen)) {
      unix_diag_rqlen q{};
      std::memcpy(&q, data, sizeof q);
      r.queued = q.udiag_rqueue;
    }
    at += RTA_ALIGN(a.rta_len);
  }
  return r;
}

// The kernel encodes a device as MAJOR << 20 | MINOR; stat(2) as glibc does.
bool same_device(std::uint32_t kernel_dev, dev_t dev) {
  return (kernel_dev >> 20) == major(dev) && (kernel_dev & 0xfffffU) == minor(dev);
}

}  // namespace

std::vector<UnixSocketRow> unix_sockets() {
  std::vector<UnixSocketRow> out;
  Fd nl(open_sock_diag_socket());
  if (!nl.valid()) return out;
  unix_diag_req request{};
  request.sdiag_family = AF_UNIX;
  request.udiag_states = ~0U;
  request.udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_VFS | UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN;
  auto done = sock_diag_dump(nl.get(), request, [&](const char* payload, std::size_t size) {
    out.push_back(row_of(payload, size));
  });
  if (!done) return {};
  return out;
}

std::optional<MonitorListener> monitor_listener(const std::vector<UnixSocketRow>& table, dev_t dev,
                                                ino_t ino) {
  const UnixSocketRow* listener = nullptr;
  for (const UnixSocketRow& r : table)
    if (r.state == kListen && r.vfs_inode == ino && r.vfs_dev && same_device(*r.vfs_dev, dev))
      listener = &r;
  if (listener == nullptr) return std::nullopt;
  MonitorListener l{listener->inode, 0, listener->queued};
  // An accepted connection is bound where its listener is; its client is
  // still there while it has a peer (a closed client's end is orphaned: 0).
  // One still queued has no inode of its own yet.
  for (const UnixSocketRow& r : table)
    if (r.state == kEstablished && r.inode != 0 && r.peer != 0 &&
        r.vfs_inode == listener->vfs_inode && r.vfs_dev == listener->vfs_dev)
      ++l.served;
  return l;
}

std::optional<MonitorListener> monitor_listener(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISSOCK(st.st_mode)) return std::nullopt;
  return monitor_listener(unix_sockets(), st.st_dev, st.st_ino);
}

std::vector<pid_t> pids_holding_socket(std::uint64_t inode) {
  std::vector<pid_t> out;
  DIR* proc = ::opendir("/proc");
  if (!proc) return out;
  while (dirent* p = ::readdir(proc)) {
    pid_t pid = 0;
    std::string_view name = p->d_name;
    if (!parse_number(name, pid, 10)) continue;
    std::string fd_dir = "/proc/" + std::string(name) + "/fd";
    DIR* fds = ::opendir(fd_dir.c_str());
    if (!fds) continue;  // gone, or not ours to read
    while (dirent* d = ::readdir(fds)) {
      char link[64] = {};
      ssize_t n = ::readlinkat(::dirfd(fds), d->d_name, link, sizeof link - 1);
      if (n > 0 && socket_inode(std::string_view(link, static_cast<std::size_t>(n))) == inode) {
        out.push_back(pid);
        break;
      }
    }
    ::closedir(fds);
  }
  ::closedir(proc);
  return out;
}

std::optional<pid_t> listener_pid(const std::string& path) {
  auto listener = monitor_listener(path);
  if (!listener) return std::nullopt;
  std::vector<pid_t> pids = pids_holding_socket(listener->inode);
  if (pids.empty()) return std::nullopt;
  for (pid_t pid : pids) {
    char exe[256] = {};
    std::string link = "/proc/" + std::to_string(pid) + "/exe";
    ssize_t n = ::readlink(link.c_str(), exe, sizeof exe - 1);
    if (n > 0 &&
        std::string_view(exe, static_cast<std::size_t>(n)).find("qemu") != std::string_view::npos)
      return pid;
  }
  return pids.front();
}

std::string libvirt_domain_of(std::string_view monitor_path) {
  constexpr std::string_view root = "/qemu/domain-";
  constexpr std::string_view leaf = "/monitor.sock";
  auto at = monitor_path.rfind(root);
  if (at == std::string_view::npos || !monitor_path.ends_with(leaf)) return "";
  std::size_t from = at + root.size();
  if (from + leaf.size() > monitor_path.size()) return "";
  std::string_view dir = monitor_path.substr(from, monitor_path.size() - from - leaf.size());
  if (dir.find('/') != std::string_view::npos) return "";
  std::size_t dash = dir.find('-');  // domain-ID-NAME; the name may hold dashes
  if (dash == std::string_view::npos || dash == 0 || dash + 1 >= dir.size()) return "";
  for (char c : dir.substr(0, dash))
    if (c < '0' || c > '9') return "";
  return std::string(dir.substr(dash + 1));
}

}  // namespace qsock::qmp
