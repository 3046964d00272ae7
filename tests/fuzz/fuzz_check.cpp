// Fuzzes the whole check pipeline (detection, every parser, the validator,
// the semantic rules) through check_input: the first byte picks the kind
// (or detection) and the target release, the rest is the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "base/json.h"
#include "schema/loader.h"
#include "uri/check.h"

using namespace qsock::uri;
using namespace qsock::schema;

namespace {
constexpr InputKind kinds[] = {InputKind::uri,      InputKind::migrate_uri, InputKind::netdev,
                               InputKind::incoming, InputKind::chardev,     InputKind::json};
constexpr QemuVersion versions[] = {oldest_supported_qemu, {8, 2}, {10, 0}, newest_known_qemu};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const unsigned pick = data[0];
  std::optional<InputKind> kind;
  if (pick % 7 < 6) kind = kinds[pick % 7];
  const unsigned v = (pick / 7) % 5;
  const Target target = v == 4 ? Target::newest() : Target::release(versions[v]);
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);

  CheckResult r = check_input(text, kind, target, embedded_schema());
  // A checked, valid input has a value; an input qsock does not check
  // (-netdev user, -chardev pty) has none and is not invalid either.
  if (r.checked() && r.valid() && r.value.is_null()) std::abort();
  if (!r.checked() && !r.value.is_null()) std::abort();
  // What qsock prints: any bytes (QEMU takes non-UTF-8 host names and paths)
  // come out as valid JSON, invalid UTF-8 replaced, never an exception.
  if (!qsock::Json::accept(qsock::dump_json(r.to_json()))) std::abort();
  if (r.valid()) (void)endpoint_of(r);
  return 0;
}
