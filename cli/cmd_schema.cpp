// qsock schema [TYPE[.MEMBER]]: what qsock's schema says about a type or a
// member, and in which QEMU releases it exists.
#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "base/json.h"
#include "base/suggest.h"
#include "cli/commands.h"
#include "cli/schema_source.h"
#include "schema/loader.h"
#include "schema/model.h"

namespace qsock::cli {

namespace {

using schema::Availability;
using schema::EnumValue;
using schema::Member;
using schema::Meta;
using schema::Schema;
using schema::TypeDef;

struct SchemaOptions {
  std::string name;        // "", "TYPE" or "TYPE.MEMBER"
  std::string schema_dir;  // --schema DIR
};

bool is_union(const TypeDef& def) { return !def.discriminator.empty() || !def.variants.empty(); }

// Implicit argument types of commands and events are shown with them.
bool is_implicit(std::string_view name) { return name.substr(0, 6) == "q_obj_"; }

std::string kind_of(const TypeDef& def) {
  switch (def.meta) {
    case Meta::builtin:
      return "builtin";
    case Meta::enumeration:
      return "enum";
    case Meta::array:
      return "array";
    case Meta::object:
      return is_union(def) ? "union" : "struct";
    case Meta::alternate:
      return "alternate";
    case Meta::command:
      return "command";
    case Meta::event:
      return "event";
  }
  return "?";
}

std::string since_text(const Schema& schema, const Availability& a) {
  if (!schema.versioned) return "present";
  if (a.status == Availability::Status::always && !a.removed) return "-";
  return a.describe();
}

// "since 1.3", "since 0.14, removed in 9.1", "proposed"; "" when unknown.
std::string avail_phrase(const Schema& schema, const Availability& a) {
  if (!schema.versioned) return "";
  std::string text;
  switch (a.status) {
    case Availability::Status::released:
      text = "since " + a.since.str();
      break;
    case Availability::Status::proposed:
      text = "proposed";
      break;
    case Availability::Status::always:
      break;
  }
  if (a.removed)
    text += (text.empty() ? "" : ", ") + fmt::format("removed in {}", a.removed->str());
  return text;
}

std::string with_phrase(const std::string& head, const std::string& phrase) {
  return phrase.empty() ? head : head + ", " + phrase;
}

Json availability_json(const Availability& a) {
  Json j = Json::object();
  switch (a.status) {
    case Availability::Status::released:
      j["status"] = "released";
      j["since"] = a.since.str();
      break;
    case Availability::Status::proposed:
      j["status"] = "proposed";
      break;
    case Availability::Status::always:
      j["status"] = "always";
      break;
  }
  if (a.removed) j["removed"] = a.removed->str();
  return j;
}

// The type whose `members` hold a member: the object itself or a base.
std::string owner_of(const Schema& schema, const TypeDef& object, const Member* member) {
  for (const TypeDef* t = &object; t; t = t->base.empty() ? nullptr : schema.find(t->base)) {
    for (const Member& m : t->members)
      if (&m == member) return t->name;
    if (t->base == t->name) break;
  }
  return object.name;
}

// The object whose members a definition shows: itself, or a command's or
// event's argument type.
const TypeDef* member_holder(const Schema& schema, const TypeDef& def) {
  if (def.meta == Meta::object) return &def;
  if ((def.meta == Meta::command || def.meta == Meta::event) && !def.arg_type.empty())
    return schema.find(def.arg_type);
  return nullptr;
}

Json member_json(const Schema& schema, const TypeDef& holder, const Member& m) {
  Json j = Json::object();
  j["name"] = m.name;
  j["type"] = m.type;
  j["optional"] = m.optional;
  j["availability"] = availability_json(m.avail);
  j["if"] = m.condition.empty() ? Json(nullptr) : Json(m.condition);
  j["features"] = m.features;
  j["doc"] = m.doc;
  j["defined-in"] = owner_of(schema, holder, &m);
  return j;
}

Json value_json(const EnumValue& v) {
  Json j = Json::object();
  j["name"] = v.name;
  j["availability"] = availability_json(v.avail);
  j["features"] = v.features;
  j["doc"] = v.doc;
  return j;
}

Json type_json(const Schema& schema, const TypeDef& def) {
  Json j = Json::object();
  j["name"] = def.name;
  j["kind"] = kind_of(def);
  j["availability"] = availability_json(def.avail);
  j["if"] = def.condition.empty() ? Json(nullptr) : Json(def.condition);
  j["features"] = def.features;
  j["doc"] = def.doc;
  j["file"] = def.file;
  switch (def.meta) {
    case Meta::builtin:
      j["builtin"] = def.builtin;
      break;
    case Meta::array:
      j["element-type"] = def.element_type;
      break;
    case Meta::enumeration: {
      Json values = Json::array();
      for (const EnumValue& v : def.values) values.push_back(value_json(v));
      j["values"] = values;
      break;
    }
    case Meta::alternate:
      j["alternatives"] = def.alternatives;
      break;
    case Meta::object:
    case Meta::command:
    case Meta::event:
      break;
  }
  if (def.meta == Meta::object) {
    j["base"] = def.base.empty() ? Json(nullptr) : Json(def.base);
    if (is_union(def)) {
      j["discriminator"] = def.discriminator;
      Json branches = Json::array();
      for (const schema::Variant& v : def.variants)
        branches.push_back({{"value", v.value}, {"type", v.type}});
      j["branches"] = branches;
    }
  }
  if (def.meta == Meta::command || def.meta == Meta::event) {
    j["arg-type"] = def.arg_type.empty() ? Json(nullptr) : Json(def.arg_type);
    j["boxed"] = def.boxed;
    if (def.meta == Meta::command) {
      j["returns"] = def.ret_type.empty() ? Json(nullptr) : Json(def.ret_type);
      j["allow-oob"] = def.allow_oob;
    }
  }
  if (const TypeDef* holder = member_holder(schema, def)) {
    Json members = Json::array();
    for (const Member* m : schema.members_of(*holder))
      members.push_back(member_json(schema, *holder, *m));
    j["members"] = members;
  }
  return j;
}

// Greedy word wrap of doc text, each line indented.
std::string wrap(std::string_view text, std::string_view indent, std::size_t width = 76) {
  std::string out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    std::string_view paragraph =
        text.substr(start, end == std::string_view::npos ? end : end - start);
    std::string line(indent);
    std::size_t pos = 0;
    while (pos < paragraph.size()) {
      std::size_t next = paragraph.find(' ', pos);
      std::string_view word =
          paragraph.substr(pos, next == std::string_view::npos ? next : next - pos);
      if (line.size() > indent.size() && line.size() + 1 + word.size() > width) {
        out += line + "\n";
        line = std::string(indent);
      }
      if (line.size() > indent.size()) line += ' ';
      line += word;
      if (next == std::string_view::npos) break;
      pos = next + 1;
    }
    if (line.size() > indent.size()) out += line + "\n";
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string member_line(const Schema& schema, const TypeDef& holder, const Member& m) {
  std::string line =
      with_phrase(fmt::format("{}: {}, {}", m.name, m.type, m.optional ? "optional" : "required"),
                  avail_phrase(schema, m.avail));
  if (!m.condition.empty()) line += fmt::format(", if {}", m.condition);
  if (!m.features.empty()) line += fmt::format(", features: {}", join(m.features));
  std::string owner = owner_of(schema, holder, &m);
  if (owner != holder.name) line += fmt::format(" (from {})", owner);
  return line;
}

void print_type(const Context& ctx, const Schema& schema, const TypeDef& def) {
  std::FILE* out = ctx.out;
  std::string head = with_phrase(kind_of(def), avail_phrase(schema, def.avail));
  fmt::print(out, "{} ({}{})\n", def.name, head, def.file.empty() ? "" : ", " + def.file);
  if (!def.condition.empty()) fmt::print(out, "If: {}\n", def.condition);
  if (!def.features.empty()) fmt::print(out, "Features: {}\n", join(def.features));
  if (!def.doc.empty()) fmt::print(out, "{}", wrap(def.doc, "  "));
  switch (def.meta) {
    case Meta::builtin:
      fmt::print(out, "A builtin type.\n");
      break;
    case Meta::array:
      fmt::print(out, "Element type: {}\n", def.element_type);
      break;
    case Meta::alternate:
      fmt::print(out, "Alternatives: {}\n", join(def.alternatives));
      break;
    case Meta::enumeration:
      fmt::print(out, "Values:\n");
      for (const EnumValue& v : def.values) {
        std::string line = "  " + v.name;
        if (std::string phrase = avail_phrase(schema, v.avail); !phrase.empty())
          line += ": " + phrase;
        if (!v.features.empty()) line += fmt::format(", features: {}", join(v.features));
        fmt::print(out, "{}\n{}", line, wrap(v.doc, "      "));
      }
      break;
    case Meta::object:
    case Meta::command:
    case Meta::event:
      break;
  }
  if (def.meta == Meta::object && !def.base.empty()) fmt::print(out, "Base: {}\n", def.base);
  if (const TypeDef* holder = member_holder(schema, def)) {
    auto members = schema.members_of(*holder);
    const char* title = def.meta == Meta::command ? "Arguments"
                        : def.meta == Meta::event ? "Data"
                                                  : "Members";
    if (holder != &def && !is_implicit(holder->name))
      fmt::print(out, "{}: {}{}\n", title, holder->name, def.boxed ? " (boxed)" : "");
    if (members.empty()) {
      fmt::print(out, "{}: none\n", title);
    } else {
      fmt::print(out, "{}:\n", title);
      for (const Member* m : members)
        fmt::print(out, "  {}\n{}", member_line(schema, *holder, *m), wrap(m->doc, "      "));
    }
  } else if (def.meta == Meta::command || def.meta == Meta::event) {
    fmt::print(out, "{}: none\n", def.meta == Meta::command ? "Arguments" : "Data");
  }
  if (def.meta == Meta::object && is_union(def)) {
    fmt::print(out, "Discriminator: {}\nBranches:\n", def.discriminator);
    for (const schema::Variant& v : def.variants) fmt::print(out, "  {}: {}\n", v.value, v.type);
  }
  if (def.meta == Meta::command) {
    fmt::print(out, "Returns: {}\n", def.ret_type.empty() ? "nothing" : def.ret_type);
    if (def.allow_oob) fmt::print(out, "Allows out-of-band execution.\n");
  }
}

void print_member(const Context& ctx, const Schema& schema, const TypeDef& holder,
                  std::string_view shown, const Member& m) {
  std::FILE* out = ctx.out;
  fmt::print(out, "{}.{}\n", shown, m.name);
  fmt::print(out, "  Type:       {}\n", m.type);
  fmt::print(out, "  Optional:   {}\n", m.optional ? "yes" : "no");
  std::string since = m.avail.is_proposed() ? "proposed (in no released QEMU)"
                      : m.avail.status == Availability::Status::released
                          ? m.avail.since.str()
                          : since_text(schema, m.avail);
  fmt::print(out, "  Since:      {}\n", since);
  if (m.avail.removed) fmt::print(out, "  Removed in: {}\n", m.avail.removed->str());
  fmt::print(out, "  If:         {}\n", m.condition.empty() ? "-" : m.condition);
  fmt::print(out, "  Features:   {}\n", m.features.empty() ? "-" : join(m.features));
  std::string owner = owner_of(schema, holder, &m);
  if (owner != holder.name) fmt::print(out, "  Defined in: {}\n", owner);
  if (!m.doc.empty()) fmt::print(out, "{}", wrap(m.doc, "  "));
}

void print_value(const Context& ctx, const Schema& schema, const TypeDef& def, const EnumValue& v) {
  std::FILE* out = ctx.out;
  fmt::print(out, "{}.{} (enum value)\n", def.name, v.name);
  std::string since = v.avail.is_proposed() ? "proposed (in no released QEMU)"
                      : v.avail.status == Availability::Status::released
                          ? v.avail.since.str()
                          : since_text(schema, v.avail);
  fmt::print(out, "  Since:      {}\n", since);
  if (v.avail.removed) fmt::print(out, "  Removed in: {}\n", v.avail.removed->str());
  fmt::print(out, "  Features:   {}\n", v.features.empty() ? "-" : join(v.features));
  if (!v.doc.empty()) fmt::print(out, "{}", wrap(v.doc, "  "));
}

std::string semicolon_did_you_mean(std::string_view word,
                                   const std::vector<std::string>& candidates) {
  std::string hint = did_you_mean(word, candidates);
  return hint.empty() ? hint : "; " + hint;
}

ExitCode list_types(const Context& ctx, const Schema& schema) {
  std::vector<const TypeDef*> defs;
  for (const std::string& name : schema.names())
    if (!is_implicit(name)) defs.push_back(schema.find(name));
  if (ctx.json) {
    Json types = Json::array();
    for (const TypeDef* def : defs)
      types.push_back({{"name", def->name},
                       {"kind", kind_of(*def)},
                       {"availability", availability_json(def->avail)}});
    Json j = {{"origin", schema.origin}, {"types", types}};
    fmt::print(ctx.out, "{}\n", dump_json(j, 2));
    return ExitCode::ok;
  }
  std::size_t width = 4;
  for (const TypeDef* def : defs) width = std::max(width, def->name.size());
  fmt::print(ctx.out, "{:<{}}  {:<9}  {}\n", "NAME", width, "KIND", "SINCE");
  for (const TypeDef* def : defs)
    fmt::print(ctx.out, "{:<{}}  {:<9}  {}\n", def->name, width, kind_of(*def),
               since_text(schema, def->avail));
  return ExitCode::ok;
}

ExitCode show(const Context& ctx, const Schema& schema, std::string_view query) {
  std::string_view type_name = query;
  std::optional<std::string_view> member_name;
  if (auto dot = query.find('.'); dot != std::string_view::npos) {
    type_name = query.substr(0, dot);
    member_name = query.substr(dot + 1);
  }
  const TypeDef* def = schema.find(type_name);
  if (!def) {
    return fail(ctx, ExitCode::invalid,
                fmt::format("no type '{}' in the {} schema{}", type_name, schema.origin,
                            semicolon_did_you_mean(type_name, schema.names())));
  }
  if (!member_name) {
    if (ctx.json) {
      fmt::print(ctx.out, "{}\n", dump_json(type_json(schema, *def), 2));
    } else {
      print_type(ctx, schema, *def);
    }
    return ExitCode::ok;
  }

  std::vector<std::string> candidates;
  if (const TypeDef* holder = member_holder(schema, *def)) {
    if (const Member* m = schema.member(*holder, *member_name)) {
      if (ctx.json) {
        Json j = member_json(schema, *holder, *m);
        j = Json{{"type-name", def->name}, {"member", j}};
        fmt::print(ctx.out, "{}\n", dump_json(j, 2));
      } else {
        print_member(ctx, schema, *holder, def->name, *m);
      }
      return ExitCode::ok;
    }
    for (const Member* m : schema.members_of(*holder)) candidates.push_back(m->name);
  }
  if (def->meta == Meta::enumeration) {
    if (const EnumValue* v = schema.enum_value(*def, *member_name)) {
      if (ctx.json) {
        fmt::print(ctx.out, "{}\n",
                   dump_json(Json{{"type-name", def->name}, {"value", value_json(*v)}}, 2));
      } else {
        print_value(ctx, schema, *def, *v);
      }
      return ExitCode::ok;
    }
    for (const EnumValue& v : def->values) candidates.push_back(v.name);
  }
  for (const schema::Variant& v : def->variants) {
    if (v.value == *member_name) {
      if (ctx.json) {
        Json branch = {{"value", v.value}, {"type", v.type}, {"discriminator", def->discriminator}};
        fmt::print(ctx.out, "{}\n",
                   dump_json(Json{{"type-name", def->name}, {"branch", branch}}, 2));
      } else {
        fmt::print(ctx.out, "{}.{} (branch: {}={})\n  Type:       {}\n", def->name, v.value,
                   def->discriminator, v.value, v.type);
      }
      return ExitCode::ok;
    }
    candidates.push_back(v.value);
  }
  return fail(ctx, ExitCode::invalid,
              fmt::format("{} '{}' has no member '{}'{}", kind_of(*def), def->name, *member_name,
                          semicolon_did_you_mean(*member_name, candidates)));
}

ExitCode run_schema(const Context& ctx, const SchemaOptions& options) {
  std::optional<Schema> loaded;
  const Schema* schema = nullptr;
  if (!options.schema_dir.empty()) {
    auto from_dir = load_schema_dir(options.schema_dir);
    if (!from_dir) return fail(ctx, ExitCode::invalid, from_dir.error());
    loaded = std::move(*from_dir);
    schema = &*loaded;
  } else {
    schema = &schema::embedded_schema();
  }
  if (options.name.empty()) return list_types(ctx, *schema);
  return show(ctx, *schema, options.name);
}

}  // namespace

void add_schema_command(CLI::App& app, Context& ctx, Action& action) {
  auto options = std::make_shared<SchemaOptions>();
  CLI::App* sub =
      app.add_subcommand("schema",
                         "Show the QAPI schema qsock checks against: types, members, and the QEMU "
                         "releases that have them");
  sub->add_option("name", options->name,
                  "TYPE, or TYPE.MEMBER (a member, enum value or union branch); without it, "
                  "every type is listed");
  sub->add_option("--schema", options->schema_dir,
                  "Read the QAPI files (*.json) in DIR instead of the embedded schema")
      ->type_name("DIR");
  sub->callback(
      [&ctx, &action, options] { action = [&ctx, options] { return run_schema(ctx, *options); }; });
}

}  // namespace qsock::cli
