#include "uri/socket_uri.h"

#include <cstdint>
#include <string>

#include <fmt/format.h>

#include "uri/inet_parse.h"

namespace qsock::uri {

namespace {

// sun_path of Linux's sockaddr_un.

bool is_decimal_u32(std::string_view s) {
  if (s.empty() || s.size() > 10) return false;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return v <= 0xffffffffULL;
}

std::size_t run_until(std::string_view s, std::size_t pos, std::size_t max, char stop) {
  std::size_t n = 0;
  while (pos + n < s.size() && n < max && s[pos + n] != stop) ++n;
  return n;
}

void parse_unix(std::string_view path, Parsed& out) {
  if (path.empty()) {
    fail(out, {"invalid Unix socket address", "path", "write unix:/path/to/socket"});
    return;
  }
  // Its length is the socket rules' (QEMU checks it when it opens the socket).
  if (path.find(',') != std::string_view::npos)
    out.diags.warn("QEMU takes everything after unix: as the path, commas included", "path",
                   "unix: addresses have no options; use keyval or QMP for abstract/tight");
  if (!out.diags.ok()) return;
  out.value = {{"type", "unix"}, {"path", std::string(path)}};
}

void parse_fd(std::string_view name, Parsed& out) {
  if (name.empty()) {
    fail(out, {"invalid file descriptor address", "str",
               "write fd:NAME (a name given to getfd) or fd:NUMBER"});
    return;
  }
  out.value = {{"type", "fd"}, {"str", std::string(name)}};
}

// sscanf "%32[^:]:%32[^,]%n" and the trailing-characters check.
void parse_vsock(std::string_view s, Parsed& out) {
  std::size_t cid_len = run_until(s, 0, 32, ':');
  bool ok = cid_len > 0 && cid_len < s.size() && s[cid_len] == ':';
  std::size_t port_len = ok ? run_until(s, cid_len + 1, 32, ',') : 0;
  if (!ok || port_len == 0) {
    fail(out, {fmt::format("error parsing address '{}'", s), "addr",
               "write vsock:CID:PORT, e.g. vsock:2:4444"});
    return;
  }
  std::size_t end = cid_len + 1 + port_len;
  if (end != s.size()) {
    fail(out, {fmt::format("trailing characters in address '{}'", s), "addr",
               "vsock: addresses take no options; CID and port are at most 32 characters"});
    return;
  }
  std::string cid(s.substr(0, cid_len));
  std::string port(s.substr(cid_len + 1, port_len));
  // QEMU checks these when it opens the socket; the address is unusable anyway.
  if (!is_decimal_u32(cid))
    out.diags.error(fmt::format("Failed to parse cid '{}'", cid), "cid",
                    "a CID is a decimal number below 2^32 (2 is the host)");
  if (!is_decimal_u32(port))
    out.diags.error(fmt::format("Failed to parse port '{}'", port), "port",
                    "a vsock port is a decimal number below 2^32");
  if (!out.diags.ok()) return;
  out.value = {{"type", "vsock"}, {"cid", cid}, {"port", port}};
}

}  // namespace

Parsed parse_socket_address(std::string_view text, const schema::Target& target,
                            const schema::Schema& schema) {
  Parsed out;
  if (reject_nul(text, out)) return out;
  if (text.starts_with("unix:")) {
    parse_unix(text.substr(5), out);
  } else if (text.starts_with("fd:")) {
    parse_fd(text.substr(3), out);
  } else if (text.starts_with("vsock:")) {
    parse_vsock(text.substr(6), out);
  } else if (text.starts_with("tcp:")) {
    out = parse_inet(text.substr(4), target, schema);
  } else {
    out = parse_inet(text, target, schema);
    std::string scheme(text.substr(0, text.find(':')));
    for (char& c : scheme) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    for (std::string_view look_alike : {"unix", "fd", "vsock", "tcp", "udp", "tcp6", "inet"})
      if (scheme == look_alike && text.find(':') != std::string_view::npos)
        out.diags.warn(fmt::format("'{}:' is not a prefix QEMU knows; it reads '{}' as a host name",
                                   text.substr(0, text.find(':')), text.substr(0, text.find(':'))),
                       "host", "prefixes are unix:, fd:, vsock: and tcp:, in lower case");
  }
  if (!out.diags.ok()) out.value = nullptr;
  return out;
}

}  // namespace qsock::uri
