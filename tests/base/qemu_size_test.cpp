#include <doctest/doctest.h>

#include <cstdint>
#include <optional>

#include "base/qemu_size.h"

using namespace qsock;

// qemu_strtosz() as 10.0.2 and 11.1.3 read sizes (each case asked of both,
// as -chardev ringbuf,size= and file:PATH,offset=).
TEST_CASE("qemu_strtosz: decimal first, fractions before a suffix, bare hex") {
  struct Case {
    const char* text;
    std::optional<std::uint64_t> bytes;  // nullopt: refused
    SizeError error = SizeError::invalid;
  };
  const Case cases[] = {
      {"010", 10},  // decimal, not octal
      {"08", 8},
      {"1.5k", 1536},  // a fraction before the suffix
      {"1.k", 1024},
      {"1.", 1},
      {".5k", 512},
      {"1.0", 1},  // a zero fraction needs no suffix
      {"1.0k", 1024},
      {"1.5e", 1729382256910270464ULL},  // e is exa, not an exponent
      {"1b", 1},
      {"+5", 5},
      {" 5", 5},
      {"0x20", 32},  // hex only bare
      {"0X10", 16},
      {"+0x10", 16},
      {"18446744073709551615", 18446744073709551615ULL},
      {"0x20M", std::nullopt},
      {"0x2.0", std::nullopt},
      {"0x", std::nullopt},
      {"0x1p", std::nullopt},
      {"00x10", std::nullopt},
      {"1.5", std::nullopt},  // fractional bytes
      {"0.5", std::nullopt},
      {"2.5B", std::nullopt},
      {"1.5kB", std::nullopt},
      {"1..5k", std::nullopt},
      {".", std::nullopt},
      {".k", std::nullopt},
      {"5 ", std::nullopt},
      {"", std::nullopt},
      {"-0", std::nullopt, SizeError::range},  // any sign is out of range
      {"16E", std::nullopt, SizeError::range},
      {"18446744073709551616", std::nullopt, SizeError::range},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    auto got = qemu_strtosz(c.text);
    if (c.bytes) {
      REQUIRE(got);
      CHECK(got->count == *c.bytes);
    } else {
      REQUIRE_FALSE(got);
      CHECK(got.error() == c.error);
    }
  }
}
