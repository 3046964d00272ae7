#include "uri/inet_parse.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "base/suggest.h"
#include "schema/availability_hint.h"
#include "uri/qemu_opts.h"

namespace qsock::uri {

namespace {

constexpr std::string_view bracket_hint = "put an IPv6 address in brackets: [::1]:4444";
constexpr std::string_view host_port_hint = "write host:port, e.g. localhost:4444 or :4444";

// The InetSocketAddress members that are options (everything but host/port).
std::vector<const schema::Member*> option_members(const schema::Schema& schema,
                                                  const schema::TypeDef& inet) {
  std::vector<const schema::Member*> out;
  for (const schema::Member* m : schema.members_of(inet))
    if (m->name != "host" && m->name != "port") out.push_back(m);
  return out;
}

const schema::Member* find_member(const std::vector<const schema::Member*>& members,
                                  std::string_view name) {
  for (const schema::Member* m : members)
    if (m->name == name) return m;
  return nullptr;
}

// How QemuOpts types a member: bool -> BOOL, integers -> NUMBER, else STRING.
QemuOptType opt_type_of(const schema::Member& m) {
  if (m.type == "bool") return QemuOptType::boolean;
  if (schema::is_integer_builtin(m.type)) return QemuOptType::number;
  return QemuOptType::string;
}

// QEMU stores the parsed number in the member's C type; warn when it wraps.
std::uint64_t store_as_member(const schema::Member& m, std::uint64_t value, Parsed& out) {
  schema::IntegerRange range;
  if (!schema::is_integer_builtin(m.type, &range) || range.is_signed) return value;
  auto max = static_cast<std::uint64_t>(range.max);
  if (value <= max) return value;
  std::uint64_t stored = value & max;  // every unsigned max is 2^n - 1
  out.diags.warn(
      fmt::format("QEMU stores {} in a {}: {} becomes {}", m.name, m.type, value, stored), m.name,
      fmt::format("the largest {} is {}", m.name, max));
  return stored;
}

// Problems QEMU does not report at parse time but that break the address.
void check_host_port(const std::string& host, const std::string& port, Parsed& out) {
  if (port.find(':') != std::string::npos)
    out.diags.warn(fmt::format("port '{}' contains ':'; QEMU split an unbracketed IPv6 "
                               "address at its first colon",
                               port),
                   "port", std::string(bracket_hint));
  if (!host.empty() && host.front() == '[')
    out.diags.warn(fmt::format("host '{}' starts with '[' but the address was not read as "
                               "IPv6: only an address at the very start may be bracketed",
                               host),
                   "host", "write the address first: [::1]:4444,opt=...");
}

std::vector<std::string> accepted_names(const std::vector<const schema::Member*>& members,
                                        const schema::Target& target) {
  std::vector<std::string> names;
  for (const schema::Member* m : members)
    if (target.has(m->avail)) names.push_back(m->name);
  return names;
}

std::string unknown_option_hint(std::string_view name, const std::vector<std::string>& names) {
  if (auto hint = did_you_mean(name, names); !hint.empty()) return hint;
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  return fmt::format("InetSocketAddress options: {}", list);
}

// ---- since 10.1: QemuOpts -------------------------------------------------

void parse_qemu_opts_generation(std::string_view text, const schema::Target& target,
                                const std::vector<const schema::Member*>& members, Parsed& out) {
  auto opts = parse_qemu_opts(text, "addr");
  if (!opts) {
    fail(out, opts.error());
    return;
  }
  if (opts->id) out.diags.warn("id= is taken by QemuOpts and ignored in an inet address", "id");

  std::vector<std::string> names = accepted_names(members, target);
  names.insert(names.begin(), "addr");
  Json typed = Json::object();
  for (const QemuOpt& opt : opts->opts) {
    if (opt.name == "addr") continue;
    const schema::Member* m = find_member(members, opt.name);
    if (!m || !target.has(m->avail)) {
      Diagnostic d{fmt::format("Invalid parameter '{}'", opt.name), opt.name, {}};
      d.hint = m ? schema::availability_hint(opt.name, m->name, m->avail, target)
                 : unknown_option_hint(opt.name, names);
      out.diags.errors.push_back(std::move(d));
      continue;
    }
    auto value = qemu_opt_typed(opt.name, opt.value, opt_type_of(*m));
    if (!value) {
      out.diags.errors.push_back(value.error());
      continue;
    }
    typed[opt.name] = *value;  // last occurrence wins
  }
  for (const schema::Member* m : members)
    if (typed.contains(m->name) && m->avail.is_proposed())
      out.diags.warn(schema::proposed_warning(m->name, m->name), m->name);

  const QemuOpt* addr = opts->find("addr");
  std::string a = addr ? addr->value : std::string();
  std::string host, port;
  bool parsed = false;
  if (!text.empty() && text.front() == '[') {
    auto close = a.find("]:");
    if (close != std::string::npos && close > 1 && close + 2 < a.size()) {
      host = a.substr(1, close - 1);
      port = a.substr(close + 2);
      parsed = true;
    }
    if (!parsed) {
      std::string hint = close == std::string::npos ? "close the bracket and add a port: [::1]:4444"
                         : close <= 1               ? "the brackets are empty: [::1]:4444"
                                                    : std::string(host_port_hint);
      out.diags.error(fmt::format("error parsing IPv6 address '{}'", a), "addr", hint);
    }
  } else {
    auto colon = a.find(':');
    if (colon != std::string::npos && colon + 1 < a.size()) {
      host = a.substr(0, colon);
      port = a.substr(colon + 1);
      parsed = true;
    } else {
      out.diags.error(fmt::format("error parsing address '{}'", a), "addr",
                      std::string(host_port_hint));
    }
  }
  if (!out.diags.ok()) {
    out.value = nullptr;
    return;
  }
  check_host_port(host, port, out);
  Json v = {{"type", "inet"}, {"host", host}, {"port", port}};
  for (const schema::Member* m : members) {
    if (!typed.contains(m->name)) continue;
    Json value = typed[m->name];
    if (value.is_number_unsigned()) value = store_as_member(*m, value.get<std::uint64_t>(), out);
    v[m->name] = std::move(value);
  }
  out.value = std::move(v);
}

// ---- before 10.1: sscanf and strstr --------------------------------------

// Length of the run at `pos` of characters not in `stop`, at most `max`
// (a scanf "%max[^stop]" conversion).
std::size_t scan_set(std::string_view s, std::size_t pos, std::size_t max, std::string_view stop) {
  std::size_t n = 0;
  while (pos + n < s.size() && n < max && stop.find(s[pos + n]) == std::string_view::npos) ++n;
  return n;
}

struct Flag {
  std::string_view name;
  std::optional<std::size_t> at;  // position of ",name" in the option text
};

// QEMU's inet_parse_flag(): nothing or "=on" => true, "=off" => false.
// A longer option that starts with the flag's name (keep-alive-idle after
// keep-alive) and that a newer QEMU has gets the "needs QEMU X" hint.
std::optional<bool> parse_flag(std::string_view name, std::string_view rest, Parsed& out,
                               const schema::Target& target,
                               const std::vector<const schema::Member*>& members) {
  auto comma = rest.find(',');
  std::string hint;
  std::string longer = fmt::format("{}{}", name, rest.substr(0, rest.find_first_of("=,")));
  const schema::Member* newer = longer != name ? find_member(members, longer) : nullptr;
  if (newer && !target.has(newer->avail))
    hint = schema::availability_hint(longer, newer->name, newer->avail, target);
  else if (!rest.empty() && rest.front() != '=' && rest.front() != ',')
    hint = fmt::format(
        "QEMU {} found ',{}' as the prefix of a longer option name; put {} before the options "
        "that start with it, or drop those (this QEMU ignores them)",
        target.version.str(), name, name);
  else
    hint = fmt::format("write {0}, {0}=on or {0}=off", name);
  auto error = [&] {
    out.diags.error(fmt::format("error parsing '{}' flag '{}'", name, rest), std::string(name),
                    hint);
    return std::nullopt;
  };
  std::size_t len = rest.size();
  if (comma != std::string_view::npos) {
    if (comma + 1 < rest.size() && rest[comma + 1] == ',') return error();
    len = comma;
  }
  std::string_view v = rest.substr(0, len);
  if (v.empty() || v == "=on") return true;
  if (v == "=off") return false;
  return error();
}

// sscanf "%d": the value QEMU ends up with in its int, and where it stopped.
struct ScanInt {
  bool ok = false;
  long long value = 0;  // as written (clamped like strtol)
  std::size_t end = 0;
};

ScanInt scan_int(std::string_view s) {
  ScanInt r;
  std::size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n')) ++i;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  std::size_t start = i;
  unsigned long long v = 0;
  bool overflow = false;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
    unsigned d = static_cast<unsigned>(s[i] - '0');
    if (v > (static_cast<unsigned long long>(std::numeric_limits<long long>::max()) - d) / 10)
      overflow = true;
    else
      v = v * 10 + d;
  }
  if (i == start) return r;
  r.ok = true;
  r.end = i;
  if (overflow)
    r.value =
        negative ? std::numeric_limits<long long>::min() : std::numeric_limits<long long>::max();
  else
    r.value = negative ? -static_cast<long long>(v) : static_cast<long long>(v);
  return r;
}

std::string ignored_hint(std::string_view name, const std::vector<const schema::Member*>& members,
                         const schema::Target& target) {
  if (const schema::Member* m = find_member(members, name)) {
    if (!target.has(m->avail)) return schema::availability_hint(name, m->name, m->avail, target);
    if (m->avail.is_proposed())
      return fmt::format("no released QEMU reads {}: it is a proposed InetSocketAddress member",
                         name);
    return fmt::format(
        "inet_parse() reads {} only since QEMU {}; before that, use the "
        "keyval or QMP form (addr.{}=...)",
        name, inet_qemu_opts_since.str(), name);
  }
  std::vector<std::string> names;
  for (const schema::Member* m : members) names.push_back(m->name);
  return did_you_mean(name, names, "not an InetSocketAddress option");
}

void parse_scanf_generation(std::string_view s, const schema::Target& target,
                            const std::vector<const schema::Member*>& members, Parsed& out) {
  const std::string v = target.version.str();
  std::string host, port;
  std::size_t pos = 0;
  if (!s.empty() && s[0] == ':') {
    std::size_t n = scan_set(s, 1, 32, ",");
    if (n == 0) {
      fail(out, {fmt::format("error parsing port in address '{}'", s), "port",
                 std::string(host_port_hint)});
      return;
    }
    port = std::string(s.substr(1, n));
    pos = 1 + n;
  } else if (!s.empty() && s[0] == '[') {
    std::size_t h = scan_set(s, 1, 64, "]");
    std::size_t i = 1 + h;
    std::size_t p = 0;
    bool ok = h > 0 && i + 1 < s.size() && s[i] == ']' && s[i + 1] == ':';
    if (ok) p = scan_set(s, i + 2, 32, ",");
    if (!ok || p == 0) {
      std::string hint = h == 64 ? fmt::format("QEMU {} reads at most 64 characters of host", v)
                                 : "write [ipv6-address]:port, e.g. [::1]:4444";
      fail(out, {fmt::format("error parsing IPv6 address '{}'", s), "addr", hint});
      return;
    }
    host = std::string(s.substr(1, h));
    port = std::string(s.substr(i + 2, p));
    pos = i + 2 + p;
  } else {
    std::size_t h = scan_set(s, 0, 64, ":");
    std::size_t p = 0;
    bool ok = h > 0 && h < s.size() && s[h] == ':';
    if (ok) p = scan_set(s, h + 1, 32, ",");
    if (!ok || p == 0) {
      std::string hint = h == 64 && h < s.size() && s[h] != ':'
                             ? fmt::format("QEMU {} reads at most 64 characters of host", v)
                             : std::string(host_port_hint);
      fail(out, {fmt::format("error parsing address '{}'", s), "addr", hint});
      return;
    }
    host = std::string(s.substr(0, h));
    port = std::string(s.substr(h + 1, p));
    pos = h + 1 + p;
  }
  if (pos < s.size() && s[pos] != ',') {
    out.diags.warn(
        fmt::format("QEMU {} reads only the first 32 characters of the port ('{}')", v, port),
        "port", "a port is a number or a short service name");
  }

  std::string_view opts = s.substr(pos);
  Json v_opts = Json::object();

  // to=
  std::optional<std::size_t> to_at;
  if (auto at = opts.find(",to="); at != std::string_view::npos) {
    to_at = at;
    std::string_view h = opts.substr(at + 4);
    ScanInt n = scan_int(h);
    if (!n.ok || (n.end < h.size() && h[n.end] != ',')) {
      fail(out, {"error parsing to= argument", "to", "to= takes a decimal port number"});
      return;
    }
    // sscanf stores into an int, QEMU then into the uint16 member.
    auto as_int = static_cast<std::int32_t>(
        static_cast<std::uint32_t>(static_cast<unsigned long long>(n.value) & 0xffffffffULL));
    auto stored = static_cast<std::uint16_t>(static_cast<std::uint32_t>(as_int) & 0xffffU);
    if (n.value != stored)
      out.diags.warn(fmt::format("QEMU stores to in a uint16: {} becomes {}",
                                 std::string(h.substr(0, n.end)), stored),
                     "to", "the largest to is 65535");
    v_opts["to"] = stored;
  }

  // The flags of this release, in QEMU's order; each only if the schema
  // says the target has it.
  std::vector<Flag> flags;
  for (std::string_view name : {"ipv4", "ipv6", "keep-alive", "mptcp"}) {
    const schema::Member* m = find_member(members, name);
    if (!m || !target.has(m->avail)) continue;
    flags.push_back({name, std::nullopt});
  }
  for (Flag& f : flags) {
    std::string pattern = fmt::format(",{}", f.name);
    auto at = opts.find(pattern);
    if (at == std::string_view::npos) continue;
    f.at = at;
    auto value = parse_flag(f.name, opts.substr(at + pattern.size()), out, target, members);
    if (!value) {
      out.value = nullptr;
      return;
    }
    v_opts[std::string(f.name)] = *value;
  }

  // What QEMU never looked at: every other comma-separated item.
  for (std::size_t c = 0; c < opts.size(); ++c) {
    if (opts[c] != ',') continue;
    std::size_t end = opts.find(',', c + 1);
    std::string_view item = opts.substr(c + 1, end == std::string_view::npos ? end : end - c - 1);
    if (item.empty()) continue;
    bool read = to_at == c;
    for (const Flag& f : flags)
      if (f.at == c) read = true;
    if (read) continue;
    std::string_view name = item.substr(0, item.find('='));
    bool duplicate = name == "to" || std::any_of(flags.begin(), flags.end(),
                                                 [&](const Flag& f) { return f.name == name; });
    std::string hint = duplicate ? fmt::format("QEMU {} reads only the first {}", v, name)
                                 : ignored_hint(name, members, target);
    out.diags.warn(fmt::format("QEMU {} ignores '{}'", v, item), std::string(name), hint);
  }

  check_host_port(host, port, out);
  Json value = {{"type", "inet"}, {"host", host}, {"port", port}};
  for (const schema::Member* m : members)
    if (v_opts.contains(m->name)) value[m->name] = v_opts[m->name];
  out.value = std::move(value);
}

}  // namespace

bool reject_nul(std::string_view text, Parsed& out) {
  auto nul = text.find('\0');
  if (nul == std::string_view::npos) return false;
  fail(out, {fmt::format("input contains a NUL byte at offset {}", nul), "",
             "QEMU's command line and QMP strings cannot carry NUL; remove it"});
  return true;
}

InetGeneration inet_generation(const schema::Target& target) {
  return target.version >= inet_qemu_opts_since ? InetGeneration::qemu_opts
                                                : InetGeneration::scanf_era;
}

Parsed parse_inet(std::string_view text, const schema::Target& target,
                  const schema::Schema& schema) {
  Parsed out;
  if (reject_nul(text, out)) return out;
  const schema::TypeDef* inet = schema.find("InetSocketAddress");
  if (!inet || inet->meta != schema::Meta::object)
    return fail(out, {"the schema has no InetSocketAddress", "",
                      "qsock needs the QAPI schema of sockets.json to read inet addresses"});
  std::vector<const schema::Member*> members = option_members(schema, *inet);
  if (inet_generation(target) == InetGeneration::qemu_opts)
    parse_qemu_opts_generation(text, target, members, out);
  else
    parse_scanf_generation(text, target, members, out);
  return out;
}

}  // namespace qsock::uri
