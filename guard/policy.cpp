#include "guard/policy.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <sstream>
#include <utility>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "base/fd.h"
#include "base/settable_members.h"
#include "base/suggest.h"
#include "sockopts/assignments.h"

namespace qsock::guard {

namespace {

// The errors of one parse, each at a position of the file. All are
// collected: a policy with three mistakes reports three.
class Errors {
 public:
  void add(const toml::source_region& at, std::string message, std::string hint = {}) {
    list_.push_back(PolicyError{static_cast<int>(at.begin.line), static_cast<int>(at.begin.column),
                                std::move(message), std::move(hint)});
  }
  void add_line(int line, std::string message, std::string hint = {}) {
    list_.push_back(PolicyError{line, 0, std::move(message), std::move(hint)});
  }
  std::size_t count() const { return list_.size(); }
  bool empty() const { return list_.empty(); }
  // In file order: toml++ keeps a table's keys sorted by name, not as written.
  std::vector<PolicyError> take() {
    std::stable_sort(list_.begin(), list_.end(), [](const PolicyError& a, const PolicyError& b) {
      return std::pair(a.line, a.column) < std::pair(b.line, b.column);
    });
    return std::move(list_);
  }

 private:
  std::vector<PolicyError> list_;
};

std::vector<std::string> kind_names() {
  std::vector<std::string> names;
  names.reserve(std::size(kAllKinds));
  for (Kind k : kAllKinds) names.emplace_back(kind_name(k));
  return names;
}

std::string joined(const std::vector<std::string>& names) {
  return fmt::format("{}", fmt::join(names, ", "));
}

// The TOML type of a node, as an error names it.
std::string_view type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    default:
      return "a date or time";
  }
}

// "'KEY' expects EXPECTED, not a string" at the value.
void type_error(Errors& errors, std::string_view key, const toml::node& value,
                std::string_view expected, std::string hint = {}) {
  errors.add(value.source(),
             fmt::format("'{}' expects {}, not {}", key, expected, type_name(value)),
             std::move(hint));
}

void unknown_key(Errors& errors, const toml::key& key, std::string_view where,
                 const std::vector<std::string>& known) {
  errors.add(key.source(), fmt::format("unknown key '{}' in {}", key.str(), where),
             did_you_mean(key.str(), known, fmt::format("one of: {}", joined(known))));
}

// A TOML value as JSON, so that options_from_json judges types and ranges
// exactly as it does for `sockets --set` and QMP input. Dates and times have
// no JSON form; they become their text, which any option refuses by type.
Json to_json(const toml::node& n) {
  if (auto* b = n.as_boolean()) return b->get();
  if (auto* i = n.as_integer()) return i->get();
  if (auto* f = n.as_floating_point()) return f->get();
  if (auto* s = n.as_string()) return s->get();
  if (auto* a = n.as_array()) {
    Json j = Json::array();
    for (const auto& e : *a) j.push_back(to_json(e));
    return j;
  }
  if (auto* t = n.as_table()) {
    Json j = Json::object();
    for (auto&& [k, v] : *t) j[std::string(k.str())] = to_json(v);
    return j;
  }
  std::ostringstream text;
  if (auto* d = n.as_date()) text << d->get();
  if (auto* t = n.as_time()) text << t->get();
  if (auto* dt = n.as_date_time()) text << dt->get();
  return text.str();
}

// Member by member: what `over` gives replaces what `base` had.
void overlay(sockopts::SocketOptions& base, const sockopts::SocketOptions& over) {
  sockopts::for_each_member([&](auto member) {
    if (over.*member) base.*member = over.*member;
  });
}

