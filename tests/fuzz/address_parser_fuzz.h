// The one body of the address-parser fuzz targets: the input's first byte
// picks the release (its low bit: the oldest supported or the newest known),
// the rest is the text. Checks what every parser promises: a parse with
// errors has no value, and what qsock prints of any value (QEMU takes
// non-UTF-8 host names and paths) is valid JSON, never an exception.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "base/json.h"
#include "schema/loader.h"
#include "uri/parsed.h"

namespace qsock::fuzz {

// `parse(text, target, schema)` returns a uri::Parsed; `extra(parsed)` may
// abort on a parser's own promises.
template <typename Parse, typename Extra>
int fuzz_address_parser(const std::uint8_t* data, std::size_t size, Parse parse, Extra extra) {
  if (size == 0) return 0;
  const schema::Target target = (data[0] & 1)
                                    ? schema::Target::release(schema::oldest_supported_qemu)
                                    : schema::Target::newest();
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  uri::Parsed p = parse(text, target, schema::embedded_schema());
  if (!p.diags.ok() && !p.value.is_null()) std::abort();
  extra(p);
  if (!Json::accept(dump_json(p.value))) std::abort();
  return 0;
}

template <typename Parse>
int fuzz_address_parser(const std::uint8_t* data, std::size_t size, Parse parse) {
  return fuzz_address_parser(data, size, parse, [](const uri::Parsed&) {});
}

}  // namespace qsock::fuzz
