// Fuzzes schema_from_introspection on whatever JSON the input parses to (a
// live QEMU's query-qmp-schema return value, or anything a peer sends in its
// place). Input that is not JSON is skipped: MessageReader is fuzzed apart.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "qmp/introspect.h"
#include "schema/qapi_reader.h"

using namespace qsock;
using namespace qsock::qmp;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Json value = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return 0;
  auto schema = schema_from_introspection(value, "fuzz");
  if (schema) (void)schema::check_schema_references(*schema);
  return 0;
}
