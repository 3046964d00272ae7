// Fuzzes parse_migration_uri (migrate, migrate-incoming, -incoming URIs) for
// the oldest supported and the newest known release (address_parser_fuzz.h).
#include "address_parser_fuzz.h"
#include "uri/migration_uri.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return qsock::fuzz::fuzz_address_parser(data, size, qsock::uri::parse_migration_uri);
}
