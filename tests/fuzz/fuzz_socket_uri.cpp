// Fuzzes parse_socket_address (QEMU's socket_parse) for the oldest supported
// release and the newest known one (address_parser_fuzz.h); a parse that
// succeeds gives an object.
#include <cstdlib>

#include "address_parser_fuzz.h"
#include "uri/socket_uri.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return qsock::fuzz::fuzz_address_parser(
      data, size, qsock::uri::parse_socket_address, [](const qsock::uri::Parsed& p) {
        if (p.diags.ok() && !p.value.is_null() && !p.value.is_object()) std::abort();
      });
}
