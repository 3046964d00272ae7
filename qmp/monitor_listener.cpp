#include "qmp/monitor_listener.h"

#include <dirent.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <sstream>

#include "base/socket_inode.h"

namespace qsock::qmp {

namespace {

constexpr unsigned long kAcceptCon = 0x10000;  // __SO_ACCEPTCON in the Flags column
constexpr unsigned kConnecting = 2;            // SS_CONNECTING: queued, not yet accepted
constexpr unsigned kConnected = 3;

template <typename T>
bool parse_number(std::string_view s, T& out, int base) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out, base);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

// /proc/net/unix, one socket a line after a header:
//   Num       RefCount Protocol Flags    Type St Inode Path
//   00000000a1b2c3d4: 00000002 00000000 00010000 0001 01 3624938 /run/qmp.sock
// Num, RefCount, Protocol and Flags are hex; St is hex; Inode decimal; Path
// is absent for an unbound socket and may hold spaces.
std::vector<UnixSocketRow> parse_proc_net_unix(std::string_view text) {
  std::vector<UnixSocketRow> out;
  bool header = true;
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (header) {
      header = false;
      continue;
    }
    std::vector<std::string_view> f;
    std::size_t i = 0;
    while (f.size() < 7) {
      while (i < line.size() && line[i] == ' ') ++i;
      std::size_t j = line.find(' ', i);
      if (i >= line.size()) break;
      f.push_back(line.substr(i, j == std::string_view::npos ? line.size() - i : j - i));
      i = j == std::string_view::npos ? line.size() : j;
    }
    if (f.size() < 7) continue;
    UnixSocketRow r;
    unsigned long flags = 0;
    if (!parse_number(f[3], flags, 16) || !parse_number(f[5], r.state, 16) ||
        !parse_number(f[6], r.inode, 10))
      continue;
    r.listening = (flags & kAcceptCon) != 0;
    while (i < line.size() && line[i] == ' ') ++i;
    r.path = std::string(line.substr(i));
    out.push_back(std::move(r));
  }
  return out;
}

std::optional<MonitorListener> monitor_listener(const std::vector<UnixSocketRow>& table,
                                                std::string_view path) {
  std::optional<MonitorListener> found;
  for (const UnixSocketRow& r : table)
    if (r.listening && r.path == path) found = MonitorListener{r.inode, 0, 0};
  if (!found) return std::nullopt;
  // Accepted connections carry the listener's path; so do queued ones, which
  // have no socket (inode 0) until QEMU accepts them.
  for (const UnixSocketRow& r : table) {
    if (r.listening || r.path != path) continue;
    if (r.state == kConnected && r.inode != 0) ++found->served;
    if (r.state == kConnecting) ++found->queued;
  }
  return found;
}

std::optional<MonitorListener> monitor_listener(const std::string& path) {
  std::ifstream in("/proc/net/unix");
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return monitor_listener(parse_proc_net_unix(text.str()), path);
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
  constexpr std::string_view root = "/var/lib/libvirt/qemu/domain-";
  constexpr std::string_view leaf = "/monitor.sock";
  if (!monitor_path.starts_with(root) || !monitor_path.ends_with(leaf)) return "";
  std::string_view dir =
      monitor_path.substr(root.size(), monitor_path.size() - root.size() - leaf.size());
  std::size_t dash = dir.find('-');  // domain-ID-NAME; the name may hold dashes
  if (dash == std::string_view::npos || dash == 0 || dash + 1 >= dir.size()) return "";
  for (char c : dir.substr(0, dash))
    if (c < '0' || c > '9') return "";
  return std::string(dir.substr(dash + 1));
}

}  // namespace qsock::qmp
