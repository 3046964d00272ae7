#include "sockopts/proc_net.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include <fmt/format.h>

#include "base/file_text.h"

namespace qsock::sockopts {

namespace {

bool is_v4_mapped(const std::array<std::uint8_t, 16>& b) {
  for (int i = 0; i < 10; ++i)
    if (b[i] != 0) return false;
  return b[10] == 0xff && b[11] == 0xff;
}

std::array<std::uint8_t, 16> mapped(const in_addr& a) {
  std::array<std::uint8_t, 16> b{};
  b[10] = b[11] = 0xff;
  std::memcpy(&b[12], &a, 4);
  return b;
}

template <typename T>
bool parse_hex(std::string_view s, T& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out, 16);
  return ec == std::errc() && p == s.data() + s.size();
}

// "0100007F:1F90" (the kernel prints each 32-bit word of the address as a
// host-order integer, the port as a plain number).
std::optional<SockAddr> parse_table_address(std::string_view s, bool ipv6) {
  auto colon = s.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view hex = s.substr(0, colon);
  SockAddr a;
  if (!parse_hex(s.substr(colon + 1), a.port)) return std::nullopt;
  if (hex.size() != (ipv6 ? 32u : 8u)) return std::nullopt;
  std::uint32_t words[4] = {};
  for (std::size_t i = 0; i < hex.size() / 8; ++i)
    if (!parse_hex(hex.substr(i * 8, 8), words[i])) return std::nullopt;
  if (ipv6) {
    std::memcpy(a.bytes.data(), words, 16);
    a.v4 = is_v4_mapped(a.bytes);
  } else {
    in_addr v4{};
    v4.s_addr = words[0];
    a.bytes = mapped(v4);
    a.v4 = true;
  }
  return a;
}

std::vector<std::string_view> fields(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    std::size_t j = i;
    while (j < line.size() && line[j] != ' ') ++j;
    if (j > i) out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

}  // namespace

std::string SockAddr::text() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (is_v4_mapped(bytes)) {
    ::inet_ntop(AF_INET, &bytes[12], buf, sizeof buf);
    return fmt::format("{}:{}", buf, port);
  }
  ::inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf);
  return fmt::format("[{}]:{}", buf, port);
}

Result<SockAddr> parse_host_port(std::string_view s) {
  auto bad = [&](const char* why) {
    return tl::unexpected(Error{fmt::format("'{}': {}", s, why), 0, "peer",
                                "write HOST:PORT or [IPV6]:PORT with a numeric address"});
  };
  std::string host;
  std::string_view port;
  if (!s.empty() && s.front() == '[') {
    auto close = s.find("]:");
    if (close == std::string_view::npos) return bad("no ]:PORT after an IPv6 address");
    host = std::string(s.substr(1, close - 1));
    port = s.substr(close + 2);
  } else {
    auto colon = s.rfind(':');
    if (colon == std::string_view::npos) return bad("no :PORT");
    host = std::string(s.substr(0, colon));
    port = s.substr(colon + 1);
  }
  SockAddr a;
  auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), a.port);
  if (ec != std::errc() || p != port.data() + port.size() || port.empty())
    return bad("the port is not a number from 0 to 65535");
  in_addr v4{};
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    a.bytes = mapped(v4);
    a.v4 = true;
  } else if (::inet_pton(AF_INET6, host.c_str(), a.bytes.data()) != 1) {
    return bad("not a numeric IPv4 or IPv6 address");
  }
  return a;
}

std::vector<ProcTcpEntry> parse_proc_net_tcp(std::string_view text, bool ipv6) {
  std::vector<ProcTcpEntry> out;
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    auto f = fields(line);
    // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...
    if (f.size() < 10 || f[0].back() != ':') continue;
    auto local = parse_table_address(f[1], ipv6);
    auto remote = parse_table_address(f[2], ipv6);
    unsigned state = 0;
    ProcTcpEntry e;
    if (!local || !remote || !parse_hex(f[3], state)) continue;
    auto [p, ec] = std::from_chars(f[9].data(), f[9].data() + f[9].size(), e.inode);
    if (ec != std::errc() || p != f[9].data() + f[9].size()) continue;
    e.local = *local;
    e.remote = *remote;
    e.state = state <= static_cast<unsigned>(TcpState::new_syn_recv) ? static_cast<TcpState>(state)
                                                                     : TcpState::unknown;
    out.push_back(e);
  }
  return out;
}

Result<std::vector<ProcTcpEntry>> read_proc_net_tcp(pid_t pid) {
  std::vector<ProcTcpEntry> rows;
  for (bool v6 : {false, true}) {
    std::string path = fmt::format("/proc/{}/net/{}", pid, v6 ? "tcp6" : "tcp");
    auto text = read_file_text(path);
    if (!text && v6 && text.error() == ENOENT) continue;  // no IPv6 in this kernel
    if (!text) return tl::unexpected(sys_error(fmt::format("cannot read {}", path), text.error()));
    std::vector<ProcTcpEntry> table = parse_proc_net_tcp(*text, v6);
    rows.insert(rows.end(), table.begin(), table.end());
  }
  return rows;
}

}  // namespace qsock::sockopts
