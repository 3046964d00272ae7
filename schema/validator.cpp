#include "schema/validator.h"

#include <cerrno>
#include <cstdlib>
#include <set>
#include <string>

#include <fmt/format.h>

#include "base/qemu_size.h"
#include "base/suggest.h"
#include "schema/availability_hint.h"

namespace qsock::schema {

// ---------------------------------------------------------------------------
// Scalar conversions, as QEMU's keyval input visitor does them.

namespace {

// The C library's strtoll/strtoull with QEMU's checks: the whole text must be
// consumed, and nothing may overflow. Base 0 gives 0x hex and 0 octal.
bool whole_c_string(std::string_view text, std::string& out) {
  if (text.empty() || text.find('\0') != std::string_view::npos) return false;
  out.assign(text);
  return true;
}

}  // namespace

std::optional<std::int64_t> keyval_int64(std::string_view text) {
  std::string s;
  if (!whole_c_string(text, s)) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 0);
  if (errno != 0 || end != s.c_str() + s.size() || end == s.c_str()) return std::nullopt;
  return static_cast<std::int64_t>(v);
}

std::optional<std::uint64_t> keyval_uint64(std::string_view text) {
  std::string s;
  if (!whole_c_string(text, s)) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  // Like QEMU's qemu_strtou64, a leading '-' wraps ("-1" is 2^64-1); strtoull
  // reports ERANGE for a magnitude that does not fit.
  unsigned long long v = std::strtoull(s.c_str(), &end, 0);
  if (errno != 0 || end != s.c_str() + s.size() || end == s.c_str()) return std::nullopt;
  return static_cast<std::uint64_t>(v);
}

std::optional<bool> keyval_bool(std::string_view text) {
  if (text == "on" || text == "yes" || text == "true" || text == "y") return true;
  if (text == "off" || text == "no" || text == "false" || text == "n") return false;
  return std::nullopt;
}

std::optional<std::uint64_t> keyval_size(std::string_view text) {
  // QEMU's keyval visitor reads a size with qemu_strtosz, as QemuOpts does.
  std::string s;
  if (!whole_c_string(text, s)) return std::nullopt;
  auto size = qemu_strtosz(s);
  if (!size) return std::nullopt;
  return size->count;
}

// ---------------------------------------------------------------------------
// The walker.

namespace {

std::string join(std::string_view path, std::string_view name) {
  if (path.empty()) return std::string(name);
  return fmt::format("{}.{}", path, name);
}

std::string shown(std::string_view path) {
  return path.empty() ? std::string("<anonymous>") : std::string(path);
}

class Walker {
 public:
  Walker(const Schema& schema, InputMode mode, const Target& target)
      : schema_(schema), mode_(mode), target_(target) {}

  Json visit(std::string_view type_name, const Json& in, const std::string& path) {
    if (++depth_ > 64) {
      diags.error(fmt::format("Parameter '{}' is nested too deeply", shown(path)), path);
      --depth_;
      return nullptr;
    }
    Json out = visit_type(type_name, in, path);
    --depth_;
    return out;
  }

  Diagnostics diags;

 private:
  Json visit_type(std::string_view type_name, const Json& in, const std::string& path) {
    const TypeDef* t = schema_.find(type_name);
    if (!t) {
      diags.error(fmt::format("schema has no type '{}' (needed for '{}')", type_name, shown(path)),
                  path);
      return nullptr;
    }
    switch (t->meta) {
      case Meta::object:
        return visit_object(*t, in, path);
      case Meta::enumeration:
        return visit_enum(*t, in, path);
      case Meta::array:
        return visit_array(*t, in, path);
      case Meta::alternate:
        return visit_alternate(*t, in, path);
      case Meta::builtin:
        return visit_builtin(t->builtin, in, path);
      case Meta::command:
      case Meta::event:
        diags.error(fmt::format("'{}' is a command or event, not a type", t->name), path);
        return nullptr;
    }
    return nullptr;
  }

  void type_error(const std::string& path, std::string_view expected) {
    diags.error(fmt::format("Invalid parameter type for '{}', expected: {}", shown(path), expected),
                path);
  }

  // In keyval mode a scalar written with sub-keys (`id.x=1`) is refused this way.
  bool refuse_container_for_scalar(const Json& in, const std::string& path,
                                   std::string_view expected) {
    if (!in.is_object() && !in.is_array()) return false;
    if (mode_ == InputMode::keyval)
      diags.error(fmt::format("Parameters '{}.*' are unexpected", shown(path)), path,
                  fmt::format("'{}' takes a single value", shown(path)));
    else
      type_error(path, expected);
    return true;
  }

