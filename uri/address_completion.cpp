#include "uri/address_completion.h"

#include <algorithm>
#include <map>
#include <set>

#include "uri/chardev_opts.h"

namespace qsock::uri {

namespace {

// The first sentence of a doc comment on one line, "@name" written as name.
std::string summary(std::string_view doc) {
  std::string out;
  for (char c : doc) {
    if (c == '@') continue;
    if (c == '\n' || c == '\t') c = ' ';
    if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
    out += c;
  }
  if (auto end = out.find(". "); end != std::string::npos) out.erase(end + 1);
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// A comma-separated option list (",," is a comma inside a value): the items
// before the last one as name -> value, and where the last one starts.
struct Items {
  std::vector<std::pair<std::string, std::string>> before;
  std::size_t last = 0;
};
Items split_items(std::string_view s) {
  Items out;
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != ',') continue;
    if (i + 1 < s.size() && s[i + 1] == ',') {
      ++i;
      continue;
    }
    std::string_view item = s.substr(start, i - start);
    auto eq = item.find('=');
    out.before.emplace_back(std::string(item.substr(0, eq)),
                            eq == std::string_view::npos ? "" : std::string(item.substr(eq + 1)));
    start = i + 1;
  }
  out.last = start;
  return out;
}

bool given(const Items& items, std::string_view name) {
  return std::any_of(items.before.begin(), items.before.end(),
                     [&](const auto& kv) { return kv.first == name; });
}

// The values a member of `type` can take, when the schema enumerates them.
std::vector<std::string> values_of(const schema::Schema& schema, std::string_view type,
                                   const schema::Target& target) {
  if (type == "bool") return {"on", "off"};
  const schema::TypeDef* def = schema.find(type);
  std::vector<std::string> out;
  if (def && def->meta == schema::Meta::enumeration)
    for (const schema::EnumValue& v : def->values)
      if (target.has(v.avail)) out.push_back(v.name);
  return out;
}

void add_values(std::vector<AddressCandidate>& out, std::string_view head, std::string_view partial,
                const std::vector<std::string>& values) {
  for (const std::string& v : values)
    if (v.starts_with(partial)) out.push_back({std::string(head) + v, ""});
}

// --- legacy URI: host:port followed by InetSocketAddress options ----------

void complete_legacy(std::vector<AddressCandidate>& out, std::string_view text,
                     std::string_view body, const schema::Target& target,
                     const schema::Schema& schema) {
  for (std::string_view other : {"unix:", "vsock:", "fd:", "exec:", "file:", "rdma:"})
    if (body.starts_with(other)) return;  // only inet addresses take options
  if (body.find(',') == std::string_view::npos) return;
  const schema::TypeDef* inet = schema.find("InetSocketAddress");
  if (!inet) return;
  Items items = split_items(text);
  std::string_view head = text.substr(0, items.last);
  std::string_view item = text.substr(items.last);
  std::vector<const schema::Member*> options;
  for (const schema::Member* m : schema.members_of(*inet))
    if (m->name != "host" && m->name != "port" && target.has(m->avail)) options.push_back(m);
  if (auto eq = item.find('='); eq != std::string_view::npos) {
    for (const schema::Member* m : options)
      if (m->name == item.substr(0, eq))
        add_values(out, text.substr(0, items.last + eq + 1), item.substr(eq + 1),
                   values_of(schema, m->type, target));
    return;
  }
  for (const schema::Member* m : options)
    if (m->name.starts_with(item) && !given(items, m->name))
      out.push_back({std::string(head) + m->name + "=", summary(m->doc)});
}

// --- keyval: dotted paths into a QAPI type --------------------------------

// The members reachable at one level of `def`: its own, and for a union the
// members of the branch its discriminator selects (of every branch while it
// is not given), flattened as keyval writes them.
void level_members(const schema::Schema& schema, const schema::TypeDef& def,
                   const std::string& path, const Items& items,
                   std::vector<const schema::Member*>& out, int depth = 0) {
  if (depth > 8) return;
  for (const schema::Member* m : schema.members_of(def))
    if (std::none_of(out.begin(), out.end(),
                     [&](const schema::Member* o) { return o->name == m->name; }))
      out.push_back(m);
  if (def.discriminator.empty()) return;
  std::string chosen;
  for (const auto& [k, v] : items.before)
    if (k == path + def.discriminator) chosen = v;
  for (const schema::Variant& variant : def.variants) {
    if (!chosen.empty() && variant.value != chosen) continue;
    if (const schema::TypeDef* branch = schema.find(variant.type))
      level_members(schema, *branch, path, items, out, depth + 1);
  }
}

bool is_object(const schema::Schema& schema, std::string_view type) {
  const schema::TypeDef* def = schema.find(type);
  return def != nullptr && def->meta == schema::Meta::object;
}

void complete_keyval(std::vector<AddressCandidate>& out, std::string_view text,
                     std::string_view body, const KeyvalRoot& root, const schema::Target& target,
                     const schema::Schema& schema) {
  const schema::TypeDef* def = schema.find(root.type);
  if (!def || body.starts_with("{")) return;
  std::size_t body_at = text.size() - body.size();
  Items items = split_items(body);
  std::string_view item = body.substr(items.last);
  std::string head(text.substr(0, body_at + items.last));
  // The first item may be the implied key's value ("stream", "main").
  std::string implied_value;
  if (!items.before.empty() && items.before.front().second.empty() &&
      body.substr(0, body.find(',')).find('=') == std::string_view::npos) {
    implied_value = items.before.front().first;
    items.before.front() = {std::string(root.implied_key), implied_value};
  }
  bool first = items.before.empty();
  auto eq = item.find('=');
  std::string_view key =
      first && eq == std::string_view::npos ? root.implied_key : item.substr(0, eq);

  // Walk the dotted path: every segment but the last names an object member.
  std::string path;
  std::string_view rest = key;
  const schema::TypeDef* level = def;
  for (auto dot = rest.find('.'); dot != std::string_view::npos; dot = rest.find('.')) {
    std::vector<const schema::Member*> members;
    level_members(schema, *level, path, items, members);
    auto it = std::find_if(members.begin(), members.end(),
                           [&](const schema::Member* m) { return m->name == rest.substr(0, dot); });
    if (it == members.end()) return;
    level = schema.find((*it)->type);
    if (level == nullptr || level->meta != schema::Meta::object) return;
    path += std::string(rest.substr(0, dot + 1));
    rest = rest.substr(dot + 1);
  }
  std::vector<const schema::Member*> members;
  level_members(schema, *level, path, items, members);

  if (first && eq == std::string_view::npos) {
    // The implied key's value: a union's branches, or the member's enum.
    std::vector<std::string> values;
    if (def->discriminator == root.implied_key)
      for (const schema::Variant& v : def->variants) values.push_back(v.value);
    else if (const schema::Member* m = schema.member(*def, root.implied_key))
      values = values_of(schema, m->type, target);
    add_values(out, head, item, values);
    return;
  }
  if (eq != std::string_view::npos) {
    for (const schema::Member* m : members)
      if (m->name == rest && target.has(m->avail))
        add_values(out, head + std::string(item.substr(0, eq + 1)), item.substr(eq + 1),
                   values_of(schema, m->type, target));
    return;
  }
  for (const schema::Member* m : members) {
    if (!target.has(m->avail) || !m->name.starts_with(rest) || given(items, path + m->name))
      continue;
    bool nested = is_object(schema, m->type);
    out.push_back({head + path + m->name + (nested ? "." : "="), summary(m->doc)});
  }
}

// --- -chardev: the flat QemuOpts the socket backend reads -----------------

void complete_chardev(std::vector<AddressCandidate>& out, std::string_view text,
                      std::string_view body, const schema::Target& target) {
  std::size_t body_at = text.size() - body.size();
  Items items = split_items(body);
  std::string_view item = body.substr(items.last);
  std::string head(text.substr(0, body_at + items.last));
  if (items.before.empty() && item.find('=') == std::string_view::npos) {
    add_values(out, head, item, {"socket"});
    return;
  }
  auto present = [&](const ChardevOption& o) {
    return o.socket && o.since <= target.version && (!o.removed || target.version < *o.removed);
  };
  if (auto eq = item.find('='); eq != std::string_view::npos) {
    for (const ChardevOption& o : chardev_options())
      if (present(o) && o.name == item.substr(0, eq) && o.type == QemuOptType::boolean)
        add_values(out, head + std::string(item.substr(0, eq + 1)), item.substr(eq + 1),
                   {"on", "off"});
    return;
  }
  for (const ChardevOption& o : chardev_options())
    if (present(o) && o.name.starts_with(item) && !given(items, o.name))
      out.push_back({head + std::string(o.name) + "=", ""});
}

}  // namespace

