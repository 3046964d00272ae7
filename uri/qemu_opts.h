// QEMU's QemuOpts syntax (util/qemu-option.c) as -chardev and, since QEMU
// 10.1, inet_parse() read it: "value,name=value,flag,noflag,id=x".
//
// Splitting and typing are separate steps so callers can decide, option by
// option and in input order, which names exist (the schema, a QEMU release)
// exactly where QEMU would stop at the first bad one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "base/diagnostics.h"
#include "base/json.h"
#include "base/qemu_size.h"
#include "base/units.h"

namespace qsock::uri {

struct QemuOpt {
  std::string name;
  std::string value;        // ",," already unescaped
  bool implied = false;     // the unnamed first item (permit_abbrev)
  bool short_form = false;  // written as a bare "name" or "noname"
  bool negated = false;     // written as "noname"
};

struct QemuOptsList {
  std::optional<std::string> id;  // the first id=, as QEMU takes it
  std::vector<QemuOpt> opts;      // input order; id= items are not here

  // The occurrence QEMU uses: the last one.
  const QemuOpt* find(std::string_view name) const;
  bool has(std::string_view name) const { return find(name) != nullptr; }
};

enum class QemuOptType { string, boolean, number, size };

// Splits `text` into options. With a non-empty `implied_name`, a first item
// without "=" is the value of that option. Fails only on a malformed id=
// (QEMU's "Parameter 'id' expects an identifier").
tl::expected<QemuOptsList, Diagnostic> parse_qemu_opts(std::string_view text,
                                                       std::string_view implied_name);

// QEMU's identifier rule for id=: a letter, then letters, digits, '-', '.', '_'.
bool is_qemu_identifier(std::string_view id);

// Typed values with QEMU's messages. `name` is the option name for the message.
tl::expected<bool, Diagnostic> qemu_opt_bool(std::string_view name, std::string_view value);
tl::expected<std::uint64_t, Diagnostic> qemu_opt_number(std::string_view name,
                                                        std::string_view value);
// A size with QEMU's messages (base/qemu_size.h reads it).
tl::expected<Bytes, Diagnostic> qemu_opt_size(std::string_view name, std::string_view value);

// The value as JSON of the option's type: string, true/false, or an unsigned number.
tl::expected<Json, Diagnostic> qemu_opt_typed(std::string_view name, std::string_view value,
                                              QemuOptType type);

}  // namespace qsock::uri
