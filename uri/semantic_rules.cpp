#include "uri/semantic_rules.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>
#include <optional>
#include <string>

#include <fmt/format.h>

namespace qsock::uri {

namespace {

std::string key(std::string_view path, std::string_view name) {
  return path.empty() ? std::string(name) : fmt::format("{}.{}", path, name);
}

std::optional<bool> get_bool(const Json& o, const char* name) {
  auto it = o.find(name);
  if (it == o.end() || !it->is_boolean()) return std::nullopt;
  return it->get<bool>();
}

std::optional<unsigned long> numeric_port(const Json& o) {
  auto it = o.find("port");
  if (it == o.end() || !it->is_string()) return std::nullopt;
  const std::string& s = it->get_ref<const std::string&>();
  unsigned long v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return v;
}

bool looks_numeric_host(std::string_view host) {
  if (host.empty()) return true;
  for (char c : host)
    if (!(std::isxdigit(static_cast<unsigned char>(c)) || c == '.' || c == ':' || c == '%'))
      return false;
  return true;
}

bool is_multicast(const Json& address) {
  if (address.value("type", "") != "inet") return false;
  std::string host = address.value("host", "");
  unsigned first = 0;
  auto [end, ec] = std::from_chars(host.data(), host.data() + host.size(), first);
  if (ec == std::errc{} && end != host.data() && *end == '.') return first >= 224 && first <= 239;
  return host.size() > 2 && (host[0] == 'f' || host[0] == 'F') &&
         (host[1] == 'f' || host[1] == 'F');
}

// Reports a problem that makes opening the socket fail.
struct Failure {
  Diagnostics& d;
  Opened opened;
  void operator()(std::string message, std::string key, std::string hint = {}) const {
    if (opened == Opened::at_once) {
      d.error(std::move(message), std::move(key), std::move(hint));
      return;
    }
    d.warn(std::move(message) + " (QEMU accepts the option, then fails to open the socket)",
           std::move(key), std::move(hint));
  }
};

// A port getaddrinfo() can look up: a number, or a name from /etc/services
// (letters, digits and -_.+, starting with a letter), so "0,", "4x" and
// "44 44" are neither.
bool resolvable_port(std::string_view port) {
  if (port.empty()) return false;
  if (std::isdigit(static_cast<unsigned char>(port.front())))
    return port.find_first_not_of("0123456789") == std::string_view::npos;
  for (char c : port)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
          c == '+'))
      return false;
  return true;
}

bool ipv4_literal(std::string_view host) {
  return !host.empty() && host.find_first_not_of("0123456789.") == std::string_view::npos &&
         std::count(host.begin(), host.end(), '.') == 3;
}

bool ipv6_literal(std::string_view host) { return host.find(':') != std::string_view::npos; }

// What QEMU passes on to getaddrinfo() and then cannot resolve: it takes the
// address, and fails only when it opens the socket.
void resolution_rules(const Json& a, SocketRole role, std::string_view path,
                      const Failure& failure) {
  std::string host = a.value("host", "");
  std::string port = a.value("port", "");
  std::string message = fmt::format("address resolution failed for {}:{}", host, port);
  if (host.starts_with("//")) {
    failure(message, key(path, "host"),
            fmt::format("'{}' is a URL (tcp://HOST:PORT); write tcp:HOST:PORT, e.g. tcp:{}:{}",
                        host, host.substr(2), port));
    return;
  }
  // A listening socket with an empty port takes one the kernel picks
  // (7.2 to 11.1 listen on an ephemeral port).
  bool ephemeral = port.empty() && role == SocketRole::listen;
  if (!ephemeral && !resolvable_port(port)) {
    failure(message, key(path, "port"), "a port is a number or a service name from /etc/services");
    return;
  }
  // inet_ai_family_from_address(): one family when the flags single one out.
  auto ipv4 = get_bool(a, "ipv4");
  auto ipv6 = get_bool(a, "ipv6");
  bool only6 = ipv4 != ipv6 && (ipv6 == true || ipv4 == false);
  bool only4 = ipv4 != ipv6 && !only6;
  // Connecting sockets ask for AI_V4MAPPED, so an IPv4 literal still resolves.
  if (only6 && role != SocketRole::connect && ipv4_literal(host))
    failure(message, key(path, ipv4.has_value() ? "ipv4" : "ipv6"),
            fmt::format("{} is an IPv4 address, and the ipv4/ipv6 flags leave only IPv6", host));
  else if (only4 && ipv6_literal(host))
    failure(message, key(path, ipv6.has_value() ? "ipv6" : "ipv4"),
            fmt::format("{} is an IPv6 address, and the ipv4/ipv6 flags leave only IPv4", host));
}