// One option key of a table: its value converted through options_from_json
// and overlaid on `out`. Keys that only act when a socket is created are
// refused as `sockets --set` refuses them.
void parse_option(Errors& errors, const toml::key& key, const toml::node& value,
                  sockopts::SocketOptions& out) {
  const std::string name(key.str());
  if (!qsock_can_set(name)) {
    errors.add(key.source(), fmt::format("'{}' cannot change on an existing socket", name),
               "it acts when the socket is created");
    return;
  }
  Json json = to_json(value);
  // keep-alive = "on" reads like the --set syntax; take it as the boolean.
  if (name == "keep-alive" && json.is_string()) {
    if (json == "on" || json == "off") {
      json = json == "on";
    } else {
      errors.add(
          value.source(),
          fmt::format("'{}' expects true or false, not \"{}\"", name, json.get<std::string>()),
          "or \"on\" / \"off\"");
      return;
    }
  }
  auto parsed = sockopts::options_from_json(Json{{name, json}});
  if (!parsed) {
    errors.add(value.source(), parsed.error().message, parsed.error().hint);
    return;
  }
  overlay(out, *parsed);
}

bool is_option_key(std::string_view key) {
  const auto& keys = sockopts::option_keys();
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

// A table of option keys ([defaults], a rule's set = { ... }).
sockopts::SocketOptions parse_options_table(Errors& errors, const toml::table& table,
                                            std::string_view where) {
  sockopts::SocketOptions o;
  for (auto&& [key, value] : table) {
    if (is_option_key(key.str()))
      parse_option(errors, key, value, o);
    else
      unknown_key(errors, key, where, qsock_settable_members());
  }
  return o;
}

// Where a table starts: toml++ gives the header's line; an implicit table
// may have none, so then its first key's.
int table_line(const toml::table& t) {
  if (t.source().begin.line > 0) return static_cast<int>(t.source().begin.line);
  int line = 0;
  for (auto&& [key, value] : t) {
    int l = static_cast<int>(key.source().begin.line);
    if (l > 0 && (line == 0 || l < line)) line = l;
  }
  return line;
}

// [kind.NAME]: option keys plus ignore.
void parse_kinds(Errors& errors, const toml::node& node, Policy& policy) {
  const auto* kinds = node.as_table();
  if (!kinds) return type_error(errors, "kind", node, "a table", "write [kind.migration] etc.");
  for (auto&& [name, value] : *kinds) {
    auto kind = kind_from_name(name.str());
    if (!kind) {
      errors.add(
          name.source(), fmt::format("unknown kind '{}'", name.str()),
          did_you_mean(name.str(), kind_names(), fmt::format("one of: {}", joined(kind_names()))));
      continue;
    }
    const std::string where = fmt::format("[kind.{}]", name.str());
    const auto* table = value.as_table();
    if (!table) {
      type_error(errors, fmt::format("kind.{}", name.str()), value, "a table");
      continue;
    }
    std::vector<std::string> known = qsock_settable_members();
    known.emplace_back("ignore");
    KindDefaults& kd = policy.kinds[*kind];
    bool sets = false;
    for (auto&& [key, v] : *table) {
      if (key.str() == "ignore") {
        if (auto* b = v.as_boolean())
          kd.ignore = b->get();
        else
          type_error(errors, "ignore", v, "a boolean");
      } else if (is_option_key(key.str())) {
        sets = true;
        parse_option(errors, key, v, kd.options);
      } else {
        unknown_key(errors, key, where, known);
      }
    }
    if (kd.ignore && sets)
      errors.add_line(table_line(*table),
                      fmt::format("{} both ignores its connections and sets options", where),
                      "drop ignore = true, or the options");
  }
}

std::optional<std::uint16_t> parse_port_number(std::string_view s) {
  unsigned value = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size() || value > 65535)
    return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

// local-port / peer-port: 4444, "4444" or "49152-65535".
std::optional<PortRange> parse_port_range(Errors& errors, std::string_view key,
                                          const toml::node& value) {
  const std::string hint = "a port from 0 to 65535, or \"FIRST-LAST\"";
  if (auto* i = value.as_integer()) {
    if (i->get() < 0 || i->get() > 65535) {
      errors.add(value.source(), fmt::format("'{}': {} is not a port", key, i->get()), hint);
      return std::nullopt;
    }
    auto port = static_cast<std::uint16_t>(i->get());
    return PortRange{port, port};
  }
  auto* s = value.as_string();
  if (!s) {
    type_error(errors, key, value, "a port or a \"FIRST-LAST\" range", hint);
    return std::nullopt;
  }
  std::string_view text = s->get();
  auto dash = text.find('-');
  auto first = parse_port_number(text.substr(0, dash));
  auto last = dash == std::string_view::npos ? first : parse_port_number(text.substr(dash + 1));
  if (!first || !last) {
    errors.add(value.source(), fmt::format("'{}': \"{}\" is not a port or a port range", key, text),
               hint);
    return std::nullopt;
  }
  if (*first > *last) {
    errors.add(value.source(), fmt::format("'{}': the range \"{}\" runs backwards", key, text),
               fmt::format("write \"{}-{}\"", *last, *first));
    return std::nullopt;
  }
  return PortRange{*first, *last};
}

// peer: "10.1.2.3", "fd00::1", "10.0.0.0/8", "fd00::/8". IPv4 is kept in its
// ::ffff: mapped form, as sockopts::SockAddr keeps it, so /8 becomes /104.
std::optional<AddressPrefix> parse_prefix(std::string_view text) {
  auto slash = text.find('/');
  std::string host(text.substr(0, slash));
  std::optional<unsigned> bits;
  if (slash != std::string_view::npos) {
    std::string_view n = text.substr(slash + 1);
    unsigned value = 0;
    auto [p, ec] = std::from_chars(n.data(), n.data() + n.size(), value);
    if (n.empty() || ec != std::errc() || p != n.data() + n.size()) return std::nullopt;
    bits = value;
  }
  AddressPrefix prefix;
  in_addr v4{};
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    if (bits && *bits > 32) return std::nullopt;
    prefix.bytes[10] = prefix.bytes[11] = 0xff;
    std::memcpy(prefix.bytes.data() + 12, &v4, 4);
    prefix.bits = 96 + bits.value_or(32);
  } else if (::inet_pton(AF_INET6, host.c_str(), prefix.bytes.data()) == 1) {
    if (bits && *bits > 128) return std::nullopt;
    prefix.bits = bits.value_or(128);
  } else {
    return std::nullopt;
  }
  // Clear the host bits, so that "10.1.2.3/8" and "10.0.0.0/8" are one match.
  for (unsigned i = 0; i < 16; ++i) {
    unsigned keep = prefix.bits > i * 8 ? std::min(8u, prefix.bits - i * 8) : 0;
    prefix.bytes[i] &= static_cast<std::uint8_t>(0xff00u >> keep);
  }
  return prefix;
}

