// Lookups a schema test makes, failing the test when the type or member is
// missing (so a CHECK on the result never reads a null pointer).
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

#include "schema/model.h"

namespace qsock::schema::testing {

// The names of a type's members, base members first.
inline std::vector<std::string> member_names(const Schema& schema, std::string_view type) {
  std::vector<std::string> out;
  const TypeDef* def = schema.find(type);
  REQUIRE_MESSAGE(def != nullptr, "no type ", type);
  for (const Member* m : schema.members_of(*def)) out.push_back(m->name);
  return out;
}

inline const Member& member(const Schema& schema, std::string_view type, std::string_view name) {
  const TypeDef* def = schema.find(type);
  REQUIRE_MESSAGE(def != nullptr, "no type ", type);
  const Member* m = schema.member(*def, name);
  REQUIRE_MESSAGE(m != nullptr, type, " has no member ", name);
  return *m;
}

}  // namespace qsock::schema::testing
