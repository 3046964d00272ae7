#include "qmp/arguments.h"

#include <cerrno>
#include <cstdlib>
#include <map>
#include <set>

#include <fmt/format.h>

#include "base/suggest.h"
#include "schema/validator.h"

namespace qsock::qmp {

Json type_by_simple_rules(std::string_view text) {
  if (text == "true") return true;
  if (text == "false") return false;
  if (!text.empty()) {
    char c = text.front();
    bool number_like = c == '-' || (c >= '0' && c <= '9');
    if (number_like || c == '"') {
      Json parsed = Json::parse(text, nullptr, /*allow_exceptions=*/false);
      if (!parsed.is_discarded() && (parsed.is_number() || parsed.is_string())) return parsed;
    }
  }
  return std::string(text);
}

namespace {

std::vector<std::string> split_key(std::string_view key) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    auto dot = key.find('.', start);
    parts.emplace_back(key.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) return parts;
    start = dot + 1;
  }
}

Result<void> insert(Json& root, const std::vector<std::string>& path, Json value,
                    std::string_view arg) {
  Json* node = &root;
  std::string prefix;
  for (std::size_t i = 0; i + 1 < path.size(); ++i) {
    prefix += (i ? "." : "") + path[i];
    auto it = node->find(path[i]);
    if (it == node->end()) {
      node = &((*node)[path[i]] = Json::object());
    } else if (it->is_object()) {
      node = &*it;
    } else {
      return fail(ErrorKind::invalid,
                  fmt::format("argument '{}': '{}' already has a value, it cannot also have "
                              "members",
                              arg, prefix));
    }
  }
  const std::string& leaf = path.back();
  if (node->contains(leaf)) {
    std::string key = prefix.empty() ? leaf : prefix + "." + leaf;
    if ((*node)[leaf].is_object())
      return fail(ErrorKind::invalid,
                  fmt::format("argument '{}': '{}' already has members, it cannot also have "
                              "a value",
                              arg, key));
    return fail(ErrorKind::invalid, fmt::format("argument '{}': '{}' is given twice", arg, key));
  }
  (*node)[leaf] = std::move(value);
  return {};
}

bool is_json_object_argument(std::span<const std::string> args) {
  if (args.size() != 1) return false;
  auto first = args[0].find_first_not_of(" \t\n");
  return first != std::string::npos && args[0][first] == '{';
}

// Objects whose keys are exactly 0..n-1 (list elements given as KEY.0,
// KEY.1, ...) become arrays. Only the schema typer accepts such keys, and
// only where the schema has a list; QAPI member names never are digits.
void objects_to_arrays(Json& node) {
  if (!node.is_object()) return;
  for (auto& [key, value] : node.items()) objects_to_arrays(value);
  if (node.empty()) return;
  std::vector<const Json*> elements(node.size(), nullptr);
  for (auto& [key, value] : node.items()) {
    if (key.empty() || key.size() > 9 || key.find_first_not_of("0123456789") != std::string::npos ||
        (key.size() > 1 && key[0] == '0'))
      return;
    auto index = static_cast<std::size_t>(std::stoul(key));
    if (index >= elements.size()) return;
    elements[index] = &value;
  }
  Json array = Json::array();
  for (const Json* e : elements) array.push_back(*e);
  node = std::move(array);
}

}  // namespace

bool has_key_value_arguments(std::span<const std::string> args) {
  return !args.empty() && !is_json_object_argument(args);
}

Result<Json> build_arguments(std::span<const std::string> args, const ValueTyper& typer) {
  Json root = Json::object();
  if (args.empty()) return root;
  if (is_json_object_argument(args)) {
    Json parsed = Json::parse(args[0], nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded() || !parsed.is_object())
      return fail(ErrorKind::invalid,
                  fmt::format("arguments '{}' are not a valid JSON object", args[0]));
    return parsed;
  }
  for (const auto& arg : args) {
    auto eq = arg.find('=');
    if (arg.starts_with("{"))
      return fail(ErrorKind::invalid,
                  "give JSON arguments as a single object, not mixed with key=value pairs");
    if (eq == std::string::npos)
      return fail(ErrorKind::invalid,
                  fmt::format("argument '{}' is not key=value (or give one JSON object)", arg));
    std::string_view key(arg.data(), eq);
    std::string_view text = std::string_view(arg).substr(eq + 1);
    auto path = split_key(key);
    for (const auto& part : path)
      if (part.empty())
        return fail(ErrorKind::invalid, fmt::format("argument '{}': empty key part", arg));
    std::optional<Json> value;
    if (typer) {
      auto typed = typer(path, text);
      if (!typed) return tl::unexpected(typed.error());
      value = std::move(*typed);
    }
    if (!value) value = type_by_simple_rules(text);
    if (auto ok = insert(root, path, std::move(*value), arg); !ok)
      return tl::unexpected(ok.error());
  }
  if (typer) objects_to_arrays(root);
  return root;
}

namespace {

using schema::Meta;
using schema::TypeDef;

std::string join(const std::vector<std::string>& path, std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) out += (i ? "." : "") + path[i];
  return out;
}

