#include "uri/chardev_opts.h"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <string>

#include <fmt/format.h>

#include "base/suggest.h"
#include "schema/availability_hint.h"
#include "uri/inet_parse.h"

namespace qsock::uri {

namespace {

constexpr schema::QemuVersion old{0, 0};
using T = QemuOptType;

schema::Availability availability(const ChardevOption& o) {
  schema::Availability a =
      o.since == old ? schema::Availability{} : schema::Availability::released_in(o.since);
  a.removed = o.removed;
  return a;
}

bool in_target(const ChardevOption& o, const schema::Target& target) {
  return target.has(availability(o));
}

const ChardevOption* find_option(std::string_view name) {
  for (const auto& o : chardev_options())
    if (o.name == name) return &o;
  return nullptr;
}

// ChardevBackendKind values (qapi/char.json), for "is not a valid char driver name".
constexpr std::string_view backend_kinds[] = {
    "file",     "serial",    "parallel",     "pipe",     "socket",  "udp",     "pty",   "null",
    "mux",      "hub",       "msmouse",      "wctablet", "braille", "testdev", "stdio", "console",
    "spicevmc", "spiceport", "qemu-vdagent", "dbus",     "vc",      "ringbuf", "memory"};

std::string flag_replacement(const QemuOpt& o) {
  if (o.name == "delay")
    return fmt::format("Please use nodelay={} instead", o.negated ? "on" : "off");
  return fmt::format("Please use {}={} instead", o.name, o.value);
}

bool is_help(std::string_view name) { return name == "help" || name == "?"; }

}  // namespace

const std::vector<ChardevOption>& chardev_options() {
  static const std::vector<ChardevOption> options = {
      {"backend", T::string, old, {}, true},
      {"path", T::string, old, {}, true},
      {"input-path", T::string, {8, 1}, {}, false},
      {"host", T::string, old, {}, true},
      {"port", T::string, old, {}, true},
      {"fd", T::string, old, {}, true},
      {"localaddr", T::string, old, {}, false},
      {"localport", T::string, old, {}, false},
      {"to", T::number, old, {}, true},
      {"ipv4", T::boolean, old, {}, true},
      {"ipv6", T::boolean, old, {}, true},
      {"wait", T::boolean, old, {}, true},
      {"server", T::boolean, old, {}, true},
      {"delay", T::boolean, old, {}, true},
      {"nodelay", T::boolean, old, {}, true},
      {"reconnect", T::number, old, schema::QemuVersion{10, 2}, true},
      {"reconnect-ms", T::number, {9, 2}, {}, true},
      {"telnet", T::boolean, old, {}, true},
      {"tn3270", T::boolean, old, {}, true},
      {"tls-creds", T::string, old, {}, true},
      {"tls-authz", T::string, old, {}, true},
      {"websocket", T::boolean, old, {}, true},
      {"width", T::number, old, {}, false},
      {"height", T::number, old, {}, false},
      {"cols", T::number, old, {}, false},
      {"rows", T::number, old, {}, false},
      {"mux", T::boolean, old, {}, false},
      {"signal", T::boolean, old, {}, false},
      {"name", T::string, old, {}, false},
      {"debug", T::number, old, {}, false},
      {"size", T::size, old, {}, false},
      {"chardev", T::string, old, {}, false},
      {"chardevs.0", T::string, {10, 0}, {}, false},
      {"chardevs.1", T::string, {10, 0}, {}, false},
      {"chardevs.2", T::string, {10, 0}, {}, false},
      {"chardevs.3", T::string, {10, 0}, {}, false},
      {"append", T::boolean, old, {}, false},
      {"logfile", T::string, old, {}, true},
      {"logappend", T::boolean, old, {}, true},
      {"mouse", T::boolean, old, {}, false},
      {"clipboard", T::boolean, old, {}, false},
      {"tight", T::boolean, old, {}, true},     // Linux only
      {"abstract", T::boolean, old, {}, true},  // Linux only
  };
  return options;
}

bool is_chardev_backend(std::string_view name) {
  return std::find(std::begin(backend_kinds), std::end(backend_kinds), name) !=
         std::end(backend_kinds);
}

Parsed parse_chardev(std::string_view text, const schema::Target& target,
                     const schema::Schema& schema) {
  Parsed out;
  if (reject_nul(text, out)) return out;
  const std::string v = target.version.str();
  auto opts = parse_qemu_opts(text, "backend");
  if (!opts) return fail(out, opts.error());

  // 1. Names and values, in input order (QEMU stops at the first bad one).
  std::vector<std::string> names;
  for (const auto& o : chardev_options())
    if (in_target(o, target)) names.emplace_back(o.name);
  Json typed = Json::object();
  for (const QemuOpt& opt : opts->opts) {
    if (opt.short_form && !opt.negated && is_help(opt.name)) {
      out.diags.error("help requested: QEMU prints the chardev options and exits", opt.name);
      continue;
    }
    const ChardevOption* desc = find_option(opt.name);
    if (!desc || !in_target(*desc, target)) {
      Diagnostic d{fmt::format("Invalid parameter '{}'", opt.name), opt.name, {}};
      const schema::TypeDef* inet = schema.find("InetSocketAddress");
      if (desc) {
        d.hint = schema::availability_hint(opt.name, opt.name, availability(*desc), target,
                                           opt.name == "reconnect" ? "reconnect-ms" : "");
      } else if (inet && schema.member(*inet, opt.name)) {
        d.hint = fmt::format(
            "-chardev has no flat {0} option; use QMP chardev-add with "
            "addr.data.{0}, or -netdev stream/keyval forms",
            opt.name);
      } else {
        d.hint = did_you_mean(opt.name, names);
      }
      out.diags.errors.push_back(std::move(d));
      continue;
    }
    auto value = qemu_opt_typed(opt.name, opt.value, desc->type);
    if (!value) {
      out.diags.errors.push_back(value.error());
      continue;
    }
    if (opt.short_form)
      out.diags.warn(fmt::format("short-form boolean option '{}{}' deprecated",
                                 opt.negated ? "no" : "", opt.name),
                     opt.name, flag_replacement(opt));
    typed[opt.name] = *value;
  }
  if (!out.diags.ok()) return out;

  // 2. What __qemu_chr_new_from_opts() and qemu_chr_parse_opts() check.
  if (typed.contains("backend") && is_help(typed["backend"].get<std::string>()))
    return fail(out, {"help requested: QEMU prints the chardev backends and exits", "backend", {}});
  if (!opts->id) return fail(out, {"chardev: no id specified", "id", "add id=NAME"});
  const std::string& id = *opts->id;
  if (!typed.contains("backend"))
    return fail(out, {fmt::format("chardev: \"{}\" missing backend", id), "backend",
                      "start with the backend: socket,id=...,"});
  std::string backend = typed["backend"].get<std::string>();
  if (backend != "socket") {
    bool known = false;
    for (auto k : backend_kinds) known = known || k == backend;
    if (known)
      return fail(out, {fmt::format("qsock checks only socket chardevs, not '{}'", backend),
                        "backend", "QEMU itself accepts that backend"});
    std::vector<std::string> kinds(std::begin(backend_kinds), std::end(backend_kinds));
    return fail(out, {fmt::format("'{}' is not a valid char driver name", backend), "backend",
                      did_you_mean(backend, kinds)});
  }

  // 3. qemu_chr_parse_socket().
  auto has = [&](std::string_view n) { return typed.contains(std::string(n)); };
  auto get_bool = [&](std::string_view n, bool def) {
    return has(n) ? typed[std::string(n)].get<bool>() : def;
  };
  int addresses = 0;
  for (std::string_view n : {"path", "fd", "host"})
    if (has(n)) ++addresses;
  if (addresses > 1)
    return fail(out, {"None or one of 'path', 'fd' or 'host' option required.", "",
                      "give one address: path= (unix), host=+port= (tcp) or fd="});
  if (has("host") && !has("port"))
    return fail(out, {"chardev: socket: no port given", "port", "add port=N"});
  if (addresses == 0 && has("port"))
    // QEMU 7.2 to 11.1 make it an fd address with no number, and the command
    // line has no monitor to look a name up in.
    return fail(out, {"Unable to parse FD number", "port",
                      "port= alone is no address: add host=localhost (or host= for any address)"});
  if (addresses == 0)
    return fail(out, {"chardev: socket: no address given", "",
                      "give path= (unix), host=+port= (tcp) or fd="});
  if (has("delay") && has("nodelay"))
    return fail(out, {"'delay' and 'nodelay' are mutually exclusive", "nodelay",
                      "use nodelay=on|off only"});

  Json data = Json::object();
  if (has("logfile")) data["logfile"] = typed["logfile"];
  data["logappend"] = get_bool("logappend", false);

  Json addr;
  std::string addr_type;
  if (has("path")) {
    addr_type = "unix";
    addr = {{"type", "unix"},
            {"data",
             {{"path", typed["path"]},
              {"tight", get_bool("tight", true)},
              {"abstract", get_bool("abstract", false)}}}};
  } else if (has("host")) {
    addr_type = "inet";
    Json inet = {{"host", typed["host"]}, {"port", typed["port"]}};
    if (has("to")) {
      std::uint64_t to = typed["to"].get<std::uint64_t>();
      std::uint64_t stored = to & 0xffffU;
      if (stored != to)
        out.diags.warn(fmt::format("QEMU stores to in a uint16: {} becomes {}", to, stored), "to",
                       "the largest to is 65535");
      inet["to"] = stored;
    }
    if (has("ipv4")) inet["ipv4"] = typed["ipv4"];
    if (has("ipv6")) inet["ipv6"] = typed["ipv6"];
    addr = {{"type", "inet"}, {"data", inet}};
  } else {
    addr_type = "fd";
    addr = {{"type", "fd"}, {"data", {{"str", typed["fd"]}}}};
  }
  data["addr"] = addr;
  if (has("tls-creds")) data["tls-creds"] = typed["tls-creds"];
  if (has("tls-authz")) data["tls-authz"] = typed["tls-authz"];
  bool server = get_bool("server", false);
  data["server"] = server;
  if (has("wait") || server) data["wait"] = get_bool("wait", true);
  if (has("delay") || has("nodelay"))
    data["nodelay"] = !get_bool("delay", true) || get_bool("nodelay", false);
  for (std::string_view n : {"telnet", "tn3270", "websocket", "reconnect", "reconnect-ms"})
    if (has(n)) data[std::string(n)] = typed[std::string(n)];

  // 4. qmp_chardev_validate_socket(), which QEMU runs when it opens the chardev.
  bool reconnect_ms_checked = target.version >= schema::QemuVersion{10, 2};
  const char* reconnect_name = reconnect_ms_checked ? "reconnect-ms" : "reconnect";
  bool has_reconnect = reconnect_ms_checked ? has("reconnect-ms") : has("reconnect");
  bool has_creds = has("tls-creds");
  if (addr_type == "fd" && has_reconnect)
    out.diags.error(
        fmt::format("'{}' option is incompatible with 'fd' address type", reconnect_name),
        reconnect_name);
  else if (addr_type == "fd" && has_creds && !server)
    out.diags.error("'tls_creds' option is incompatible with 'fd' address type as client",
                    "tls-creds");
  else if (addr_type == "unix" && has_creds)
    out.diags.error("'tls_creds' option is incompatible with 'unix' address type", "tls-creds");
  else if (has("tls-authz") && !has_creds)
    out.diags.error("'tls_authz' option requires 'tls_creds' option", "tls-authz");
  else if (server && has_reconnect)
    out.diags.error(fmt::format("'{}' option is incompatible with socket in server listen mode",
                                reconnect_name),
                    reconnect_name, "reconnecting is for client sockets (server=off)");
  else if (!server && get_bool("websocket", false))
    out.diags.error("Websocket client is not implemented", "websocket");
  else if (!server && has("wait"))
    out.diags.error("'wait' option is incompatible with socket in client connect mode", "wait",
                    "drop wait=; it applies to server=on only");
  else if (has("reconnect") && has("reconnect-ms"))
    out.diags.error("'reconnect' and 'reconnect-ms' are mutually exclusive", "reconnect",
                    "keep reconnect-ms");
  if (!out.diags.ok()) {
    out.value = nullptr;
    return out;
  }

  // 5. What QEMU accepts and then does not use.
  if (has("reconnect-ms") && !reconnect_ms_checked && server)
    out.diags.warn(fmt::format("QEMU {} ignores reconnect-ms on a listening socket", v),
                   "reconnect-ms");
  if (has("reconnect") && target.version >= schema::QemuVersion{9, 2})
    out.diags.warn("reconnect is deprecated since QEMU 9.2", "reconnect",
                   "use reconnect-ms (milliseconds)");
  for (const QemuOpt& opt : opts->opts) {
    const ChardevOption* desc = find_option(opt.name);
    if (!desc) continue;
    std::string why;
    if (opt.name == "mux") {
      if (typed["mux"].get<bool>())
        out.diags.warn(
            "mux=on makes QEMU put a mux chardev on top of this one; chardev-add "
            "cannot express that in one command",
            "mux", "add a second chardev-add with backend mux");
      continue;
    }
    if (!desc->socket)
      why = "the socket backend ignores it";
    else if ((opt.name == "tight" || opt.name == "abstract") && addr_type != "unix")
      why = "it applies to path= addresses only";
    else if ((opt.name == "to" || opt.name == "ipv4" || opt.name == "ipv6" || opt.name == "port") &&
             addr_type != "inet")
      why = "it applies to host= addresses only";
    if (!why.empty())
      out.diags.warn(fmt::format("QEMU accepts {} here but {}", opt.name, why), opt.name);
  }

  out.value = {{"id", id}, {"backend", {{"type", "socket"}, {"data", data}}}};
  return out;
}

}  // namespace qsock::uri