std::vector<AddressCandidate> complete_address(std::string_view text, std::optional<InputKind> kind,
                                               const schema::Target& target,
                                               const schema::Schema& schema) {
  std::string_view body = text;
  if (auto word = split_option_word(text)) {
    if (kind && *kind != word->kind) return {};
    kind = word->kind;
    body = word->rest;
    // split_option_word trims: the body must end where the text ends.
    if (body.data() + body.size() != text.data() + text.size()) return {};
  }
  InputKind k = kind.value_or(detect_kind(body));
  std::vector<AddressCandidate> out;
  // -incoming takes a URI ("tcp:...") or, since 10.0, a channel ("main,addr....").
  bool uri_form = body.substr(0, body.find(',')).find(':') != std::string_view::npos;
  switch (k) {
    case InputKind::uri:
    case InputKind::migrate_uri:
      complete_legacy(out, text, body, target, schema);
      break;
    case InputKind::incoming:
      if (uri_form)
        complete_legacy(out, text, body, target, schema);
      else if (target.version >= incoming_channels_since)
        complete_keyval(out, text, body, *keyval_root(k), target, schema);
      break;
    case InputKind::netdev:
      complete_keyval(out, text, body, *keyval_root(k), target, schema);
      break;
    case InputKind::chardev:
      complete_chardev(out, text, body, target);
      break;
    case InputKind::json:
      break;
  }
  return out;
}

}  // namespace qsock::uri
