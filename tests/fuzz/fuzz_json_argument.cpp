// Fuzzes parse_json_argument and checks that what it accepts, written out as
// JSON, reads back the same.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "uri/keyval.h"

using namespace qsock::uri;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = parse_json_argument(text);
  if (!r) return 0;
  if (!r->is_object()) std::abort();
  std::string dumped = r->dump();  // throws (and so fails) on invalid UTF-8
  auto again = parse_json_argument(dumped);
  if (!again || *again != *r) {
    std::fprintf(stderr, "round trip changed the value: %s\n", dumped.c_str());
    std::abort();
  }
  return 0;
}
