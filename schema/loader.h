// Where a Schema comes from: the embedded QAPI files, or files the user
// names with --schema DIR (read by cli/, which does the I/O; this layer takes
// their contents).
#pragma once

#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "schema/model.h"
#include "schema/qapi_reader.h"

namespace qsock::schema {

// Reads a set of QAPI files; the error is a ready message ("file:line:col: ...").
tl::expected<Schema, std::string> load_schema_files(const std::vector<QapiFile>& files,
                                                    std::string origin);

// The schema compiled into qsock (schema/qapi/*.json), read afresh from its
// text by the QAPI reader.
tl::expected<Schema, std::string> load_embedded_schema();

// The embedded schema as the build pre-parsed it (schema/binary.h), decoded
// afresh. Tests prove it equal to load_embedded_schema().
tl::expected<Schema, std::string> load_preparsed_schema();

// The embedded schema, decoded from its pre-parsed form once on first use.
// The embedded files are tested to load; should they not, this throws
// std::logic_error.
const Schema& embedded_schema();

}  // namespace qsock::schema
