#include "guard/roles.h"

#include <array>
#include <charconv>
#include <string_view>

namespace qsock::guard {

namespace {

struct OptionKind {
  std::string_view option;
  Kind kind;
};

// The options whose values name ports, and the kind they declare.
constexpr std::array kPortOptions = {
    OptionKind{"-vnc", Kind::vnc},
    OptionKind{"-spice", Kind::vnc},
    OptionKind{"-incoming", Kind::migration},
    OptionKind{"-chardev", Kind::chardev},
    OptionKind{"-serial", Kind::chardev},
    OptionKind{"-monitor", Kind::chardev},
    OptionKind{"-qmp", Kind::chardev},
    OptionKind{"-netdev", Kind::netdev},
    OptionKind{"-nic", Kind::netdev},
    OptionKind{"-net", Kind::netdev},
    OptionKind{"-drive", Kind::block},
    OptionKind{"-blockdev", Kind::block},
};

std::optional<std::uint16_t> number(std::string_view s) {
  std::uint16_t n = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || p == s.data()) return std::nullopt;
  return n;
}

// The digits after the last ':' of "tcp:HOST:PORT", "HOST:PORT",
// "nbd://HOST:PORT/export" (up to a '/' or the end).
std::optional<std::uint16_t> port_after_colon(std::string_view s) {
  if (auto slash = s.find("//"); slash != std::string_view::npos) {
    s = s.substr(slash + 2);
    s = s.substr(0, s.find('/'));
  }
  auto colon = s.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view digits = s.substr(colon + 1);
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string_view::npos)
    return std::nullopt;
  return number(digits);
}

// Every "...port" member of a value: key=value items (port=, addr.port=,
// server.port=) and JSON ("port": "10809" or 10809).
void ports_in(std::string_view value, std::vector<std::uint16_t>& out) {
  for (std::size_t at = value.find("port"); at != std::string_view::npos;
       at = value.find("port", at + 4)) {
    std::size_t i = at + 4;
    if (i < value.size() && value[i] == '"') ++i;
    while (i < value.size() && value[i] == ' ') ++i;
    if (i >= value.size() || (value[i] != '=' && value[i] != ':')) continue;
    ++i;
    while (i < value.size() && (value[i] == ' ' || value[i] == '"')) ++i;
    if (auto n = number(value.substr(i))) out.push_back(*n);
  }
  // Positional and HOST:PORT items: tcp:H:P, connect=H:P, listen=H:P, nbd://H:P.
  std::size_t start = 0;
  while (start <= value.size()) {
    auto comma = value.find(',', start);
    std::string_view item = value.substr(start, comma - start);
    auto eq = item.find('=');
    std::string_view key = eq == std::string_view::npos ? "" : item.substr(0, eq);
    std::string_view rest = eq == std::string_view::npos ? item : item.substr(eq + 1);
    bool address_key = key.empty() || key == "connect" || key == "listen" || key == "file" ||
                       key == "filename" || key == "vnc";
    if (address_key && (rest.starts_with("tcp:") || rest.starts_with("telnet:") ||
                        rest.find("://") != std::string_view::npos || !key.empty()))
      if (auto n = port_after_colon(rest)) out.push_back(*n);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
}

// -vnc [HOST]:DISPLAY[,websocket=PORT]: the display number is an offset from 5900.
void vnc_ports(std::string_view value, std::vector<std::uint16_t>& out) {
  std::string_view first = value.substr(0, value.find(','));
  if (first.starts_with("vnc=")) first.remove_prefix(4);
  if (!first.starts_with("unix:") && first != "none")
    if (auto display = port_after_colon(first); display && *display <= 65535 - 5900)
      out.push_back(static_cast<std::uint16_t>(5900 + *display));
  if (auto ws = value.find("websocket="); ws != std::string_view::npos)
    if (auto n = number(value.substr(ws + 10))) out.push_back(*n);
}

}  // namespace

DeclaredPorts declared_ports(const std::vector<std::string>& argv) {
  DeclaredPorts d;
  for (std::size_t i = 0; i + 1 < argv.size(); ++i) {
    std::string_view option = argv[i];
    if (option.starts_with("--")) option.remove_prefix(1);
    for (const OptionKind& o : kPortOptions) {
      if (option != o.option) continue;
      std::string_view value = argv[i + 1];
      std::vector<std::uint16_t> found;
      if (o.kind == Kind::vnc && o.option == "-vnc")
        vnc_ports(value, found);
      else
        ports_in(value, found);
      if (o.kind == Kind::migration) d.incoming = true;
      for (std::uint16_t port : found) d.ports.emplace(port, o.kind);
    }
  }
  return d;
}

Kind classify(const DeclaredPorts& declared, std::uint16_t local_port, std::uint16_t peer_port,
              bool accepted) {
  std::uint16_t port = accepted ? local_port : peer_port;
  if (auto it = declared.ports.find(port); it != declared.ports.end()) return it->second;
  if (port == kNbdPort) return accepted ? Kind::nbd : Kind::block;
  if (accepted) return declared.incoming ? Kind::migration : Kind::other;
  return Kind::migration;
}

}  // namespace qsock::guard