std::optional<std::string> parse_name(Errors& errors, std::string_view key,
                                      const toml::node& value) {
  auto* s = value.as_string();
  if (!s) {
    type_error(errors, key, value, "a string");
    return std::nullopt;
  }
  if (s->get().empty()) {
    errors.add(value.source(), fmt::format("'{}' is empty", key), "leave it out to match any");
    return std::nullopt;
  }
  return s->get();
}

std::optional<bool> parse_bool(Errors& errors, std::string_view key, const toml::node& value) {
  if (auto* b = value.as_boolean()) return b->get();
  type_error(errors, key, value, "a boolean");
  return std::nullopt;
}

const std::vector<std::string>& rule_keys() {
  static const std::vector<std::string> keys = {
      "name",   "local-port", "peer-port", "peer", "process", "pid-file", "domain",
      "cgroup", "kind",       "channel",   "set",  "ignore",  "enforce"};
  return keys;
}

// One [[rule]]. Contradictions within the rule are checked here; those
// between rules by check_reachable.
struct ParsedRule {
  Rule rule;
  bool match_complete = true;  // every match key parsed (else skip the overlap checks)
};

ParsedRule parse_rule(Errors& errors, const toml::table& table, std::size_t index) {
  ParsedRule parsed;
  Rule& r = parsed.rule;
  r.name = fmt::format("rule {}", index + 1);
  r.line = table_line(table);
  Match& m = r.match;
  const toml::node* set = nullptr;
  const toml::node* enforce = nullptr;
  for (auto&& [key, value] : table) {
    const std::string_view k = key.str();
    const std::size_t before = errors.count();
    bool is_match = true;
    if (k == "name") {
      is_match = false;
      if (auto name = parse_name(errors, k, value)) r.name = *name;
    } else if (k == "local-port") {
      m.local_port = parse_port_range(errors, k, value);
    } else if (k == "peer-port") {
      m.peer_port = parse_port_range(errors, k, value);
    } else if (k == "peer") {
      if (auto* s = value.as_string()) {
        m.peer = parse_prefix(s->get());
        if (!m.peer)
          errors.add(value.source(),
                     fmt::format("'peer': \"{}\" is not a numeric address or prefix", s->get()),
                     "e.g. \"10.1.2.3\", \"10.0.0.0/8\", \"fd00::/8\"");
      } else {
        type_error(errors, k, value, "a string", "e.g. \"10.0.0.0/8\"");
      }
    } else if (k == "process") {
      m.process = parse_name(errors, k, value);
    } else if (k == "pid-file") {
      m.pid_file = parse_name(errors, k, value);
    } else if (k == "domain") {
      m.domain = parse_name(errors, k, value);
    } else if (k == "cgroup") {
      m.cgroup = parse_name(errors, k, value);
    } else if (k == "kind") {
      if (auto name = parse_name(errors, k, value)) {
        m.kind = kind_from_name(*name);
        if (!m.kind)
          errors.add(
              value.source(), fmt::format("unknown kind '{}'", *name),
              did_you_mean(*name, kind_names(), fmt::format("one of: {}", joined(kind_names()))));
      }
    } else if (k == "channel") {
      if (auto name = parse_name(errors, k, value)) {
        if (*name == "main" || *name == "extra")
          m.channel = *name == "main" ? Channel::main : Channel::extra;
        else
          errors.add(value.source(), fmt::format("unknown channel '{}'", *name),
                     "\"main\" or \"extra\"");
      }
    } else if (k == "set") {
      is_match = false;
      set = &value;
      if (auto* t = value.as_table()) {
        r.options = parse_options_table(errors, *t, "set");
      } else if (auto* s = value.as_string()) {
        auto o = sockopts::options_from_assignments(s->get());
        if (o)
          r.options = *o;
        else
          errors.add(value.source(), o.error().message, o.error().hint);
      } else {
        type_error(errors, k, value, "a table or a string", "e.g. { user-timeout = 60000 }");
      }
    } else if (k == "ignore") {
      is_match = false;
      r.ignore = parse_bool(errors, k, value).value_or(false);
    } else if (k == "enforce") {
      is_match = false;
      enforce = &value;
      r.enforce = parse_bool(errors, k, value);
    } else {
      is_match = false;
      unknown_key(errors, key, "[[rule]]", rule_keys());
    }
    if (is_match && errors.count() != before) parsed.match_complete = false;
  }

  const std::string rule = fmt::format("rule '{}'", r.name);
  if (r.ignore && set)
    errors.add_line(r.line, fmt::format("{} both ignores its connections and sets options", rule),
                    "drop ignore = true, or set");
  if (r.ignore && enforce)
    errors.add_line(r.line,
                    fmt::format("{} ignores its connections: it has nothing to enforce", rule),
                    "drop enforce");
  if (m.channel && m.kind && *m.kind != Kind::migration)
    errors.add_line(r.line,
                    fmt::format("{}: only migration connections have a channel, not {}", rule,
                                kind_name(*m.kind)),
                    "drop channel, or write kind = \"migration\"");
  return parsed;
}

