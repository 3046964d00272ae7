// Fuzzes parse_migration_uri (migrate, migrate-incoming, -incoming URIs) for
// the oldest supported and the newest known release: the first byte picks.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "base/json.h"
#include "uri/migration_uri.h"
#include "schema/loader.h"

using namespace qsock::uri;
using namespace qsock::schema;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const Target target = (data[0] & 1) ? Target::release(oldest_supported_qemu) : Target::newest();
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  Parsed p = parse_migration_uri(text, target, embedded_schema());
  if (!p.diags.ok() && !p.value.is_null()) std::abort();
  // What qsock prints: any bytes (QEMU takes non-UTF-8 host names and paths)
  // come out as valid JSON, invalid UTF-8 replaced, never an exception.
  if (!qsock::Json::accept(qsock::dump_json(p.value))) std::abort();
  return 0;
}
