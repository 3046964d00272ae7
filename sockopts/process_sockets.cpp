#include "sockopts/process_sockets.h"

#include <dirent.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <map>

#include <fmt/format.h>

namespace qsock::sockopts {

namespace {

constexpr const char* kPtraceHint =
    "needs CAP_SYS_PTRACE or the same user and ptrace_scope (kernel.yama.ptrace_scope) that "
    "allows it: run as root or as the process's user with ptrace_scope 0";

Error with_hint(Error e) {
  if (e.errnum == EPERM || e.errnum == EACCES)
    e.hint = kPtraceHint;
  else if (e.errnum == ESRCH || e.errnum == ENOENT)
    e.hint = "no such process (did it exit?)";
  return e;
}

}  // namespace

Result<std::vector<ProcessSocket>> list_tcp_sockets(pid_t pid) {
  std::string proc = fmt::format("/proc/{}", pid);
  auto rows = read_proc_net_tcp(pid);
  if (!rows) return tl::unexpected(with_hint(rows.error()));
  std::map<std::uint64_t, ProcTcpEntry> table;
  for (const ProcTcpEntry& e : *rows)
    if (e.inode != 0) table.emplace(e.inode, e);

  std::string fd_dir = proc + "/fd";
  DIR* dir = ::opendir(fd_dir.c_str());
  if (!dir) return tl::unexpected(with_hint(sys_error(fmt::format("cannot list {}", fd_dir))));
  std::vector<ProcessSocket> out;
  while (dirent* d = ::readdir(dir)) {
    int fd = -1;
    std::string_view name = d->d_name;
    auto [p, ec] = std::from_chars(name.data(), name.data() + name.size(), fd);
    if (ec != std::errc() || p != name.data() + name.size()) continue;
    char link[128] = {};
    ssize_t n = ::readlink((fd_dir + "/" + std::string(name)).c_str(), link, sizeof link - 1);
    if (n <= 0) continue;  // closed meanwhile
    auto inode = socket_inode(std::string_view(link, static_cast<std::size_t>(n)));
    if (!inode) continue;
    auto it = table.find(*inode);
    if (it == table.end()) continue;  // not TCP (or in another namespace)
    out.push_back({fd, *inode, it->second.local, it->second.remote, it->second.state});
  }
  ::closedir(dir);
  std::sort(out.begin(), out.end(),
            [](const ProcessSocket& a, const ProcessSocket& b) { return a.fd < b.fd; });
  return out;
}

Result<Fd> open_pidfd(pid_t pid) {
  long fd = ::syscall(SYS_pidfd_open, pid, 0);
  if (fd < 0) {
    Error e = with_hint(sys_error(fmt::format("pidfd_open({})", pid)));
    if (e.errnum == ENOSYS) e.hint = "the kernel is older than 5.3 (no pidfd_open)";
    return tl::unexpected(e);
  }
  return Fd(static_cast<int>(fd));
}

Result<Fd> duplicate_fd(int pidfd, int target_fd) {
  long fd = ::syscall(SYS_pidfd_getfd, pidfd, target_fd, 0);
  if (fd < 0) {
    Error e = sys_error(fmt::format("pidfd_getfd(fd {})", target_fd));
    if (e.errnum == EPERM)
      e.hint = kPtraceHint;
    else if (e.errnum == ENOSYS)
      e.hint = "the kernel is older than 5.6 (no pidfd_getfd)";
    else if (e.errnum == EBADF)
      e.hint = "the process closed this descriptor meanwhile";
    else if (e.errnum == ESRCH)
      e.hint = "the process exited";
    return tl::unexpected(e);
  }
  return Fd(static_cast<int>(fd));
}

bool matches(const SocketFilter& f, const ProcessSocket& s) {
  if (!f.include_listening && s.state == TcpState::listen) return false;
  if (f.peer && !(s.remote == *f.peer)) return false;
  return true;
}

Result<std::vector<SocketReport>> inspect_process(pid_t pid, const SocketFilter& filter,
                                                  const std::optional<SocketOptions>& set) {
  auto sockets = list_tcp_sockets(pid);
  if (!sockets) return tl::unexpected(sockets.error());
  auto pidfd = open_pidfd(pid);
  if (!pidfd) return tl::unexpected(pidfd.error());
  std::vector<SocketReport> out;
  for (const ProcessSocket& s : *sockets) {
    if (!matches(filter, s)) continue;
    SocketReport r;
    r.socket = s;
    auto dup = duplicate_fd(pidfd->get(), s.fd);
    if (!dup) {
      r.options = tl::unexpected(dup.error());
      r.tcp_info = tl::unexpected(dup.error());
      if (set) r.set = tl::unexpected(dup.error());
      out.push_back(std::move(r));
      continue;
    }
    if (set) r.set = apply_options(dup->get(), *set, Semantics::exact);
    r.options = read_options(dup->get());
    r.tcp_info = read_tcp_info(dup->get());
    if (set && r.options) r.not_applied = differences(*set, *r.options, Semantics::exact);
    out.push_back(std::move(r));
  }  // each duplicate closes here: a kept one would hold the connection half-open
  return out;
}

}  // namespace qsock::sockopts