// A rule no connection can reach, because an earlier one takes every
// connection it would match.
void check_reachable(Errors& errors, const std::vector<ParsedRule>& rules) {
  for (std::size_t i = 0; i < rules.size(); ++i) {
    if (!rules[i].match_complete) continue;
    const Rule& later = rules[i].rule;
    for (std::size_t j = 0; j < i; ++j) {
      if (!rules[j].match_complete) continue;
      const Rule& earlier = rules[j].rule;
      if (earlier.match == Match{}) {
        errors.add_line(later.line,
                        fmt::format("rule '{}' (line {}) can never match: rule '{}' (line {}) "
                                    "matches every connection before it",
                                    later.name, later.line, earlier.name, earlier.line),
                        "move the catch-all rule to the end, or use [defaults]");
        break;
      }
      if (earlier.match == later.match) {
        errors.add_line(later.line,
                        fmt::format("rule '{}' (line {}) can never match: rule '{}' (line {}) "
                                    "has the same match",
                                    later.name, later.line, earlier.name, earlier.line),
                        "merge the two rules");
        break;
      }
    }
  }
}

void parse_rules(Errors& errors, const toml::node& node, Policy& policy) {
  const auto* array = node.as_array();
  if (!array) return type_error(errors, "rule", node, "an array of tables", "write [[rule]]");
  std::vector<ParsedRule> rules;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const toml::node& element = *array->get(i);
    if (const auto* table = element.as_table())
      rules.push_back(parse_rule(errors, *table, i));
    else
      type_error(errors, "rule", element, "a table", "write [[rule]]");
  }
  check_reachable(errors, rules);
  for (auto& r : rules) policy.rules.push_back(std::move(r.rule));
}

