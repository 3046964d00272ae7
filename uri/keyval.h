// QEMU's keyval syntax (KEY=VALUE,... with dotted keys and list indices), as
// the modern front ends take it: -netdev stream, -incoming <channel>,
// -object, -blockdev. Also the JSON form those options accept instead
// (an argument starting with '{').
//
// The parser follows QEMU's util/keyval.c rule for rule and reports QEMU's
// own messages, so `qsock check` says what QEMU would say. The tree it
// returns has strings at the leaves (keyval has no other scalar syntax) and
// arrays where keys used list indices; the validator converts leaves to the
// types the schema asks for.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "base/diagnostics.h"
#include "base/json.h"

namespace qsock::uri {

// Whether a bare `help` or `?` item asks for help (QEMU allows it on options
// that can list their choices) or is an error.
enum class KeyvalHelp { refused, allowed };

struct KeyvalResult {
  Json tree = Json::object();  // strings at the leaves, arrays for list indices
  bool help = false;           // a bare `help` or `?` item was given
};

// The longest key fragment keyval takes, in bytes (QEMU's buffer is 128).
inline constexpr std::size_t keyval_max_fragment = 127;

// Parses `text`. `implied_key` (may be dotted, or empty for none) names the
// value of a first item written without `key=`, as `stream` in
// `-netdev stream,...` (implied key `type`). The input is a byte string: a
// NUL byte is an ordinary character to the parser (QEMU never sees one, as
// argv cannot hold it), so it only ever ends up in a value or a bad key.
tl::expected<KeyvalResult, Diagnostic> parse_keyval(std::string_view text,
                                                    std::string_view implied_key = {},
                                                    KeyvalHelp help = KeyvalHelp::refused);

// The same tree from KEY=VALUE words, one item per word, as a shell passes
// them (`qsock qmp CMD addr.type=inet addr.port=4444`): a value may hold
// ',' and '=' as they are. Every word must have a '='; keys follow the rules
// of parse_keyval (dotted, list elements as KEY.0, KEY.1, ...). No words is
// an empty object.
tl::expected<Json, Diagnostic> parse_keyval_words(std::span<const std::string> words);

// Writes `tree` (an object) in keyval syntax, such that parse_keyval gives
// the tree back with every leaf as a string. Leaves: strings as they are,
// booleans as on/off, numbers in decimal. Commas in values are doubled. If
// `implied_key` is given and names a string leaf that can be written bare
// (not empty, no ',' or '=', not `help` or `?`), that value comes first
// without its key. Fails on what keyval cannot express: empty objects or
// arrays below the root, null, keys that are not valid key fragments.
tl::expected<std::string, Diagnostic> format_keyval(const Json& tree,
                                                    std::string_view implied_key = {});

// A scalar as the text syntaxes (keyval, QemuOpts, URI options) write it:
// strings as they are, booleans as on/off, numbers as JSON writes them.
// nullopt for null, objects and arrays.
std::optional<std::string> scalar_option_text(const Json& value);

// True if QEMU would read `argument` as JSON rather than keyval: it starts
// with '{'.
inline bool is_json_argument(std::string_view argument) {
  return !argument.empty() && argument.front() == '{';
}

// The deepest nesting of objects and arrays parse_json_argument accepts
// (QEMU's JSON parser has the same limit).
inline constexpr std::size_t json_max_nesting = 1024;

// Parses the JSON form of an option argument: one JSON object, nothing but
// whitespace around it. Strict JSON (RFC 8259) plus what QEMU's parser adds:
// strings may also be single-quoted ('...' with \' as an escape). Refuses
// duplicate keys, invalid UTF-8, raw control characters in strings, \u0000,
// lone surrogates, and nesting deeper than json_max_nesting. Errors give the
// line and column (1-based, in bytes) and, as the key, the path of the member
// being read (`addr.args[1]`).
tl::expected<Json, Diagnostic> parse_json_argument(std::string_view text);

}  // namespace qsock::uri
