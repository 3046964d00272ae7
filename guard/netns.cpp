#include "guard/netns.h"

#include <fcntl.h>
#include <sched.h>

#include <charconv>
#include <iterator>
#include <sstream>

#include <fmt/format.h>

#include "base/expected.h"
#include "base/file_text.h"
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
  QSOCK_TRY_ASSIGN(auto rows, sockopts::read_proc_net_tcp(member_));
  std::vector<sockopts::TcpDiagRow> out;
  for (const sockopts::ProcTcpEntry& e : rows)
    if (e.state == sockopts::TcpState::established || e.state == sockopts::TcpState::listen ||
        e.state == sockopts::TcpState::syn_sent)
      out.push_back({e.inode, e.local, e.remote, e.state, 0});
  return out;
}

std::optional<std::uint64_t> NetnsSockets::tcp_opens() const {
  auto snmp = read_file_text(fmt::format("/proc/{}/net/snmp", member_));
  return snmp ? tcp_opens_in(*snmp) : std::nullopt;
}

std::optional<std::uint64_t> tcp_opens_in(const std::string& snmp) {
  // Two "Tcp:" lines: the counters' names, then their values.
  std::istringstream in(snmp);
  std::string line;
  std::vector<std::string> names;
  while (std::getline(in, line)) {
    if (!line.starts_with("Tcp:")) continue;
    std::istringstream words(line.substr(4));
    std::vector<std::string> w{std::istream_iterator<std::string>(words), {}};
    if (names.empty()) {
      names = std::move(w);
      continue;
    }
    std::uint64_t sum = 0;
    int found = 0;
    for (std::size_t i = 0; i < names.size() && i < w.size(); ++i)
      if (names[i] == "ActiveOpens" || names[i] == "PassiveOpens" || names[i] == "CurrEstab") {
        std::uint64_t v = 0;
        auto [end, ec] = std::from_chars(w[i].data(), w[i].data() + w[i].size(), v);
        if (ec != std::errc() || end != w[i].data() + w[i].size()) return std::nullopt;
        sum += names[i] == "CurrEstab" ? (v & 0xfffffU) : v << 20;
        ++found;
      }
    if (found == 3) return sum;
    return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace qsock::guard
