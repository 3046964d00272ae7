// A reader for the QAPI schema language, the dialect QEMU writes its QMP
// schema in and qsock writes its embedded schema in (schema/qapi/*.json).
//
// The language is JSON with single-quoted strings and '#' comments. A file is
// a sequence of expressions, each a dictionary whose first key names its kind:
// struct, union, enum, alternate, command, event, include, pragma. A doc block
// (lines between two '##' lines) before a definition documents it; qsock reads
// availability from it:
//
//   Since: X.Y               the definition exists since release X.Y
//   @member: ... (since X.Y) that member or enum value arrived later
//   (proposed)               in no released QEMU yet (qsock's own note)
//   (removed in X.Y)         gone from release X.Y on; keeps its since
//
// A member or value without a note of its own has its definition's
// availability. The notes are taken out of the doc text that is kept.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "schema/model.h"

namespace qsock::schema {

struct QapiError {
  std::string file;
  int line = 0;  // 1-based; 0 when the error concerns the whole schema
  int column = 0;
  std::string message;

  // "sockets.json:12:5: expected ':' after a key"
  std::string str() const;
};

// Returns the text of another file of the same set, for `include`; nullopt
// when the set has no file of that name.
using QapiIncludeLookup = std::function<std::optional<std::string_view>(std::string_view name)>;

// Reads one file into `into`. Definitions are added as they are read, so on an
// error `into` holds those before it. An `include` is read through `lookup`
// (each file once); without a lookup an include is an error.
tl::expected<void, QapiError> read_qapi(std::string_view file_name, std::string_view text,
                                        Schema& into, const QapiIncludeLookup& lookup = {});

struct QapiFile {
  std::string name;  // "sockets.json"; includes name files by this
  std::string text;
};

// Reads a set of files in order (an included file is read where it is first
// included, and once), then checks that every type named anywhere is defined
// and that every union's discriminator and branches match its enum.
tl::expected<Schema, QapiError> read_qapi_files(const std::vector<QapiFile>& files,
                                                std::string origin);

// The checks read_qapi_files makes after reading, for a schema built by hand.
tl::expected<void, QapiError> check_schema_references(const Schema& schema);

}  // namespace qsock::schema