Policy parse_document(Errors& errors, const toml::table& root, std::string_view source) {
  static const std::vector<std::string> top = {"enforce", "defaults", "kind", "rule"};
  Policy policy;
  policy.source = std::string(source);
  for (auto&& [key, value] : root) {
    const std::string_view k = key.str();
    if (k == "enforce") {
      policy.enforce = parse_bool(errors, k, value).value_or(false);
    } else if (k == "defaults") {
      if (const auto* t = value.as_table())
        policy.defaults = parse_options_table(errors, *t, "[defaults]");
      else
        type_error(errors, k, value, "a table", "write [defaults]");
    } else if (k == "kind") {
      parse_kinds(errors, value, policy);
    } else if (k == "rule") {
      parse_rules(errors, value, policy);
    } else {
      unknown_key(errors, key, "the policy", top);
    }
  }
  return policy;
}

bool matches(const Match& m, const ConnectionFacts& c, const PidFileReader& read_pid_file) {
  if (m.local_port && !m.local_port->contains(c.local.port)) return false;
  if (m.peer_port && !m.peer_port->contains(c.peer.port)) return false;
  if (m.peer && !m.peer->contains(c.peer)) return false;
  if (m.process && *m.process != c.process) return false;
  if (m.domain && m.domain != c.domain) return false;
  if (m.cgroup && c.cgroup.compare(0, m.cgroup->size(), *m.cgroup) != 0) return false;
  if (m.kind && *m.kind != c.kind) return false;
  if (m.channel && *m.channel != c.channel) return false;
  // Last: the only check that reads a file.
  if (m.pid_file) {
    if (!read_pid_file) return false;
    auto pid = read_pid_file(*m.pid_file);
    if (!pid || *pid != c.pid) return false;
  }
  return true;
}

}  // namespace

std::string_view kind_name(Kind k) {
  switch (k) {
    case Kind::migration:
      return "migration";
    case Kind::vnc:
      return "vnc";
    case Kind::nbd:
      return "nbd";
    case Kind::chardev:
      return "chardev";
    case Kind::netdev:
      return "netdev";
    case Kind::block:
      return "block";
    case Kind::other:
      return "other";
  }
  return "other";
}