void inet_rules(const Json& a, SocketRole role, const schema::Target& target, std::string_view path,
                Diagnostics& d, Opened opened) {
  Failure failure{d, opened};
  resolution_rules(a, role, path, failure);
  auto ipv4 = get_bool(a, "ipv4");
  auto ipv6 = get_bool(a, "ipv6");
  if (ipv4 == false && ipv6 == false)
    failure("Cannot disable IPv4 and IPv6 at same time", key(path, "ipv6"),
            "leave one of ipv4/ipv6 on, or give neither to try both");

  auto port = numeric_port(a);
  if (port && *port > 65535)
    failure(fmt::format("port {} out of range", *port), key(path, "port"),
            "ports go from 0 to 65535");

  if (a.contains("to")) {
    if (role == SocketRole::connect) {
      d.warn("'to' only applies to listening sockets; it is ignored when connecting",
             key(path, "to"));
    } else if (port && a["to"].is_number() && a["to"].get<unsigned long>() < *port) {
      failure(fmt::format("port range {}..{} is empty", *port, a["to"].get<unsigned long>()),
              key(path, "to"), "'to' is the highest port to try; it must not be below 'port'");
    }
  }

  if (get_bool(a, "keep-alive") != true) {
    for (const char* name : {"keep-alive-count", "keep-alive-idle", "keep-alive-interval"})
      if (a.contains(name))
        d.warn(fmt::format("{} has no effect without keep-alive=on", key(path, name)),
               key(path, name), fmt::format("add {}=on", key(path, "keep-alive")));
  }
  // Passive sockets got keep-alive in 10.1; before, it is silently not set.
  if (get_bool(a, "keep-alive") == true && role == SocketRole::listen &&
      target.version < schema::QemuVersion{10, 1})
    d.warn(fmt::format(
               "QEMU {} does not set keep-alive on listening sockets (since 10.1): the accepted "
               "connection will have SO_KEEPALIVE off",
               target.version.str()),
           key(path, "keep-alive"));

  if (get_bool(a, "numeric") == true && !looks_numeric_host(a.value("host", "")))
    d.warn("numeric=on with a host name: QEMU will not resolve it and will fail to open the socket",
           key(path, "host"));
}

// sun_path holds 108 bytes (QEMU does not count a terminating NUL); an
// abstract name spends one on its leading NUL. QEMU refuses a longer path when
// it opens the socket (7.2 to 11.1: 108 and abstract 107 bytes are taken).
void unix_path_rules(const Json& a, std::string_view path, const Failure& failure) {
  constexpr std::size_t sun_path_bytes = 108;
  const std::string p = a.value("path", "");
  const bool abstract = get_bool(a, "abstract") == true;
  const std::size_t limit = sun_path_bytes - (abstract ? 1 : 0);
  if (p.size() <= limit) return;
  failure(fmt::format("UNIX socket path '{}' is too long", p), key(path, "path"),
          fmt::format("Path must be less than {} bytes ({} here)", limit, p.size()));
}

}  // namespace

Diagnostics socket_address_rules(const Json& address, SocketRole role, const schema::Target& target,
                                 std::string_view path, Opened opened) {
  Diagnostics d;
  if (!address.is_object()) return d;
  std::string type = address.value("type", "");
  if (type == "inet") inet_rules(address, role, target, path, d, opened);
  if (type == "unix" && address.value("path", "").find('~') != std::string::npos)
    d.warn(fmt::format("QEMU does not expand '~' in {}: it is a literal character of the path",
                       key(path, "path")),
           key(path, "path"), "write the home directory out, e.g. /root/...");
  if (type == "unix" && address.value("path", "").empty() && role == SocketRole::connect)
    Failure{d, opened}("unix connect: no path specified", key(path, "path"));
  if (type == "unix") unix_path_rules(address, path, Failure{d, opened});
  return d;
}

namespace {
// qemu_parse_fd(): strtol in base 10 (leading white space and a sign are
// taken), the whole string, an int, not negative (so "-0" is fd 0).
bool parses_as_fd(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  const std::size_t digits = i;
  long long value = 0;
  for (; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i) {
    value = value * 10 + (s[i] - '0');
    if (value > std::numeric_limits<int>::max()) return false;
  }
  return i > digits && i == s.size() && (!negative || value == 0);
}
}  // namespace

