// Loading a live QEMU's query-qmp-schema into the schema model of uri/.
//
// Introspection names commands and events truly but masks type names (they
// come back as "123"). The masked types that qsock needs by name are found by
// walking from commands whose shape is known: `migrate` argument `channels`,
// element, member `addr`, branch `socket`, branch `inet` is
// InetSocketAddress. Those walks are data (a table of routes in
// introspect.cpp); a type no route reaches keeps its masked name.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "base/json.h"
#include "schema/model.h"

namespace qsock::qmp {

// Where a route starts: a command's arguments, a command's return value, or
// an event's data.
enum class RouteRoot { arguments, returns };

// One row of the name table: following `path` from the root of `entity`
// reaches the type called `name` in QAPI. A path is '/'-separated steps; a
// step is an object member (its type, list element types unwrapped) or, when
// no member has that name, a union branch. An empty path is the root itself.
struct NameRoute {
  std::string_view entity;  // a command or event name
  RouteRoot root;
  std::string_view path;
  std::string_view name;
};

// The routes schema_from_introspection uses, in priority order: when two
// routes name one masked type, or two masked types claim one name, the
// earlier route wins.
const std::vector<NameRoute>& name_routes();

// Builds a schema from the `return` value of query-qmp-schema (a list of
// SchemaInfo). Unknown meta-types and members are skipped (a newer QEMU may
// add them); a value that is not SchemaInfo-shaped is an error naming the
// entry. `origin` is kept for messages, e.g. "QEMU 7.2.22".
//
// The result has versioned = false. Lists are named "[T]". Object members
// are optional exactly when introspection gives them a "default". Unions keep
// all their members (base included) in `members`, with the tag as
// `discriminator`. Whether a command is boxed is not in introspection, so
// `boxed` stays false; the arg type is the command's argument object either way.
tl::expected<schema::Schema, std::string> schema_from_introspection(
    const Json& query_qmp_schema_return, std::string origin);

// Introspection reports every integer type as "int", so a byte count the
// QAPI files declare as "size" (MigrateSetParameters' max-bandwidth) loses
// its suffixes (8M). This gives them back: a member of a type that `live`
// names truly (see name_routes) whose live type is an integer builtin and
// whose type in `embedded` (schema::embedded_schema()) is "size" becomes
// "size". Returns how many members changed.
std::size_t adopt_embedded_sizes(schema::Schema& live, const schema::Schema& embedded);

}  // namespace qsock::qmp