std::string quoted_list(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "'" : ", '") + n + "'";
  return out;
}

std::string paren_did_you_mean(std::string_view word,
                               const std::vector<std::string>& candidates) {
  auto near = nearest_name(word, candidates);
  return near ? fmt::format(" (did you mean '{}'?)", *near) : std::string();
}

// What kind of value a type takes, for messages.
std::string describe(const schema::Schema& schema, const TypeDef& t) {
  switch (t.meta) {
    case Meta::builtin:
      return t.builtin == "str" ? "a string" : schema::is_integer_builtin(t.builtin) ? "an integer"
                                           : t.builtin == "bool"                  ? "a boolean"
                                           : t.builtin == "size"                  ? "a size"
                                           : t.builtin == "number"                ? "a number"
                                                                                  : t.builtin;
    case Meta::enumeration:
      return "an enum";
    case Meta::array:
      return "a list";
    case Meta::object:
      return "an object";
    case Meta::alternate: {
      std::string out;
      for (const auto& alt : t.alternatives)
        if (const TypeDef* a = schema.find(alt))
          out += (out.empty() ? "" : " or ") + describe(schema, *a);
      return out;
    }
    default:
      return "a value";
  }
}

class SchemaTyper {
 public:
  SchemaTyper(const schema::Schema& schema, std::string command, const TypeDef* root,
              std::map<std::string, std::string> given)
      : schema_(schema), command_(std::move(command)), root_(root), given_(std::move(given)) {}

  Result<std::optional<Json>> operator()(const std::vector<std::string>& path,
                                         std::string_view text) const {
    std::string arg = fmt::format("{}={}", join(path, path.size()), text);
    const TypeDef* t = root_;
    for (std::size_t i = 0; i < path.size(); ++i) {
      const std::string& part = path[i];
      std::string where = join(path, i);
      bool index = part.find_first_not_of("0123456789") == std::string::npos;
      if (t && t->meta == Meta::alternate) t = descend_alternate(*t, index);
      if (!t) {
        if (i == 0)
          return fail(ErrorKind::invalid,
                      fmt::format("argument '{}': {} takes no arguments", arg, command_));
        return fail(ErrorKind::invalid,
                    fmt::format("argument '{}': '{}' has no members", arg, where));
      }
      if (t->meta == Meta::array) {
        if (!index)
          return fail(ErrorKind::invalid,
                      fmt::format("argument '{}': '{}' is a list: give its elements as "
                                  "{}.0, {}.1, ...",
                                  arg, where, where, where));
        t = schema_.find(t->element_type);
        continue;
      }
      if (t->meta != Meta::object)
        return fail(ErrorKind::invalid,
                    fmt::format("argument '{}': '{}' is {}, it has no member '{}'", arg, where,
                                describe(schema_, *t), part));
      std::vector<std::string> candidates;
      const schema::Member* m = find_member(*t, where, part, candidates);
      if (!m) {
        std::string owner = i == 0 ? command_ : "'" + where + "'";
        return fail(ErrorKind::invalid,
                    fmt::format("argument '{}': {} has no {} '{}'{}", arg, owner,
                                i == 0 ? "argument" : "member", part,
                                paren_did_you_mean(part, candidates)));
      }
      t = schema_.find(m->type);
      if (!t) return std::optional<Json>();  // a type the schema lacks: the simple rules
    }
    return type_leaf(*t, join(path, path.size()), arg, text);
  }

 private:
  // Where a key goes on into an alternate: its object (or list) alternative.
  const TypeDef* descend_alternate(const TypeDef& alt, bool index) const {
    for (const auto& name : alt.alternatives) {
      const TypeDef* a = schema_.find(name);
      if (a && a->meta == (index ? Meta::array : Meta::object)) return a;
    }
    return nullptr;
  }

  // A member of an object or union; for a union, of the branch that the
  // discriminator given among the arguments selects, or of any branch when
  // it is not given. `candidates` gets the names that were possible.
  const schema::Member* find_member(const TypeDef& object, const std::string& where,
                                 const std::string& name,
                                 std::vector<std::string>& candidates) const {
    for (const schema::Member* m : schema_.members_of(object)) {
      if (m->name == name) return m;
      candidates.push_back(m->name);
    }
    if (object.discriminator.empty()) return nullptr;
    std::string tag_key = where.empty() ? object.discriminator : where + "." + object.discriminator;
    auto tag = given_.find(tag_key);
    for (const auto& v : object.variants) {
      if (tag != given_.end() && v.value != tag->second) continue;
      const TypeDef* branch = schema_.find(v.type);
      if (!branch) continue;
      for (const schema::Member* m : schema_.members_of(*branch)) {
        if (m->name == name) return m;
        candidates.push_back(m->name);
      }
    }
    return nullptr;
  }

