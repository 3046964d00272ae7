// The QAPI schema model: one model whether it was read from the embedded
// QAPI files, from files given with --schema DIR, or from a live QEMU's
// query-qmp-schema. The validator walks this model; nothing else knows
// member names.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "schema/versions.h"

namespace qsock::schema {

enum class Meta { builtin, enumeration, array, object, alternate, command, event };

struct EnumValue {
  std::string name;
  Availability avail;
  std::vector<std::string> features;  // "deprecated", "unstable", ...
  std::string doc;

  bool operator==(const EnumValue&) const = default;
};

struct Member {
  std::string name;
  std::string type;  // a type name; "[T]" is a list of T
  bool optional = false;
  Availability avail;
  std::vector<std::string> features;
  std::string condition;  // the QAPI 'if', e.g. "HAVE_TCP_KEEPCNT"; "" when unconditional
  std::string doc;

  bool operator==(const Member&) const = default;
};

// One branch of a union: the discriminator value and the branch's type.
struct Variant {
  std::string value;
  std::string type;

  bool operator==(const Variant&) const = default;
};

struct TypeDef {
  std::string name;
  Meta meta = Meta::object;
  Availability avail;
  std::vector<std::string> features;
  std::string condition;
  std::string doc;
  std::string file;  // schema file that defined it; "" for a live schema

  // builtin: the QAPI builtin name ("str", "int", "uint16", "bool", "size",
  // "number", "any", "null"). A live schema reports every integer as "int".
  std::string builtin;

  // enumeration
  std::vector<EnumValue> values;

  // object (struct or union). Members of a named base come first; an inline
  // base's members are stored in `members` directly.
  std::string base;
  std::vector<Member> members;
  std::string discriminator;  // a member name, for a union
  std::vector<Variant> variants;

  // array
  std::string element_type;

  // alternate: the types it may be
  std::vector<std::string> alternatives;

  // command / event: an object type ("" when none), the return type
  std::string arg_type;
  std::string ret_type;
  bool boxed = false;
  bool allow_oob = false;

  bool operator==(const TypeDef&) const = default;
};

class Schema {
 public:
  // Adds a definition, replacing one of the same name.
  void add(TypeDef def);

  // A definition kept encoded until find() first asks for it: decode(body)
  // makes it then. `body` must outlive the schema. The pre-parsed embedded
  // schema is read this way, since a check needs a few dozen of its
  // definitions and decoding them all was half of qsock check's start-up.
  using Decode = TypeDef (*)(std::string_view name, std::string_view body);
  void add_encoded(std::string_view name, std::string_view body, Decode decode);

  // Finds a definition by name. "[T]" is answered with a synthesized array
  // type of T. Builtins are always present.
  const TypeDef* find(std::string_view name) const;

  // The members of an object, base members first. Empty for non-objects.
  std::vector<const Member*> members_of(const TypeDef& object) const;
  const Member* member(const TypeDef& object, std::string_view name) const;
  // The branch type of a union for a discriminator value, or nullptr.
  const TypeDef* variant_type(const TypeDef& object, std::string_view value) const;

  const EnumValue* enum_value(const TypeDef& enumeration, std::string_view value) const;

  // All user-defined names (no builtins), sorted.
  std::vector<std::string> names() const;

  // Where it came from ("embedded", "directory X", "QEMU 7.2.22"), for messages.
  std::string origin;
  // True when availability notes are meaningful (embedded or file schema);
  // false for a live schema, where whatever is present is simply available.
  bool versioned = true;

 private:
  struct Encoded {
    std::string_view body;
    Decode decode;
  };
  // Decoded ones move from encoded_ to types_ (so both are mutable: find()
  // is const). Node-based maps keep every returned pointer valid.
  mutable std::map<std::string, TypeDef, std::less<>> types_;
  mutable std::map<std::string_view, Encoded, std::less<>> encoded_;
  mutable std::map<std::string, TypeDef, std::less<>> synthesized_;
};

// Whether a builtin name is an integer type, and its range.
struct IntegerRange {
  bool is_signed = true;
  long double min = 0;  // long double holds every int64 and uint64 bound exactly
  long double max = 0;
};
bool is_integer_builtin(std::string_view name, IntegerRange* range = nullptr);

}  // namespace qsock::schema