  // --- objects -------------------------------------------------------------

  Json visit_object(const TypeDef& t, const Json& in, const std::string& path) {
    if (!in.is_object()) {
      type_error(path, "object");
      return nullptr;
    }
    Json out = Json::object();
    std::set<std::string, std::less<>> consumed;
    std::vector<const Member*> members = schema_.members_of(t);
    bool branch_known = true;
    visit_members(members, in, path, out, consumed);

    // A union's branch may itself be a union (MigrationAddress -> SocketAddress
    // -> InetSocketAddress): follow discriminators down to the last branch.
    for (const TypeDef* u = &t; !u->discriminator.empty();) {
      const Json* tag = out.contains(u->discriminator) ? &out[u->discriminator] : nullptr;
      if (!tag || !tag->is_string()) {
        branch_known = false;  // missing or invalid tag: already reported
        break;
      }
      const TypeDef* branch = schema_.variant_type(*u, tag->get<std::string>());
      if (!branch) break;
      auto more = schema_.members_of(*branch);
      visit_members(more, in, path, out, consumed);
      members.insert(members.end(), more.begin(), more.end());
      u = branch;
    }
    if (branch_known) report_leftovers(t, members, in, path, consumed);
    return out;
  }

  void visit_members(const std::vector<const Member*>& members, const Json& in,
                     const std::string& path, Json& out,
                     std::set<std::string, std::less<>>& consumed) {
    for (const Member* m : members) {
      std::string p = join(path, m->name);
      auto it = in.find(m->name);
      bool available = !schema_.versioned || target_.has(m->avail);
      if (it == in.end()) {
        if (!m->optional && available) missing(*m, p);
        continue;
      }
      consumed.insert(m->name);
      if (!available) {
        diags.error(fmt::format("Parameter '{}' is unexpected", p), p,
                    availability_hint(p, m->name, m->avail, target_));
        continue;
      }
      if (schema_.versioned && m->avail.is_proposed()) diags.warn(proposed_warning(p, m->name), p);
      for (const std::string& f : m->features)
        if (f == "deprecated") diags.warn(fmt::format("{} is deprecated", p), p);
      Json v = visit(m->type, *it, p);
      if (!v.is_null() || it->is_null()) out[m->name] = std::move(v);
    }
  }

  void missing(const Member& m, const std::string& p) {
    std::string hint;
    if (const TypeDef* t = schema_.find(m.type); t && t->meta == Meta::enumeration)
      hint = fmt::format("one of: {}", available_values(*t));
    diags.error(fmt::format("Parameter '{}' is missing", p), p, hint);
  }

  void report_leftovers(const TypeDef& t, const std::vector<const Member*>& members, const Json& in,
                        const std::string& path,
                        const std::set<std::string, std::less<>>& consumed) {
    for (auto it = in.begin(); it != in.end(); ++it) {
      if (consumed.count(it.key())) continue;
      std::string p = join(path, it.key());
      diags.error(fmt::format("Parameter '{}' is unexpected", p), p,
                  leftover_hint(t, members, it.key(), path));
    }
  }

  // Why a key is not accepted here: it belongs to a nested object (the
  // missing `addr.` prefix), it is a near miss of a member, or it exists only
  // in other releases.
  std::string leftover_hint(const TypeDef& t, const std::vector<const Member*>& members,
                            const std::string& key, const std::string& path) {
    for (const Member* m : members) {
      const TypeDef* inner = schema_.find(m->type);
      if (!inner || inner->meta != Meta::object) continue;
      if (const Member* nested = find_member_anywhere(*inner, key)) {
        std::string where = join(path, m->name);
        std::string hint = fmt::format("'{}' belongs to '{}': write {}.{}", key, where, where, key);
        if (schema_.versioned && !target_.has(nested->avail))
          hint += "; " + availability_hint(key, nested->name, nested->avail, target_);
        return hint;
      }
    }
    std::vector<std::string> names;
    for (const Member* m : members)
      if (!schema_.versioned || target_.has(m->avail)) names.push_back(m->name);
    if (auto near = nearest_name(key, names))
      return fmt::format("did you mean '{}'?", join(path, *near));
    (void)t;
    return {};
  }