Diagnostics command_line_fd_rules(const Json& address, std::string_view path,
                                  std::string_view message, Opened opened) {
  Diagnostics d;
  if (!address.is_object() || address.value("type", "") != "fd") return d;
  std::string str = address.value("str", "");
  if (!parses_as_fd(str))
    Failure{d, opened}(fmt::format(fmt::runtime(message), str), key(path, "str"),
                       "on the command line an fd is the number of a descriptor QEMU inherited; "
                       "fd names (from getfd) work only over the monitor");
  return d;
}

namespace {

void stream_rules(const Json& n, const schema::Target& target, Diagnostics& d) {
  bool server = n.value("server", false);
  const Json& addr = n.contains("addr") ? n["addr"] : Json::object();
  std::string type = addr.value("type", "");
  if (type == "vsock")
    Failure{d, Opened::later}("-netdev stream does not support vsock addresses", "addr.type",
                              "use inet, unix or fd");
  if (server && (n.contains("reconnect-ms") || n.contains("reconnect")))
    d.error(fmt::format("'{}' option is incompatible with socket in server mode",
                        n.contains("reconnect-ms") ? "reconnect-ms" : "reconnect"),
            n.contains("reconnect-ms") ? "reconnect-ms" : "reconnect",
            "reconnecting applies to server=off only");
  if (n.contains("reconnect") && n.contains("reconnect-ms"))
    d.error("'reconnect' and 'reconnect-ms' are mutually exclusive", "reconnect",
            "use reconnect-ms alone");
  // QEMU before 10.1 accepts keep-alive on a listening stream and then never listens.
  if (server && type == "inet" && get_bool(addr, "keep-alive") == true &&
      target.version < schema::QemuVersion{10, 1})
    d.warn(fmt::format("QEMU {} accepts addr.keep-alive=on with server=on and then never listens, "
                       "without any error",
                       target.version.str()),
           "addr.keep-alive",
           "drop addr.keep-alive on the listening side, or use QEMU 10.1 or newer");
  else
    d.append(socket_address_rules(addr, server ? SocketRole::listen : SocketRole::connect, target,
                                  "addr", Opened::later));
  d.append(
      command_line_fd_rules(addr, "addr", "Invalid file descriptor number '{}'", Opened::later));
}

// QEMU's own rules for -netdev dgram, in its words.
void dgram_rules(const Json& n, const schema::Target& target, Diagnostics& d) {
  const Json* local = n.contains("local") ? &n["local"] : nullptr;
  const Json* remote = n.contains("remote") ? &n["remote"] : nullptr;
  std::string local_type = local ? local->value("type", "") : "";
  std::string remote_type = remote ? remote->value("type", "") : "";
  if (!remote) {
    if (!local)
      d.error("dgram requires local= parameter", "local",
              "give remote.* and local.* (or a multicast remote alone, or local.type=fd alone)");
    else if (local_type != "fd")
      d.error("type=inet or type=unix requires remote parameter", "remote");
  } else if (is_multicast(*remote)) {
    if (local && local_type != "inet")
      d.error("a multicast remote needs local.type=inet or no local address", "local.type",
              fmt::format("QEMU {} refuses local.type={} here", target.version.str(), local_type));
  } else if (!local) {
    d.error("dgram requires local= parameter", "local",
            "a unicast remote needs local.*; only a multicast remote works alone");
  } else if (local_type != remote_type) {
    d.error("remote and local types must be the same", "remote.type");
  } else if (remote_type == "vsock" || remote_type == "fd") {
    d.error(fmt::format("-netdev dgram does not take remote.type={}", remote_type), "remote.type",
            "use inet or unix, or local.type=fd alone");
  }
  if (!d.ok()) return;
  for (const Json* side : {local, remote}) {
    if (!side) continue;
    const char* name = side == local ? "local" : "remote";
    d.append(socket_address_rules(*side, SocketRole::either, target, name));
    d.append(command_line_fd_rules(*side, name, "Invalid file descriptor number '{}'"));
    // net/dgram.c resolves inet hosts with gethostbyname: IPv4 only.
    std::string host = side->value("host", "");
    if (side->value("type", "") == "inet" && ipv6_literal(host))
      d.error(fmt::format("can't resolve host address '{}'", host), key(name, "host"),
              "-netdev dgram takes IPv4 addresses only");
  }
}

}  // namespace

Diagnostics netdev_rules(const Json& netdev, const schema::Target& target) {
  Diagnostics d;
  if (!netdev.is_object()) return d;
  std::string type = netdev.value("type", "");
  if (type == "stream") stream_rules(netdev, target, d);
  if (type == "dgram") dgram_rules(netdev, target, d);
  return d;
}

}  // namespace qsock::uri
