#include "uri/migration_uri.h"

#include <string>

#include <fmt/format.h>

#include "uri/inet_parse.h"
#include "uri/qemu_opts.h"
#include "uri/socket_uri.h"

namespace qsock::uri {

namespace {

std::string known_schemes(const schema::Target& target) {
  std::string list = "tcp:, unix:, vsock:, fd:, exec:, rdma:";
  if (target.version >= migration_file_since) list += ", file:";
  return list + " (and defer for -incoming)";
}

void parse_file(std::string_view rest, Parsed& out) {
  std::string filename(rest);
  Json value = {{"transport", "file"}, {"filename", ""}, {"offset", 0}};
  // QEMU cuts the name at the first ",offset=" and reads a size after it.
  constexpr std::string_view marker = ",offset=";
  if (auto at = filename.find(marker); at != std::string::npos) {
    std::string offset = filename.substr(at + marker.size());
    filename.resize(at);
    auto size = qemu_opt_size("offset", offset);
    if (!size) {
      bool range = size.error().message.find("out of range") != std::string::npos;
      fail(out,
           {fmt::format("file URI has bad offset {}: {}", offset,
                        range ? "Numerical result out of range" : "Invalid argument"),
            "offset",
            "a byte count, optionally with a k/M/G/T/P/E suffix (a 0x number takes no suffix)"});
      return;
    }
    value["offset"] = size->count;
  }
  if (filename.find(',') != std::string::npos)
    out.diags.warn("QEMU takes every comma but ',offset=' as part of the file name", "filename");
  if (filename.find('~') != std::string::npos)
    out.diags.warn(
        "QEMU does not expand '~' in the file name: it is a literal character of the path",
        "filename", "write the home directory out, e.g. /root/...");
  value["filename"] = filename;
  out.value = std::move(value);
}

}  // namespace

Parsed parse_migration_uri(std::string_view text, const schema::Target& target,
                           const schema::Schema& schema) {
  Parsed out;
  if (reject_nul(text, out)) return out;
  const std::string v = target.version.str();

  if (text == "defer") {
    out.value = "defer";
    return out;
  }
  if (text.starts_with("exec:")) {
    std::string command(text.substr(5));
    out.value = {{"transport", "exec"}, {"args", {"/bin/sh", "-c", command}}};
    out.diags.warn("QEMU runs an exec: URI through /bin/sh -c", "args",
                   "quote for the shell; in QMP, give the argument list directly");
    return out;
  }
  if (text.starts_with("rdma:")) {
    Parsed inet = parse_inet(text.substr(5), target, schema);
    out.diags = inet.diags;
    if (!inet.ok()) {
      out.value = nullptr;
      return out;
    }
    Json value = {{"transport", "rdma"}};
    for (auto& [key, member] : inet.value.items())
      if (key != "type") value[key] = member;
    out.value = std::move(value);
    if (out.value.value("host", "").empty()) {
      // rdma_start_incoming_migration / rdma_start_outgoing_migration, 7.2 to 11.1.
      out.diags.error("RDMA host is not set!", "host",
                      "give the RDMA device's address: rdma:HOST:PORT");
      out.value = nullptr;
      return out;
    }
    if (target.version >= rdma_deprecated_since)
      out.diags.warn("RDMA migration is deprecated and will be removed in a future release",
                     "transport",
                     fmt::format("deprecated since QEMU {}; use tcp: (multifd "
                                 "for bandwidth)",
                                 rdma_deprecated_since.str()));
    return out;
  }
  if (text.starts_with("tcp:") || text.starts_with("unix:") || text.starts_with("vsock:") ||
      text.starts_with("fd:")) {
    Parsed sock = parse_socket_address(text, target, schema);
    out.diags = sock.diags;
    if (!sock.ok()) {
      out.value = nullptr;
      return out;
    }
    Json value = {{"transport", "socket"}};
    for (auto& [key, member] : sock.value.items()) value[key] = member;
    out.value = std::move(value);
    return out;
  }
  if (text.starts_with("file:") && target.version >= migration_file_since) {
    parse_file(text.substr(5), out);
    return out;
  }

  std::string hint = fmt::format("known schemes: {}", known_schemes(target));
  if (text.starts_with("file:"))
    hint = fmt::format("file: migration needs QEMU {} or newer (checking for {})",
                       migration_file_since.str(), v);
  else if (text.find(':') != std::string_view::npos && !text.starts_with("[") &&
           text.find("://") == std::string_view::npos)
    hint += "; for host:port write tcp:host:port";
  else if (text.starts_with("[") || text.starts_with(":"))
    hint += "; write tcp:" + std::string(text);
  return fail(out, {fmt::format("unknown migration protocol: {}", text), "uri", hint});
}

}  // namespace qsock::uri
