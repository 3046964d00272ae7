#include "guard/netns.h"

#include <fcntl.h>
#include <sched.h>

#include <fstream>
#include <iterator>

#include <fmt/format.h>

#include "sockopts/proc_net.h"

namespace qsock::guard {

namespace {

constexpr std::uint32_t kStates = sockopts::state_bit(sockopts::TcpState::established) |
                                  sockopts::state_bit(sockopts::TcpState::listen);

// A sock_diag socket made inside `pid`'s network namespace; the thread goes
// back to its own namespace before returning.
std::optional<Fd> sock_diag_in(pid_t pid) {
  Fd own(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
  Fd target(::open(fmt::format("/proc/{}/ns/net", pid).c_str(), O_RDONLY | O_CLOEXEC));
  if (!own.valid() || !target.valid()) return std::nullopt;
  if (::setns(target.get(), CLONE_NEWNET) != 0) return std::nullopt;
  auto socket = sockopts::open_sock_diag();
  if (::setns(own.get(), CLONE_NEWNET) != 0) std::abort();  // never stay in a foreign namespace
  if (!socket) return std::nullopt;
  return std::move(*socket);
}

}  // namespace

NetnsSockets::NetnsSockets(pid_t member) : member_(member) {
  if (auto fd = sock_diag_in(member)) sock_diag_ = std::move(*fd);
}

sockopts::Result<std::vector<sockopts::TcpDiagRow>> NetnsSockets::list() {
  if (sock_diag_.valid()) return sockopts::tcp_sockets(sock_diag_.get(), kStates);
  std::vector<sockopts::TcpDiagRow> out;
  for (bool v6 : {false, true}) {
    std::string path = fmt::format("/proc/{}/net/{}", member_, v6 ? "tcp6" : "tcp");
    std::ifstream in(path);
    if (!in) {
      if (v6) continue;
      return tl::unexpected(sockopts::sys_error(fmt::format("cannot read {}", path)));
    }
    std::string text(std::istreambuf_iterator<char>(in), {});
    for (const sockopts::ProcTcpEntry& e : sockopts::parse_proc_net_tcp(text, v6))
      if (e.state == sockopts::TcpState::established || e.state == sockopts::TcpState::listen)
        out.push_back({e.inode, e.local, e.remote, e.state, 0});
  }
  return out;
}

}  // namespace qsock::guard