  // A member of an object or of any of its union branches.
  const Member* find_member_anywhere(const TypeDef& t, std::string_view key) {
    if (const Member* m = schema_.member(t, key)) return m;
    for (const Variant& v : t.variants)
      if (const TypeDef* b = schema_.find(v.type); b && b->meta == Meta::object)
        if (const Member* m = schema_.member(*b, key)) return m;
    return nullptr;
  }

  // --- enums ---------------------------------------------------------------

  std::string available_values(const TypeDef& t) {
    std::string list;
    for (const EnumValue& v : t.values) {
      if (schema_.versioned && !target_.has(v.avail)) continue;
      if (!list.empty()) list += ", ";
      list += v.name;
    }
    return list;
  }

  Json visit_enum(const TypeDef& t, const Json& in, const std::string& path) {
    if (refuse_container_for_scalar(in, path, "string")) return nullptr;
    if (!in.is_string()) {
      type_error(path, "string");
      return nullptr;
    }
    const std::string& value = in.get_ref<const std::string&>();
    const EnumValue* v = schema_.enum_value(t, value);
    std::string message =
        fmt::format("Parameter '{}' does not accept value '{}'", shown(path), value);
    if (!v) {
      std::vector<std::string> names;
      for (const EnumValue& e : t.values)
        if (!schema_.versioned || target_.has(e.avail)) names.push_back(e.name);
      diags.error(message, path,
                  did_you_mean(value, names, fmt::format("one of: {}", available_values(t))));
      return nullptr;
    }
    if (schema_.versioned && !target_.has(v->avail)) {
      diags.error(
          message, path,
          availability_hint(fmt::format("{}={}", shown(path), value), "", v->avail, target_));
      return nullptr;
    }
    if (schema_.versioned && v->avail.is_proposed())
      diags.warn(proposed_warning(fmt::format("{}={}", shown(path), value), ""), path);
    return in;
  }

  // --- arrays and alternates -------------------------------------------------

  Json visit_array(const TypeDef& t, const Json& in, const std::string& path) {
    if (!in.is_array()) {
      type_error(path, "array");
      return nullptr;
    }
    Json out = Json::array();
    for (std::size_t i = 0; i < in.size(); ++i) {
      std::string p = mode_ == InputMode::keyval ? fmt::format("{}.{}", shown(path), i)
                                                 : fmt::format("{}[{}]", shown(path), i);
      out.push_back(visit(t.element_type, in[i], p));
    }
    return out;
  }

  Json visit_alternate(const TypeDef& t, const Json& in, const std::string& path) {
    for (const std::string& alt : t.alternatives) {
      const TypeDef* a = schema_.find(alt);
      if (!a) continue;
      if (alternative_fits(*a, in)) return visit(alt, in, path);
    }
    type_error(path, t.name);
    return nullptr;
  }

  bool alternative_fits(const TypeDef& a, const Json& in) const {
    switch (a.meta) {
      case Meta::object:
        return in.is_object();
      case Meta::array:
        return in.is_array();
      case Meta::enumeration:
        return in.is_string() && mode_ == InputMode::json;
      case Meta::builtin:
        // In keyval mode every scalar is a string, so only a string branch fits.
        if (mode_ == InputMode::keyval) return in.is_string() && a.builtin == "str";
        if (a.builtin == "str") return in.is_string();
        if (a.builtin == "bool") return in.is_boolean();
        if (a.builtin == "null") return in.is_null();
        if (a.builtin == "number") return in.is_number();
        if (is_integer_builtin(a.builtin)) return in.is_number_integer();
        return a.builtin == "any";
      default:
        return false;
    }
  }

  // --- scalars ---------------------------------------------------------------

  Json visit_builtin(const std::string& builtin, const Json& in, const std::string& path) {
    if (builtin == "any") return in;
    if (builtin == "null") {
      if (!in.is_null()) type_error(path, "null");
      return nullptr;
    }
    if (refuse_container_for_scalar(in, path,
                                    builtin == "bool"                        ? "boolean"
                                    : builtin == "str" || builtin == "QType" ? "string"
                                                                             : "integer"))
      return nullptr;
    if (builtin == "str" || builtin == "QType") {
      if (!in.is_string()) type_error(path, "string");
      return in.is_string() ? in : Json(nullptr);
    }
    if (builtin == "bool") return visit_bool(in, path);
    if (builtin == "number") return visit_number(in, path);
    IntegerRange range;
    if (builtin == "size") return visit_size(in, path);
    if (is_integer_builtin(builtin, &range)) return visit_integer(builtin, range, in, path);
    diags.error(fmt::format("schema uses unknown builtin '{}' for '{}'", builtin, shown(path)),
                path);
    return nullptr;
  }

