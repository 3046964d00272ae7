// Fuzzes read_qapi, the reader of the QAPI schema language, on one file that
// may include itself or a second, fixed file; then checks the references of
// what it read. An error must name a line inside the input.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "schema/qapi_reader.h"

using namespace qsock::schema;

namespace {
constexpr std::string_view other_file =
    "{ 'enum': 'E', 'data': [ 'a', 'b' ] }\n"
    "{ 'struct': 'S', 'data': { 'x': 'str', '*y': 'int' } }\n";
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Schema schema;
  auto lookup = [&](std::string_view name) -> std::optional<std::string_view> {
    if (name == "fuzz.json") return text;
    if (name == "other.json") return other_file;
    return std::nullopt;
  };
  auto r = read_qapi("fuzz.json", text, schema, lookup);
  if (!r) {
    (void)r.error().str();
    return 0;
  }
  (void)check_schema_references(schema);
  return 0;
}