  Result<std::optional<Json>> type_leaf(const TypeDef& t, const std::string& key,
                                        const std::string& arg, std::string_view text) const {
    auto refuse = [&](const std::string& what) {
      return fail(ErrorKind::invalid, fmt::format("argument '{}': '{}' {}", arg, key, what));
    };
    switch (t.meta) {
      case Meta::builtin: {
        if (auto v = scalar(t, text)) return std::optional<Json>(std::move(*v));
        if (t.builtin == "any") return std::optional<Json>();
        return refuse(fmt::format("must be {}, not '{}'", describe(schema_, t), text));
      }
      case Meta::enumeration: {
        if (auto v = scalar(t, text)) return std::optional<Json>(std::move(*v));
        std::vector<std::string> names;
        for (const auto& v : t.values) names.push_back(v.name);
        return refuse(fmt::format("must be one of {}, not '{}'{}", quoted_list(names), text,
                                  paren_did_you_mean(text, names)));
      }
      case Meta::alternate: {
        // A string alternative takes anything, so it is tried last.
        const TypeDef* str = nullptr;
        for (const auto& name : t.alternatives) {
          const TypeDef* a = schema_.find(name);
          if (!a) continue;
          if (a->meta == Meta::builtin && a->builtin == "str") {
            str = a;
            continue;
          }
          if (auto v = scalar(*a, text)) return std::optional<Json>(std::move(*v));
          if (auto v = json_text(*a, text)) return std::optional<Json>(std::move(*v));
        }
        if (str) return std::optional<Json>(Json(std::string(text)));
        return refuse(fmt::format("must be {}, not '{}'", describe(schema_, t), text));
      }
      case Meta::array:
        if (auto v = json_text(t, text)) return std::optional<Json>(std::move(*v));
        return refuse(fmt::format("is a list: give its elements as {}.0, {}.1, ... (or a JSON "
                                  "array)",
                                  key, key));
      case Meta::object:
        if (auto v = json_text(t, text)) return std::optional<Json>(std::move(*v));
        return refuse(fmt::format("is an object: give its members as {}.MEMBER=... (or a JSON "
                                  "object)",
                                  key));
      default:
        return std::optional<Json>();
    }
  }

  // A scalar of a builtin or enum type, or nullopt when `text` is not one.
  std::optional<Json> scalar(const TypeDef& t, std::string_view text) const {
    if (t.meta == Meta::enumeration) {
      if (schema_.enum_value(t, text)) return Json(std::string(text));
      return std::nullopt;
    }
    if (t.meta != Meta::builtin) return std::nullopt;
    const std::string& b = t.builtin;
    if (b == "str") return Json(std::string(text));
    if (schema::is_integer_builtin(b)) {
      if (auto v = schema::keyval_int64(text)) return Json(*v);
      if (auto v = schema::keyval_uint64(text)) return Json(*v);
      return std::nullopt;
    }
    if (b == "bool") {
      if (auto v = schema::keyval_bool(text)) return Json(*v);
      return std::nullopt;
    }
    if (b == "size") {
      if (auto v = schema::keyval_size(text)) return Json(*v);
      return std::nullopt;
    }
    if (b == "number") {
      std::string s(text);
      char* end = nullptr;
      errno = 0;
      double d = std::strtod(s.c_str(), &end);
      if (s.empty() || *end != '\0' || errno == ERANGE) return std::nullopt;
      return Json(d);
    }
    if (b == "null") {
      if (text == "null") return Json(nullptr);
      return std::nullopt;
    }
    return std::nullopt;
  }

  // A list or object given whole as JSON text.
  static std::optional<Json> json_text(const TypeDef& t, std::string_view text) {
    char open = t.meta == Meta::array ? '[' : t.meta == Meta::object ? '{' : '\0';
    if (!open || text.empty() || text.front() != open) return std::nullopt;
    Json parsed = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded() || (open == '[' ? !parsed.is_array() : !parsed.is_object()))
      return std::nullopt;
    return parsed;
  }

  const schema::Schema& schema_;
  std::string command_;
  const TypeDef* root_;  // the argument object; nullptr when the command takes none
  std::map<std::string, std::string> given_;
};

}  // namespace

Result<ValueTyper> schema_typer(const schema::Schema& schema, std::string_view command,
                                std::span<const std::string> args) {
  const TypeDef* cmd = schema.find(command);
  if (!cmd || cmd->meta != Meta::command) {
    std::vector<std::string> commands;
    for (const auto& name : schema.names())
      if (const TypeDef* t = schema.find(name); t && t->meta == Meta::command)
        commands.push_back(name);
    return fail(ErrorKind::invalid, fmt::format("{} has no command '{}'{}", schema.origin, command,
                                                paren_did_you_mean(command, commands)));
  }
  const TypeDef* root = cmd->arg_type.empty() ? nullptr : schema.find(cmd->arg_type);
  std::map<std::string, std::string> given;
  for (const auto& arg : args)
    if (auto eq = arg.find('='); eq != std::string::npos)
      given.emplace(arg.substr(0, eq), arg.substr(eq + 1));
  return ValueTyper(SchemaTyper(schema, std::string(command), root, std::move(given)));
}

}  // namespace qsock::qmp
