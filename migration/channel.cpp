#include "migration/channel.h"

#include <sys/socket.h>

#include <thread>

#include <fmt/format.h>

#include "sockopts/apply.h"
#include "sockopts/connect.h"
#include "sockopts/error.h"
#include "sockopts/process_sockets.h"
#include "sockopts/tcp_info.h"

namespace qsock::migration {

qmp::Result<ModeChoice> choose_mode(SockoptsMode requested, const ChannelFacts& f) {
  auto missing = [&] {
    std::string s;
    for (const std::string& m : f.missing) s += (s.empty() ? "" : ", ") + m;
    return s;
  };
  switch (requested) {
    case SockoptsMode::native:
      if (!f.missing.empty())
        return qmp::fail(qmp::ErrorKind::invalid,
                         fmt::format("--sockopts native: this QEMU's schema has no {} in "
                                     "InetSocketAddress; use --sockopts fd or inject",
                                     missing()));
      return ModeChoice{SockoptsMode::native, "asked for"};
    case SockoptsMode::fd:
      if (!f.inet) return qmp::fail(qmp::ErrorKind::invalid, "--sockopts fd needs a tcp: target");
      if (f.multi_channel)
        return qmp::fail(qmp::ErrorKind::invalid,
                         "--sockopts fd passes one connection, and QEMU refuses an fd: target "
                         "with several channels (multifd, postcopy-preempt): \"Migration requires "
                         "multi-channel URIs\"; use --sockopts inject, which bounds every "
                         "channel QEMU opens");
      if (!f.can_pass_fds)
        return qmp::fail(
            qmp::ErrorKind::invalid,
            "--sockopts fd needs a UNIX monitor socket (fds cannot be passed over TCP)");
      return ModeChoice{SockoptsMode::fd, "asked for"};
    case SockoptsMode::inject:
      if (!f.inet)
        return qmp::fail(qmp::ErrorKind::invalid, "--sockopts inject needs a tcp: target");
      if (!f.have_pid)
        return qmp::fail(qmp::ErrorKind::invalid,
                         "--sockopts inject needs QEMU's pid (a UNIX monitor socket on this host)");
      return ModeChoice{SockoptsMode::inject, "asked for"};
    case SockoptsMode::automatic:
      break;
  }
  if (f.missing.empty()) return ModeChoice{SockoptsMode::native, "the schema has every member"};
  std::string why = fmt::format("the schema lacks {}", missing());
  if (f.inet && f.can_pass_fds && !f.multi_channel)
    return ModeChoice{SockoptsMode::fd, why + "; the monitor is a UNIX socket"};
  if (f.inet && f.have_pid && f.multi_channel)
    return ModeChoice{SockoptsMode::inject,
                      why + "; several channels (fd passes only one), QEMU's pid is known"};
  if (f.inet && f.have_pid)
    return ModeChoice{SockoptsMode::inject, why + "; fds cannot be passed, QEMU's pid is known"};
  return qmp::fail(
      qmp::ErrorKind::invalid,
      fmt::format("cannot apply {}: the schema lacks it, and the monitor is not a UNIX "
                  "socket on this host (no fd passing, no pidfd_getfd)",
                  missing()));
}

namespace {
qmp::Error from_sockopts(const sockopts::Error& e) {
  return qmp::Error{qmp::ErrorKind::invalid, e.text(), Json()};
}
}  // namespace

qmp::Result<Fd> inject_options(pid_t pid, const SocketMatch& match,
                               const sockopts::SocketOptions& o, Deadline deadline,
                               const std::function<bool()>& over) {
  bool ended = false;
  for (;;) {
    auto sockets = sockopts::list_tcp_sockets(pid);
    if (!sockets) return tl::unexpected(from_sockopts(sockets.error()));
    for (const sockopts::ProcessSocket& s : *sockets) {
      if (s.state != sockopts::TcpState::established) continue;
      if (match.remote_port && s.remote.port != *match.remote_port) continue;
      if (match.local_port && s.local.port != *match.local_port) continue;
      auto pidfd = sockopts::open_pidfd(pid);
      if (!pidfd) return tl::unexpected(from_sockopts(pidfd.error()));
      auto dup = sockopts::duplicate_fd(pidfd->get(), s.fd);
      if (!dup) return tl::unexpected(from_sockopts(dup.error()));
      if (auto applied = sockopts::apply_options(dup->get(), o); !applied)
        return tl::unexpected(from_sockopts(applied.error()));
      return std::move(*dup);
    }
    if (ended)
      return qmp::fail(
          qmp::ErrorKind::invalid,
          fmt::format("the migration ended before qsock found its socket in process {}", pid));
    if (deadline.expired())
      return qmp::fail(qmp::ErrorKind::timeout,
                       fmt::format("no established migration socket in process {} within {}", pid,
                                   deadline.describe_budget()));
    ended = over && over();
    std::this_thread::sleep_for(Milliseconds(10));
  }
}

std::size_t ChannelSweeper::sweep() {
  auto sockets = sockopts::list_tcp_sockets(pid);
  if (!sockets) {
    // The process is gone or unreadable: say it once.
    std::string why = sockets.error().text();
    if (failures.empty() || failures.back() != why) failures.push_back(why);
    return 0;
  }
  std::size_t found = 0;
  for (const sockopts::ProcessSocket& s : *sockets) {
    if (s.state != sockopts::TcpState::established || seen.count(s.inode)) continue;
    if (match.remote_port && s.remote.port != *match.remote_port) continue;
    if (match.local_port && s.local.port != *match.local_port) continue;
    seen.insert(s.inode);
    ++found;
    auto pidfd = sockopts::open_pidfd(pid);
    auto dup = pidfd ? sockopts::duplicate_fd(pidfd->get(), s.fd)
                     : tl::expected<Fd, sockopts::Error>(tl::unexpected(pidfd.error()));
    if (!dup) {
      failures.push_back(fmt::format("socket {} of process {}: {}", s.fd, pid, dup.error().text()));
      continue;
    }
    if (has_socket_options(options))
      if (auto applied = sockopts::apply_options(dup->get(), options); !applied)
        failures.push_back(
            fmt::format("socket {} of process {}: {}", s.fd, pid, applied.error().text()));
    channels.push_back(read_back(dup->get(), options, end, SocketReadAt::start));
  }
  return found;
}

SocketView read_back(int fd, const sockopts::SocketOptions& wanted, SocketEnd end,
                     SocketReadAt when) {
  SocketView v;
  v.end = end;
  v.read_at = when;
  auto effective = sockopts::read_options(fd);
  if (effective) {
    v.options = *effective;
    v.not_applied = sockopts::differences(wanted, *effective);
  } else {
    v.options_error = effective.error().text();
  }
  auto info = sockopts::read_tcp_info(fd);
  if (info) v.tcp_info = *info;
  v.local = sockopts::local_address(fd);
  v.peer = sockopts::peer_address(fd);
  // SO_ERROR clears what it reads: only on the source's view, which QEMU
  // has closed by then, never on a socket QEMU still reads.
  int err = 0;
  socklen_t len = sizeof err;
  if (end == SocketEnd::source && when == SocketReadAt::end &&
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err != 0)
    v.error = sockopts::errno_name(err);
  return v;
}

}  // namespace qsock::migration
