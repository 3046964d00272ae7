// Fuzzes parse_chardev (-chardev socket,..., QemuOpts) for the oldest
// supported and the newest known release (address_parser_fuzz.h).
#include "address_parser_fuzz.h"
#include "uri/chardev_opts.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return qsock::fuzz::fuzz_address_parser(data, size, qsock::uri::parse_chardev);
}
