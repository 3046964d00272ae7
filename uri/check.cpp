#include "uri/check.h"

#include "base/text.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

#include <fmt/format.h>

#include "schema/validator.h"
#include "uri/chardev_opts.h"
#include "uri/keyval.h"
#include "uri/migration_uri.h"
#include "uri/semantic_rules.h"
#include "uri/socket_uri.h"

namespace qsock::uri {

namespace {

struct KindName {
  InputKind kind;
  std::string_view name;
};
constexpr std::array<KindName, 6> kind_table = {{
    {InputKind::uri, "uri"},
    {InputKind::migrate_uri, "migrate-uri"},
    {InputKind::netdev, "netdev"},
    {InputKind::incoming, "incoming"},
    {InputKind::chardev, "chardev"},
    {InputKind::json, "json"},
}};

// QEMU 10.0+ tells a URI from a channel by an alphabetic prefix before ':'.
bool looks_like_uri(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && s[i] != ':') {
    if (!std::isalpha(static_cast<unsigned char>(s[i]))) return false;
    ++i;
  }
  return i < s.size();
}

// The first item of a comma-separated list, up to '=' or ','.
std::string_view first_item(std::string_view s) { return s.substr(0, s.find_first_of(",=")); }

void add_socket_rules(CheckResult& r, const Json& address, SocketRole role, std::string_view path) {
  if (r.valid()) r.diags.append(socket_address_rules(address, role, r.target, path));
}

// A MigrationAddress with transport socket carries a flat SocketAddress.
Json socket_part(const Json& migration_address) {
  Json a = migration_address;
  a.erase("transport");
  return a;
}

void check_legacy_socket(CheckResult& r, std::string_view text, const schema::Schema& schema) {
  Parsed p = parse_socket_address(text, r.target, schema);
  r.value = std::move(p.value);
  r.diags.append(p.diags);
  r.qapi_type = "SocketAddress";
  add_socket_rules(r, r.value, SocketRole::either, "");
}

void check_migration_uri(CheckResult& r, std::string_view text, SocketRole role,
                         const schema::Schema& schema) {
  Parsed p = parse_migration_uri(text, r.target, schema);
  r.value = std::move(p.value);
  r.diags.append(p.diags);
  r.qapi_type = r.value.is_string() ? "" : "MigrationAddress";
  if (r.value.is_object() && r.value.value("transport", "") == "socket")
    add_socket_rules(r, socket_part(r.value), role, "");
}

// Keyval or JSON input for a QAPI type, as QEMU's modern options take it.
void check_qapi_option(CheckResult& r, std::string_view text, std::string_view implied_key,
                       std::string_view type, const schema::Schema& schema) {
  r.qapi_type = std::string(type);
  if (!text.empty() && text.front() == '{') {
    auto json = parse_json_argument(text);
    if (!json) {
      r.diags.errors.push_back(json.error());
      return;
    }
    schema::Validated v = schema::validate(schema, *json, type, schema::InputMode::json, r.target);
    r.value = std::move(v.value);
    r.diags.append(v.diags);
    return;
  }
  auto kv = parse_keyval(text, implied_key, KeyvalHelp::refused);
  if (!kv) {
    r.diags.errors.push_back(kv.error());
    return;
  }
  schema::Validated v =
      schema::validate(schema, kv->tree, type, schema::InputMode::keyval, r.target);
  r.value = std::move(v.value);
  r.diags.append(v.diags);
}

// The back end an option string names: its implied first item, or `key`=
// ("type=" for -netdev, "backend=" for -chardev).
std::string_view option_driver(std::string_view text, std::string_view key) {
  std::string_view first = text.substr(0, text.find(','));
  if (first.find('=') == std::string_view::npos) return first;
  std::string_view driver;
  for (std::size_t pos = 0; pos <= text.size();) {
    std::size_t end = text.find(',', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view item = text.substr(pos, end - pos);
    if (item.starts_with(key)) driver = item.substr(key.size());
    pos = end + 1;
  }
  return driver;
}

// The "type" of a JSON object option, "" when it is not one.
std::string json_driver(std::string_view text) {
  auto json = parse_json_argument(text);
  if (!json || !json->is_object()) return {};
  auto it = json->find("type");
  return it != json->end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Whether the schema's NetClientDriver has `driver` (a back end qsock does
// not check); a name it lacks ("Stream", "streams") is checked, and refused
// with QEMU's message, as QEMU refuses it.
bool is_netdev_driver(const std::string& driver, const schema::Schema& schema) {
  const schema::TypeDef* drivers = schema.find("NetClientDriver");
  if (!drivers || driver.empty()) return false;
  return std::any_of(drivers->values.begin(), drivers->values.end(),
                     [&](const schema::EnumValue& v) { return v.name == driver; });
}

void check_netdev(CheckResult& r, std::string_view text, const schema::Schema& schema) {
  // Only stream and dgram go through QAPI (keyval/JSON); every other back
  // end still uses QEMU's legacy option parser, which qsock does not model.
  std::string driver = !text.empty() && text.front() == '{'
                           ? json_driver(text)
                           : std::string(option_driver(text, "type="));
  if (driver != "stream" && driver != "dgram" && is_netdev_driver(driver, schema)) {
    r.unchecked = fmt::format(
        "qsock checks the socket back ends of -netdev (stream, dgram), not '{}'", driver);
    return;
  }
  KeyvalRoot root = *keyval_root(InputKind::netdev);
  check_qapi_option(r, text, root.implied_key, root.type, schema);
  if (r.valid()) r.diags.append(netdev_rules(r.value, r.target));
}

void check_incoming(CheckResult& r, std::string_view text, const schema::Schema& schema) {
  if (text == "defer") {
    r.value = "defer";
    return;
  }
  constexpr std::string_view bad_fd = "Invalid file descriptor number '{}'";
  bool channel = r.target.version >= incoming_channels_since && !looks_like_uri(text);
  if (!channel) {
    check_migration_uri(r, text, SocketRole::listen, schema);
    if (r.valid() && r.value.is_object() && r.value.value("transport", "") == "socket")
      r.diags.append(command_line_fd_rules(socket_part(r.value), "", bad_fd));
    if (!r.valid() && !looks_like_uri(text) && r.target.version < incoming_channels_since)
      r.diags.errors.back().hint = fmt::format(
          "QEMU {} takes only a URI for -incoming; the MigrationChannel syntax needs 10.0",
          r.target.version.str());
    return;
  }
  KeyvalRoot root = *keyval_root(InputKind::incoming);
  check_qapi_option(r, text, root.implied_key, root.type, schema);
  if (!r.valid()) return;
  const Json& addr = r.value["addr"];
  if (addr.value("transport", "") == "socket") {
    add_socket_rules(r, socket_part(addr), SocketRole::listen, "addr");
    r.diags.append(command_line_fd_rules(socket_part(addr), "addr", bad_fd));
  }
  if (r.value.value("channel-type", "") == "cpr" &&
      !(addr.value("transport", "") == "socket" && addr.value("type", "") == "unix"))
    r.diags.error("the cpr channel must be a UNIX socket", "addr",
                  "addr.transport=socket,addr.type=unix,addr.path=…");
}

void check_chardev(CheckResult& r, std::string_view text, const schema::Schema& schema) {
  if (!text.empty() && text.front() == '{') {
    // -chardev reads QemuOpts only; the JSON form is chardev-add's arguments.
    r.diags.error("-chardev does not take JSON: QEMU reads the text as QemuOpts and fails", "",
                  "this JSON is chardev-add arguments (QMP): check it with --as json");
    return;
  }
  std::string_view backend = option_driver(text, "backend=");
  if (backend != "socket" && is_chardev_backend(backend)) {
    r.unchecked = fmt::format("qsock checks only socket chardevs, not '{}'", backend);
    return;
  }
  Parsed p = parse_chardev(text, r.target, schema);
  r.value = std::move(p.value);
  r.diags.append(p.diags);
  r.qapi_type = "chardev-add arguments";
  if (!r.valid() || r.value.is_null()) return;
  const Json& data = r.value["backend"]["data"];
  const Json& legacy = data["addr"];
  Json flat = legacy.contains("data") ? legacy["data"] : Json::object();
  flat["type"] = legacy.value("type", "");
  bool server = data.value("server", false);
  add_socket_rules(r, flat, server ? SocketRole::listen : SocketRole::connect, "");
  r.diags.append(command_line_fd_rules(flat, "", "Unable to parse FD number {}"));
}

// The QAPI type a JSON object most likely is, from its shape.
std::string json_type_of(const Json& j) {
  if (j.is_array()) return "[MigrationChannel]";
  if (j.contains("channel-type")) return "MigrationChannel";
  if (j.contains("transport")) return "MigrationAddress";
  if (j.contains("backend") && j.contains("id")) return "chardev-add";
  std::string type = j.value("type", "");
  if ((type == "stream" || type == "dgram") && j.contains("id")) return "Netdev";
  if (j.contains("data")) return "SocketAddressLegacy";
  return "SocketAddress";
}

void check_json(CheckResult& r, std::string_view text, const schema::Schema& schema) {
  auto json = parse_json_argument(text);
  if (!json) {
    r.diags.errors.push_back(json.error());
    return;
  }
  std::string type = json_type_of(*json);
  std::string schema_type = type;
  if (type == "chardev-add") {
    const schema::TypeDef* cmd = schema.find("chardev-add");
    schema_type = cmd ? cmd->arg_type : "";
  }
  r.qapi_type = type;
  schema::Validated v =
      schema::validate(schema, *json, schema_type, schema::InputMode::json, r.target);
  r.value = std::move(v.value);
  r.diags.append(v.diags);
  if (!r.valid()) return;
  if (type == "SocketAddress") add_socket_rules(r, r.value, SocketRole::either, "");
  if (type == "Netdev") r.diags.append(netdev_rules(r.value, r.target));
  if (type == "MigrationAddress" && r.value.value("transport", "") == "socket")
    add_socket_rules(r, socket_part(r.value), SocketRole::either, "");
}

}  // namespace

std::string_view kind_name(InputKind kind) {
  for (const KindName& k : kind_table)
    if (k.kind == kind) return k.name;
  return "?";
}

std::optional<InputKind> parse_kind(std::string_view name) {
  for (const KindName& k : kind_table)
    if (k.name == name) return k.kind;
  return std::nullopt;
}

std::string_view kind_names() { return "uri|migrate-uri|netdev|incoming|chardev|json"; }

InputKind detect_kind(std::string_view input) {
  std::string_view s = trim(input);
  if (s.starts_with("{") || s.starts_with("[")) return InputKind::json;
  std::string_view first = first_item(s);
  if (first == "stream" || first == "dgram" || s.starts_with("type=stream") ||
      s.starts_with("type=dgram"))
    return InputKind::netdev;
  if (first == "socket" || s.starts_with("backend=socket")) return InputKind::chardev;
  if (first == "main" || first == "cpr" || s.starts_with("channel-type="))
    return InputKind::incoming;
  for (std::string_view p : {"exec:", "file:", "rdma:"})
    if (s.starts_with(p)) return InputKind::migrate_uri;
  if (s == "defer") return InputKind::incoming;
  return InputKind::uri;
}

std::optional<OptionWord> split_option_word(std::string_view input) {
  static constexpr std::array<std::pair<std::string_view, InputKind>, 6> words = {{
      {"-netdev ", InputKind::netdev},
      {"--netdev ", InputKind::netdev},
      {"-incoming ", InputKind::incoming},
      {"--incoming ", InputKind::incoming},
      {"-chardev ", InputKind::chardev},
      {"--chardev ", InputKind::chardev},
  }};
  std::string_view trimmed = trim(input);
  for (const auto& [word, k] : words)
    if (trimmed.starts_with(word)) return OptionWord{k, trim(trimmed.substr(word.size()))};
  return std::nullopt;
}

std::optional<KeyvalRoot> keyval_root(InputKind kind) {
  if (kind == InputKind::netdev) return KeyvalRoot{"Netdev", "type"};
  if (kind == InputKind::incoming) return KeyvalRoot{"MigrationChannel", "channel-type"};
  return std::nullopt;
}

CheckResult check_input(std::string_view input, std::optional<InputKind> kind,
                        const schema::Target& target, const schema::Schema& schema) {
  CheckResult r;
  r.input = std::string(input);
  r.target = target;
  std::string_view text = input;
  // Accept the option word an operator copies from a QEMU command line.
  if (auto word = split_option_word(text)) {
    if (kind && *kind != word->kind) {
      r.kind = *kind;
      std::string_view written =
          trim(text.substr(0, static_cast<std::size_t>(word->rest.data() - text.data())));
      r.diags.error(
          fmt::format("the input starts with '{}' but --as says {}", written, kind_name(*kind)));
      return r;
    }
    kind = word->kind;
    text = word->rest;
  }
  r.kind = kind ? *kind : detect_kind(text);
  using Checker = void (*)(CheckResult&, std::string_view, const schema::Schema&);
  static constexpr std::pair<InputKind, Checker> checkers[] = {
      {InputKind::uri, check_legacy_socket},
      {InputKind::migrate_uri,
       [](CheckResult& c, std::string_view t, const schema::Schema& s) {
         check_migration_uri(c, t, SocketRole::either, s);
       }},
      {InputKind::netdev, check_netdev},
      {InputKind::incoming, check_incoming},
      {InputKind::chardev, check_chardev},
      {InputKind::json, check_json},
  };
  for (const auto& [k, check] : checkers)
    if (k == r.kind) check(r, text, schema);
  if (!r.valid()) r.value = nullptr;
  return r;
}

Json CheckResult::to_json() const {
  auto list = [](const std::vector<Diagnostic>& ds) {
    Json out = Json::array();
    for (const Diagnostic& d : ds) {
      Json o = {{"message", d.message}};
      o["key"] = d.key.empty() ? Json(nullptr) : Json(d.key);
      o["hint"] = d.hint.empty() ? Json(nullptr) : Json(d.hint);
      out.push_back(std::move(o));
    }
    return out;
  };
  Json j;
  j["input"] = input;
  j["valid"] = valid();
  j["checked"] = checked();
  j["not_checked"] = unchecked.empty() ? Json(nullptr) : Json(unchecked);
  j["kind"] = kind_name(kind);
  j["qemu_version"] = target.version.str();
  j["proposed_accepted"] = target.accept_proposed;
  j["type"] = qapi_type.empty() ? Json(nullptr) : Json(qapi_type);
  j["value"] = value;
  j["errors"] = list(diags.errors);
  j["warnings"] = list(diags.warnings);
  return j;
}

tl::expected<Endpoint, Diagnostic> endpoint_of(const CheckResult& checked) {
  if (!checked.valid()) return tl::unexpected(Diagnostic{"the input is not valid", "", ""});
  if (checked.value.is_null())
    return tl::unexpected(Diagnostic{"the input names no address", "", ""});
  Endpoint e;
  const Json& v = checked.value;
  if (v.is_string())
    return tl::unexpected(
        Diagnostic{"'defer' names no address", "", "give the address to migrate-incoming"});
  if (checked.qapi_type == "SocketAddress") {
    e.address = v;
  } else if (checked.qapi_type == "MigrationAddress") {
    e.address = v.value("transport", "") == "socket" ? socket_part(v) : v;
  } else if (checked.qapi_type == "MigrationChannel") {
    const Json& a = v["addr"];
    e.address = a.value("transport", "") == "socket" ? socket_part(a) : a;
    if (v.value("channel-type", "main") != "main") e.extras["channel-type"] = v["channel-type"];
  } else if (checked.qapi_type == "Netdev") {
    if (v.value("type", "") != "stream")
      return tl::unexpected(
          Diagnostic{"a -netdev dgram has two addresses (local, remote); convert each on its own",
                     "type", ""});
    e.address = v["addr"];
    e.id = v.value("id", "");
    if (v.contains("server")) e.server = v["server"].get<bool>();
    for (auto it = v.begin(); it != v.end(); ++it)
      if (it.key() != "id" && it.key() != "type" && it.key() != "addr" && it.key() != "server")
        e.extras[it.key()] = it.value();
  } else if (checked.qapi_type == "chardev-add arguments" || checked.qapi_type == "chardev-add") {
    const Json& data = v["backend"]["data"];
    const Json& legacy = data["addr"];
    e.address = legacy.contains("data") ? legacy["data"] : Json::object();
    // Put "type" first, as a flat SocketAddress writes it.
    Json flat = {{"type", legacy.value("type", "")}};
    for (auto it = e.address.begin(); it != e.address.end(); ++it) flat[it.key()] = it.value();
    e.address = std::move(flat);
    e.id = v.value("id", "");
    if (data.contains("server")) e.server = data["server"].get<bool>();
    for (auto it = data.begin(); it != data.end(); ++it)
      if (it.key() != "addr" && it.key() != "server") e.extras[it.key()] = it.value();
  } else if (checked.qapi_type == "SocketAddressLegacy") {
    e.address = {{"type", v.value("type", "")}};
    for (auto it = v["data"].begin(); it != v["data"].end(); ++it) e.address[it.key()] = it.value();
  } else {
    return tl::unexpected(
        Diagnostic{fmt::format("qsock cannot convert a {}", checked.qapi_type), "", ""});
  }
  return e;
}

}  // namespace qsock::uri
