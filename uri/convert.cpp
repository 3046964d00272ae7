#include "uri/convert.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "base/names.h"
#include "uri/front_members.h"
#include "uri/keyval.h"

namespace qsock::uri {
namespace {

bool contains(const std::vector<std::string>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

Diagnostic problem(std::string message, std::string key, std::string hint = {}) {
  return Diagnostic{std::move(message), std::move(key), std::move(hint)};
}

std::string quote(std::string_view s) { return "'" + std::string(s) + "'"; }

// "an inet", "a unix": the type with its article ('u' as in unix sounds "you").
std::string a_type(const std::string& type) {
  bool vowel = !type.empty() && std::string_view("aeio").find(type[0]) != std::string_view::npos;
  return (vowel ? "an " : "a ") + type;
}

// "a, b and c".
std::string and_list(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += i + 1 == items.size() ? " and " : ", ";
    out += items[i];
  }
  return out;
}

// The syntaxes whose front keeps an extras member, for a hint.
std::string fronts_keeping(std::string_view member, const FrontMembers& members) {
  std::vector<std::string> fronts;
  if (contains(members.netdev, member)) fronts.emplace_back("netdev");
  if (contains(members.chardev, member)) fronts.emplace_back("chardev");
  if (contains(members.incoming, member)) fronts.emplace_back("incoming");
  if (fronts.empty()) return {};
  return "the " + and_list(fronts) +
         (fronts.size() == 1 ? " syntax keeps it" : " syntaxes keep it");
}

// "inet (host=, port=), unix (path=) and fd (fd=)": the address types the
// flat -chardev form can write, with the options each needs.
std::string flat_chardev_types(const schema::Schema& schema) {
  std::vector<std::string> types;
  const schema::TypeDef* address = schema.find("SocketAddress");
  for (const schema::Variant& v : address ? address->variants : std::vector<schema::Variant>{}) {
    const schema::TypeDef* branch = schema.find(v.type);
    std::vector<std::string> needed;
    for (const FlatOption& o : chardev_flat_options(schema, v.value))
      if (const schema::Member* m = branch ? schema.member(*branch, o.member) : nullptr;
          m && !m->optional)
        needed.push_back(o.option + "=");
    if (!needed.empty()) types.push_back(v.value + " (" + and_list(needed) + ")");
  }
  return and_list(types);
}

// Refuses the first extras member the target front has no place for.
tl::expected<void, Diagnostic> check_extras(const Endpoint& endpoint, Syntax syntax,
                                            const FrontMembers& members,
                                            const std::vector<std::string>& accepted) {
  for (const auto& [name, value] : endpoint.extras.items()) {
    if (contains(accepted, name)) continue;
    return tl::unexpected(problem(
        quote(name) + " cannot be expressed in the " + std::string(syntax_name(syntax)) + " syntax",
        name, fronts_keeping(name, members)));
  }
  return {};
}

// A scalar as the text-based syntaxes write it.
tl::expected<std::string, Diagnostic> scalar_text(const Json& value, const std::string& key,
                                                  Syntax syntax) {
  if (auto text = scalar_option_text(value)) return *text;
  return tl::unexpected(problem("the " + std::string(syntax_name(syntax)) +
                                    " syntax cannot express the " + std::string(value.type_name()) +
                                    " value of " + quote(key),
                                key, "the json syntax can"));
}

bool valid_option_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

// QemuOpts and -netdev ids: a letter, then letters, digits, '-', '.', '_'.
tl::expected<void, Diagnostic> check_id(const std::string& id) {
  bool ok = !id.empty() && ((id[0] >= 'a' && id[0] <= 'z') || (id[0] >= 'A' && id[0] <= 'Z')) &&
            std::all_of(id.begin(), id.end(), [](char c) {
              return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     c == '-' || c == '.' || c == '_';
            });
  if (ok) return {};
  return tl::unexpected(problem("invalid id " + quote(id), "id",
                                "an id starts with a letter and holds letters, digits, '-', '.' "
                                "and '_'"));
}

// The address, sorted out: a SocketAddress (with or without a migration
// `transport: socket`), or a migration transport of its own.
struct Address {
  enum class Kind { socket, exec, file, rdma, other } kind = Kind::socket;
  std::string type;  // SocketAddress type, or the migration transport
  Json members;      // socket: the flat SocketAddress, `type` first; else the MigrationAddress
};

// `object` with `first` moved to the front, if present.
Json with_first(const Json& object, std::string_view first) {
  Json out = Json::object();
  if (auto it = object.find(first); it != object.end()) out[std::string(first)] = *it;
  for (const auto& [name, value] : object.items())
    if (name != first) out[name] = value;
  return out;
}

tl::expected<Address, Diagnostic> classify(const Json& address) {
  if (!address.is_object()) return tl::unexpected(problem("the address is not an object", "addr"));
  Address out;
  if (auto transport = address.find("transport"); transport != address.end()) {
    if (!transport->is_string())
      return tl::unexpected(problem("'transport' is not a string", "transport"));
    out.type = transport->get<std::string>();
    if (out.type != "socket") {
      out.kind = out.type == "exec"   ? Address::Kind::exec
                 : out.type == "file" ? Address::Kind::file
                 : out.type == "rdma" ? Address::Kind::rdma
                                      : Address::Kind::other;
      out.members = with_first(address, "transport");
      return out;
    }
    Json socket = address;
    socket.erase("transport");
    return classify(socket);
  }
  auto type = address.find("type");
  if (type == address.end())
    return tl::unexpected(problem("the address has neither 'type' nor 'transport'", "type",
                                  "a socket address says its type: inet, unix, vsock or fd"));
  if (!type->is_string()) return tl::unexpected(problem("'type' is not a string", "type"));
  out.type = type->get<std::string>();
  out.members = with_first(address, "type");
  return out;
}

tl::expected<std::string, Diagnostic> required_string(const Json& object, const char* member,
                                                      const std::string& what) {
  auto it = object.find(member);
  if (it == object.end() || !it->is_string())
    return tl::unexpected(problem(what + " needs the string member " + quote(member), member));
  return it->get<std::string>();
}

Diagnostic no_comma(const std::string& member, Syntax syntax) {
  return problem("the value of " + quote(member) + " contains ',', which the " +
                     std::string(syntax_name(syntax)) + " syntax cannot escape",
                 member, "the json syntax can carry it");
}

// --- uri --------------------------------------------------------------------

// The host:port part and the inet options of tcp: and rdma: URIs.
tl::expected<std::string, Diagnostic> uri_inet(const Json& inet, std::string_view skip) {
  auto host = required_string(inet, "host", "an inet address");
  if (!host) return tl::unexpected(host.error());
  auto port = required_string(inet, "port", "an inet address");
  if (!port) return tl::unexpected(port.error());
  if (host->find_first_of(",[]") != std::string::npos)
    return tl::unexpected(
        host->find(',') != std::string::npos
            ? no_comma("host", Syntax::uri)
            : problem("a host containing '[' or ']' cannot be written in a URI", "host"));
  if (port->empty() || port->find(',') != std::string::npos)
    return tl::unexpected(port->empty() ? problem("the port is empty", "port")
                                        : no_comma("port", Syntax::uri));
  // IPv6 literals go in brackets, or the first ':' would end the host.
  std::string out = host->find(':') != std::string::npos ? "[" + *host + "]" : *host;
  out += ":" + *port;
  for (const auto& [name, value] : inet.items()) {
    if (name == "host" || name == "port" || name == skip) continue;
    if (!valid_option_name(name))
      return tl::unexpected(problem("the uri syntax cannot express the member " + quote(name), name,
                                    "the json syntax can"));
    auto text = scalar_text(value, name, Syntax::uri);
    if (!text) return tl::unexpected(text.error());
    if (text->find(',') != std::string::npos) return tl::unexpected(no_comma(name, Syntax::uri));
    out += "," + name + "=" + *text;
  }
  return out;
}

// Members a URI form has no option for: an error, unless the value is the
// member's default (so writing nothing says the same).
tl::expected<void, Diagnostic> uri_no_options(const Json& members,
                                              std::initializer_list<std::string_view> written,
                                              const Json& defaults, const std::string& what) {
  for (const auto& [name, value] : members.items()) {
    if (std::find(written.begin(), written.end(), name) != written.end()) continue;
    if (auto d = defaults.find(name); d != defaults.end() && *d == value) continue;
    return tl::unexpected(
        problem("the uri syntax cannot express " + quote(name) + " of " + what, name,
                "the json, netdev, incoming and chardev syntaxes can express it"));
  }
  return {};
}

// How a POSIX shell would read `word` as one word.
std::string shell_quote(const std::string& word) {
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

tl::expected<std::string, Diagnostic> render_uri(const Endpoint& endpoint, const Address& a,
                                                 const FrontMembers& fronts) {
  if (auto ok = check_extras(endpoint, Syntax::uri, fronts, {}); !ok)
    return tl::unexpected(ok.error());
  const Json& m = a.members;
  switch (a.kind) {
    case Address::Kind::socket:
      if (a.type == "inet") {
        auto inet = uri_inet(m, "type");
        if (!inet) return inet;
        return "tcp:" + *inet;
      }
      if (a.type == "unix") {
        auto path = required_string(m, "path", "a unix address");
        if (!path) return path;
        if (path->empty()) return tl::unexpected(problem("the path is empty", "path"));
        auto ok = uri_no_options(m, {"type", "path"}, {{"abstract", false}, {"tight", true}},
                                 "a unix address");
        if (!ok) return tl::unexpected(ok.error());
        return "unix:" + *path;
      }
      if (a.type == "vsock") {
        auto cid = required_string(m, "cid", "a vsock address");
        if (!cid) return cid;
        auto port = required_string(m, "port", "a vsock address");
        if (!port) return port;
        if (cid->empty() || cid->find(':') != std::string::npos)
          return tl::unexpected(problem("the cid is empty or contains ':'", "cid"));
        if (port->empty() || port->find(',') != std::string::npos)
          return tl::unexpected(port->empty() ? problem("the port is empty", "port")
                                              : no_comma("port", Syntax::uri));
        auto ok = uri_no_options(m, {"type", "cid", "port"}, Json::object(), "a vsock address");
        if (!ok) return tl::unexpected(ok.error());
        return "vsock:" + *cid + ":" + *port;
      }
      if (a.type == "fd") {
        auto str = required_string(m, "str", "an fd address");
        if (!str) return str;
        if (str->empty()) return tl::unexpected(problem("the fd name is empty", "str"));
        auto ok = uri_no_options(m, {"type", "str"}, Json::object(), "an fd address");
        if (!ok) return tl::unexpected(ok.error());
        return "fd:" + *str;
      }
      break;
    case Address::Kind::exec: {
      auto args = m.find("args");
      if (args == m.end() || !args->is_array() ||
          !std::all_of(args->begin(), args->end(), [](const Json& j) { return j.is_string(); }))
        return tl::unexpected(problem("an exec address needs 'args', a list of strings", "args"));
      // exec:CMD runs /bin/sh -c CMD; any other argv has no URI.
      if (args->size() == 3 && (*args)[0] == "/bin/sh" && (*args)[1] == "-c")
        return "exec:" + (*args)[2].get<std::string>();
      std::string quoted;
      for (const auto& arg : *args) quoted += (quoted.empty() ? "" : " ") + shell_quote(arg);
      return tl::unexpected(problem(
          "the uri syntax can only express the exec argv /bin/sh -c COMMAND", "args",
          "the json and incoming syntaxes keep it; through a shell it would be exec:" + quoted));
    }
    case Address::Kind::file: {
      auto name = required_string(m, "filename", "a file address");
      if (!name) return name;
      if (name->empty()) return tl::unexpected(problem("the filename is empty", "filename"));
      if (name->find(',') != std::string::npos)
        return tl::unexpected(no_comma("filename", Syntax::uri));
      std::string out = "file:" + *name;
      for (const auto& [member, value] : m.items()) {
        if (member == "transport" || member == "filename") continue;
        if (member != "offset" || !value.is_number_unsigned())
          return tl::unexpected(
              problem("the uri syntax cannot express " + quote(member) + " of a file address",
                      member, "the json and incoming syntaxes can"));
        out += ",offset=" + dump_json(value);
      }
      return out;
    }
    case Address::Kind::rdma: {
      auto inet = uri_inet(m, "transport");
      if (!inet) return inet;
      return "rdma:" + *inet;
    }
    case Address::Kind::other:
      break;
  }
  return tl::unexpected(problem("the uri syntax has no form for the address type " + quote(a.type),
                                a.kind == Address::Kind::socket ? "type" : "transport",
                                "the json syntax can carry it"));
}

// --- keyval fronts ------------------------------------------------------------

tl::expected<std::string, Diagnostic> render_netdev(const Endpoint& endpoint, const Address& a,
                                                    const FrontMembers& fronts) {
  if (a.kind != Address::Kind::socket)
    return tl::unexpected(
        problem(a_type(a.type) + " migration address cannot be expressed in the netdev syntax",
                "transport", "the uri and incoming syntaxes can express it"));
  if (a.type == "vsock")
    return tl::unexpected(problem("a vsock address cannot be expressed in the netdev syntax",
                                  "addr.type",
                                  "-netdev stream takes inet, unix and fd addresses; the uri, "
                                  "json and incoming syntaxes can express vsock"));
  if (a.type != "inet" && a.type != "unix" && a.type != "fd")
    return tl::unexpected(problem("-netdev stream has no address type " + quote(a.type),
                                  "addr.type", "-netdev stream takes inet, unix and fd addresses"));
  if (auto ok = check_extras(endpoint, Syntax::netdev, fronts, fronts.netdev); !ok)
    return tl::unexpected(ok.error());
  std::string id = endpoint.id.empty() ? "net0" : endpoint.id;
  if (auto ok = check_id(id); !ok) return tl::unexpected(ok.error());
  Json tree = Json::object();
  tree["type"] = "stream";
  tree["id"] = id;
  tree["server"] = endpoint.server.value_or(false);
  tree["addr"] = a.members;
  for (const auto& [name, value] : endpoint.extras.items()) tree[name] = value;
  return format_keyval(tree, "type");
}

tl::expected<std::string, Diagnostic> render_incoming(const Endpoint& endpoint, const Address& a,
                                                      const FrontMembers& fronts) {
  if (endpoint.server == false)
    return tl::unexpected(
        problem("-incoming listens; a connecting endpoint (server=off) cannot "
                "be expressed in the incoming syntax",
                "server", "the uri syntax serves migrate"));
  if (auto ok = check_extras(endpoint, Syntax::incoming, fronts, fronts.incoming); !ok)
    return tl::unexpected(ok.error());
  Json tree = Json::object();
  tree["channel-type"] = endpoint.extras.value("channel-type", Json("main"));
  if (a.kind == Address::Kind::socket) {
    Json addr = Json::object();
    addr["transport"] = "socket";
    for (const auto& [name, value] : a.members.items()) addr[name] = value;
    tree["addr"] = std::move(addr);
  } else {
    tree["addr"] = a.members;
  }
  for (const auto& [name, value] : endpoint.extras.items())
    if (name != "channel-type") tree[name] = value;
  return format_keyval(tree, "channel-type");
}

// --- chardev (QemuOpts) -----------------------------------------------------------

void append_qemu_opt(std::string& out, std::string_view name, std::string_view value) {
  out += ',';
  out += name;
  out += '=';
  for (char c : value) {
    out += c;
    if (c == ',') out += ',';
  }
}

tl::expected<std::string, Diagnostic> render_chardev(const Endpoint& endpoint, const Address& a,
                                                     const FrontMembers& fronts,
                                                     const schema::Schema& schema) {
  if (a.kind != Address::Kind::socket)
    return tl::unexpected(
        problem(a_type(a.type) + " migration address cannot be expressed in the chardev syntax",
                "transport", "the uri and incoming syntaxes can express it"));
  std::vector<FlatOption> options = chardev_flat_options(schema, a.type);
  if (options.empty())
    return tl::unexpected(
        problem("-chardev socket has no flat option for " + a_type(a.type) + " address", "type",
                "the flat -chardev socket options take " + flat_chardev_types(schema) +
                    "; chardev-add over QMP takes every SocketAddressLegacy type"));
  if (auto ok = check_extras(endpoint, Syntax::chardev, fronts, fronts.chardev); !ok)
    return tl::unexpected(ok.error());
  std::string id = endpoint.id.empty() ? "char0" : endpoint.id;
  if (auto ok = check_id(id); !ok) return tl::unexpected(ok.error());

  std::string out = "socket,id=" + id;
  for (const auto& item : a.members.items()) {
    const std::string& name = item.key();  // not a structured binding: the lambda captures it
    const Json& value = item.value();
    if (name == "type") continue;
    auto flat = std::find_if(options.begin(), options.end(),
                             [&](const FlatOption& o) { return o.member == name; });
    if (flat == options.end()) {
      std::string takes;
      for (const auto& o : options) takes += (takes.empty() ? "" : ", ") + o.option;
      return tl::unexpected(
          problem("the flat -chardev socket options cannot express " + quote(name) + " of " +
                      a_type(a.type) + " address",
                  name,
                  "-chardev socket takes " + takes + " for " + a_type(a.type) +
                      " address; chardev-add over QMP (json) takes every member"));
    }
    auto text = scalar_text(value, name, Syntax::chardev);
    if (!text) return tl::unexpected(text.error());
    append_qemu_opt(out, flat->option, *text);
  }
  bool server = endpoint.server.value_or(false);
  append_qemu_opt(out, "server", server ? "on" : "off");
  // The flat form waits for a client by default when server=on (QMP does
  // not): say wait=off unless the endpoint asks to wait.
  if (server && !endpoint.extras.contains("wait")) append_qemu_opt(out, "wait", "off");
  for (const auto& [name, value] : endpoint.extras.items()) {
    auto text = scalar_text(value, name, Syntax::chardev);
    if (!text) return tl::unexpected(text.error());
    append_qemu_opt(out, name, *text);
  }
  return out;
}

tl::expected<std::string, Diagnostic> render_json(const Endpoint& endpoint, const Address& a,
                                                  const FrontMembers& fronts) {
  if (auto ok = check_extras(endpoint, Syntax::json, fronts, {}); !ok)
    return tl::unexpected(ok.error());
  // A conversion must not alter the address: refuse bytes JSON cannot hold
  // rather than print them replaced (the strict dump throws on them).
  try {
    return a.members.dump();
  } catch (const Json::exception&) {
    return tl::unexpected(problem("the address holds a string that is not valid UTF-8", "addr",
                                  "JSON strings are UTF-8"));
  }
}

}  // namespace

namespace {
constexpr Named<Syntax> syntax_names[] = {
    {Syntax::uri, "uri"},           {Syntax::json, "json"},       {Syntax::netdev, "netdev"},
    {Syntax::incoming, "incoming"}, {Syntax::chardev, "chardev"},
};
}  // namespace

std::string_view syntax_name(Syntax syntax) { return name_in<Syntax>(syntax_names, syntax); }

std::optional<Syntax> syntax_from_name(std::string_view name) {
  return value_in<Syntax>(syntax_names, name);
}

tl::expected<std::string, Diagnostic> render(const Endpoint& endpoint, Syntax syntax,
                                             const schema::Schema& schema) {
  auto address = classify(endpoint.address);
  if (!address) return tl::unexpected(address.error());
  const FrontMembers fronts = front_members(schema);
  switch (syntax) {
    case Syntax::uri:
      return render_uri(endpoint, *address, fronts);
    case Syntax::json:
      return render_json(endpoint, *address, fronts);
    case Syntax::netdev:
      return render_netdev(endpoint, *address, fronts);
    case Syntax::incoming:
      return render_incoming(endpoint, *address, fronts);
    case Syntax::chardev:
      return render_chardev(endpoint, *address, fronts, schema);
  }
  return tl::unexpected(problem("unknown syntax", {}));
}

}  // namespace qsock::uri
