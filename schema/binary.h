// A compact binary form of a Schema. qsock's build reads schema/qapi/*.json
// with the QAPI reader once and compiles the result into the binary in this
// form (schema/gen/preparse_schema.cpp), so that starting qsock decodes a few
// kilobytes instead of parsing the QAPI text: `qsock check` is run once per
// address by scripts, and parsing the schema was most of its time.
//
// The form is private to one build (written and read by the same code), so
// it has no compatibility promise; it carries a format tag all the same, and
// decoding checks every length against the data it has.
#pragma once

#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "schema/model.h"

namespace qsock::schema {

// Every definition (not the synthesized builtins and arrays), origin and versioned.
std::string encode_schema(const Schema& schema);

// The error names what is wrong and where ("truncated at byte 812").
tl::expected<Schema, std::string> decode_schema(std::string_view bytes);

// Reads only the index: each definition is decoded when first looked up, from
// `bytes`, which must outlive the schema (the embedded encoding does). Damage
// in a definition's body shows then, as std::logic_error; decode_schema()
// checks all of it.
tl::expected<Schema, std::string> decode_schema_in_place(std::string_view bytes);

}  // namespace qsock::schema