  Json visit_bool(const Json& in, const std::string& path) {
    if (mode_ == InputMode::json) {
      if (!in.is_boolean()) type_error(path, "boolean");
      return in.is_boolean() ? in : Json(nullptr);
    }
    if (auto b = keyval_bool(in.get_ref<const std::string&>())) return *b;
    diags.error(fmt::format("Parameter '{}' expects 'on' or 'off'", shown(path)), path,
                "booleans are on/off (also yes/no, true/false, y/n)");
    return nullptr;
  }

  Json visit_number(const Json& in, const std::string& path) {
    if (mode_ == InputMode::json) {
      if (!in.is_number()) type_error(path, "number");
      return in.is_number() ? in : Json(nullptr);
    }
    std::string s = in.get<std::string>();
    char* end = nullptr;
    double d = std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size()) {
      diags.error(fmt::format("Parameter '{}' expects number", shown(path)), path);
      return nullptr;
    }
    return d;
  }

  Json visit_size(const Json& in, const std::string& path) {
    if (mode_ == InputMode::json) {
      if (!in.is_number_integer()) {
        type_error(path, "integer");
        return nullptr;
      }
      if (in.is_number_unsigned() || in.get<std::int64_t>() >= 0) return in;
      diags.error(fmt::format("Parameter '{}' expects uint64", shown(path)), path);
      return nullptr;
    }
    if (auto v = keyval_size(in.get_ref<const std::string&>())) return *v;
    diags.error(fmt::format("Parameter '{}' expects size", shown(path)), path,
                "a byte count, optionally with a suffix: 64k, 1.5M, 2G");
    return nullptr;
  }

  Json visit_integer(const std::string& builtin, const IntegerRange& range, const Json& in,
                     const std::string& path) {
    long double value = 0;
    Json out;
    if (mode_ == InputMode::json) {
      if (!in.is_number_integer()) {
        type_error(path, "integer");
        return nullptr;
      }
      if (!range.is_signed && !in.is_number_unsigned() && in.get<std::int64_t>() < 0) {
        diags.error(fmt::format("Parameter '{}' expects {}", shown(path), "uint64"), path);
        return nullptr;
      }
      if (in.is_number_unsigned())
        value = static_cast<long double>(in.get<std::uint64_t>());
      else
        value = static_cast<long double>(in.get<std::int64_t>());
      out = in;
    } else {
      const std::string& s = in.get_ref<const std::string&>();
      if (range.is_signed) {
        auto v = keyval_int64(s);
        if (!v) return integer_error(path, s);
        value = static_cast<long double>(*v);
        out = *v;
      } else {
        auto v = keyval_uint64(s);
        if (!v) return integer_error(path, s);
        value = static_cast<long double>(*v);
        out = *v;
      }
    }
    if (value < range.min || value > range.max) {
      diags.error(fmt::format("Parameter '{}' expects {}", shown(path), builtin), path,
                  fmt::format("{} ranges from {:.0f} to {:.0f}", builtin, range.min, range.max));
      return nullptr;
    }
    return out;
  }

  Json integer_error(const std::string& path, const std::string& text) {
    std::string hint;
    if (text.size() > 1 && text[0] == '0' && text.find_first_of("89") != std::string::npos &&
        text.find_first_of("xX") == std::string::npos)
      hint = "a leading 0 means octal; drop it for decimal";
    diags.error(fmt::format("Parameter '{}' expects integer", shown(path)), path, hint);
    return nullptr;
  }

  const Schema& schema_;
  InputMode mode_;
  const Target& target_;
  int depth_ = 0;
};

}  // namespace

Validated validate(const Schema& schema, const Json& input, std::string_view type_name,
                   InputMode mode, const Target& target, std::string_view path) {
  Walker walker(schema, mode, target);
  Json value = walker.visit(type_name, input, std::string(path));
  Validated result{std::move(value), std::move(walker.diags)};
  if (!result.diags.ok()) result.value = nullptr;
  return result;
}

}  // namespace qsock::schema
