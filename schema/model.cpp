#include "schema/model.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>

namespace qsock::schema {

namespace {

constexpr std::array<std::string_view, 16> builtin_names = {
    "str",    "number", "int",    "int8", "int16", "int32", "int64", "uint8",
    "uint16", "uint32", "uint64", "size", "bool",  "null",  "any",   "QType"};

bool is_builtin(std::string_view name) {
  return std::find(builtin_names.begin(), builtin_names.end(), name) != builtin_names.end();
}

}  // namespace

bool is_integer_builtin(std::string_view name, IntegerRange* range) {
  struct Row {
    std::string_view name;
    IntegerRange range;
  };
  static const Row rows[] = {
      {"int", {true, (long double)INT64_MIN, (long double)INT64_MAX}},
      {"int8", {true, INT8_MIN, INT8_MAX}},
      {"int16", {true, INT16_MIN, INT16_MAX}},
      {"int32", {true, INT32_MIN, INT32_MAX}},
      {"int64", {true, (long double)INT64_MIN, (long double)INT64_MAX}},
      {"uint8", {false, 0, UINT8_MAX}},
      {"uint16", {false, 0, UINT16_MAX}},
      {"uint32", {false, 0, UINT32_MAX}},
      {"uint64", {false, 0, (long double)UINT64_MAX}},
      {"size", {false, 0, (long double)UINT64_MAX}},
  };
  for (const Row& row : rows) {
    if (row.name == name) {
      if (range) *range = row.range;
      return true;
    }
  }
  return false;
}

void Schema::add(TypeDef def) {
  if (auto it = encoded_.find(def.name); it != encoded_.end()) encoded_.erase(it);
  std::string name = def.name;
  types_.insert_or_assign(std::move(name), std::move(def));
}

void Schema::add_encoded(std::string_view name, std::string_view body, Decode decode) {
  if (auto it = types_.find(name); it != types_.end()) types_.erase(it);
  encoded_.insert_or_assign(name, Encoded{body, decode});
}

const TypeDef* Schema::find(std::string_view name) const {
  if (auto it = types_.find(name); it != types_.end()) return &it->second;
  if (auto it = encoded_.find(name); it != encoded_.end()) {
    TypeDef def = it->second.decode(name, it->second.body);
    encoded_.erase(it);
    return &types_.insert_or_assign(def.name, std::move(def)).first->second;
  }
  if (auto it = synthesized_.find(name); it != synthesized_.end()) return &it->second;
  TypeDef def;
  def.name = std::string(name);
  if (name.size() > 2 && name.front() == '[' && name.back() == ']') {
    def.meta = Meta::array;
    def.element_type = std::string(name.substr(1, name.size() - 2));
  } else if (is_builtin(name)) {
    def.meta = Meta::builtin;
    def.builtin = std::string(name);
  } else {
    return nullptr;
  }
  return &synthesized_.emplace(def.name, def).first->second;
}

std::vector<const Member*> Schema::members_of(const TypeDef& object) const {
  std::vector<const Member*> out;
  if (object.meta != Meta::object) return out;
  // Guard against a base cycle in a malformed schema.
  std::vector<const TypeDef*> chain;
  for (const TypeDef* t = &object; t && chain.size() < 32;) {
    chain.push_back(t);
    t = t->base.empty() ? nullptr : find(t->base);
  }
  for (auto it = chain.rbegin(); it != chain.rend(); ++it)
    for (const Member& m : (*it)->members) out.push_back(&m);
  return out;
}

const Member* Schema::member(const TypeDef& object, std::string_view name) const {
  for (const Member* m : members_of(object))
    if (m->name == name) return m;
  return nullptr;
}

const TypeDef* Schema::variant_type(const TypeDef& object, std::string_view value) const {
  for (const Variant& v : object.variants)
    if (v.value == value) return find(v.type);
  return nullptr;
}

const EnumValue* Schema::enum_value(const TypeDef& enumeration, std::string_view value) const {
  for (const EnumValue& v : enumeration.values)
    if (v.name == value) return &v;
  return nullptr;
}

std::vector<std::string> Schema::names() const {
  std::vector<std::string> out;
  out.reserve(types_.size() + encoded_.size());
  for (const auto& [name, def] : types_) out.push_back(name);
  for (const auto& [name, encoded] : encoded_) out.emplace_back(name);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace qsock::schema