std::optional<Kind> kind_from_name(std::string_view name) {
  for (Kind k : kAllKinds)
    if (kind_name(k) == name) return k;
  return std::nullopt;
}

std::string_view channel_name(Channel c) {
  switch (c) {
    case Channel::none:
      return "";
    case Channel::main:
      return "main";
    case Channel::extra:
      return "extra";
  }
  return "";
}

bool AddressPrefix::contains(const sockopts::SockAddr& a) const {
  const unsigned whole = std::min(bits, 128u) / 8;
  if (!std::equal(bytes.begin(), bytes.begin() + whole, a.bytes.begin())) return false;
  const unsigned rest = std::min(bits, 128u) % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xff00u >> rest);
  return (bytes[whole] & mask) == (a.bytes[whole] & mask);
}

tl::expected<Policy, std::vector<PolicyError>> parse_policy(std::string_view text,
                                                            std::string_view source) {
  Errors errors;
  // Built with TOML_EXCEPTIONS=0 (CMakeLists.txt): a parse_result, not a throw.
  toml::parse_result parsed = toml::parse(text, source);
  if (!parsed) {
    errors.add(parsed.error().source(), std::string(parsed.error().description()));
    return tl::unexpected(errors.take());
  }
  Policy policy = parse_document(errors, parsed.table(), source);
  if (!errors.empty()) return tl::unexpected(errors.take());
  return policy;
}

tl::expected<Policy, std::vector<PolicyError>> load_policy(const std::string& path) {
  auto cannot_read = [&](int errnum) {
    return tl::unexpected(std::vector<PolicyError>{
        PolicyError{0, 0, fmt::format("cannot read {}: {}", path, std::strerror(errnum)), {}}});
  };
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return cannot_read(errno);
  std::string text;
  char buffer[8192];
  for (;;) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return cannot_read(errno);
    if (n == 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
  }
  return parse_policy(text, path);
}

Policy policy_for_all(const sockopts::SocketOptions& options) {
  Policy policy;
  policy.source = "--set";
  policy.defaults = options;
  return policy;
}

Decision decide(const Policy& policy, const ConnectionFacts& connection,
                const PidFileReader& read_pid_file) {
  const Rule* rule = nullptr;
  for (const Rule& r : policy.rules) {
    if (matches(r.match, connection, read_pid_file)) {
      rule = &r;
      break;
    }
  }
  const KindDefaults* kind = nullptr;
  if (auto it = policy.kinds.find(connection.kind); it != policy.kinds.end()) kind = &it->second;
  const std::string kind_because = fmt::format("kind.{}", kind_name(connection.kind));

  Decision d;
  d.options = policy.defaults;
  d.because = "defaults";
  d.enforce = policy.enforce;
  if (kind) {
    overlay(d.options, kind->options);
    if (kind->options != sockopts::SocketOptions{}) d.because = kind_because;
  }
  if (rule) {
    overlay(d.options, rule->options);
    d.because = fmt::format("rule '{}' (line {})", rule->name, rule->line);
    d.ignore = rule->ignore;
    d.enforce = rule->enforce.value_or(policy.enforce);
  } else if (kind && kind->ignore) {
    d.ignore = true;
    d.because = kind_because;
  }
  if (!sockopts::has_socket_options(d.options)) d.ignore = true;
  if (d.ignore) d.options = {};
  return d;
}

std::string format_errors(std::string_view source, const std::vector<PolicyError>& errors) {
  std::string out;
  for (const auto& e : errors) {
    out += source;
    if (e.line > 0) {
      out += fmt::format(":{}", e.line);
      if (e.column > 0) out += fmt::format(":{}", e.column);
    }
    out += fmt::format(": {}\n", e.message);
    if (!e.hint.empty()) out += fmt::format("  hint: {}\n", e.hint);
  }
  return out;
}

}  // namespace qsock::guard
