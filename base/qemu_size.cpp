#include "base/qemu_size.h"

#include <charconv>
#include <cstdint>
#include <limits>
#include <string_view>

namespace qsock {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The multiplier of a size suffix (qemu_strtosz's suffix_mul), 0 for none:
// B, K, M, G, T, P, E in either case, powers of 1024.
std::uint64_t size_suffix(char c) {
  constexpr std::string_view suffixes = "BKMGTPE";
  auto at = suffixes.find(static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c));
  return at == std::string_view::npos ? 0 : std::uint64_t{1} << (10 * at);
}

}  // namespace

// How qemu_strtosz() has read a size since the 8.1 rewrite (observed on
// 10.0.2 and 11.1.3):
//   size     = space* ["+"] (decimal [fraction] [suffix] | "." digit+ [suffix]
//              | hex)
//   decimal  = digit+                  read in base 10 first: 010 is ten, 08 eight
//   fraction = "." digit*              1.5k, 1.k; a non-zero fraction needs a
//                                      suffix above B (1.0 is one, 1.5 invalid)
//   hex      = "0" ("x"|"X") hexdigit+ only bare: 0x20M and 0x2.0 are invalid
//   suffix   = one of bBkKmMgGtTpPeE   powers of 1024
// A '-' anywhere before the digits is "out of range" (even -0), as is a
// value of 2^64 or more; anything left over (trailing space too) is invalid.
// QEMU 7.2 differs at the edges: 0x20M is accepted with a deprecation
// warning, .5k is invalid and -0 is invalid rather than out of range.
tl::expected<Bytes, SizeError> qemu_strtosz(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && is_space(s[i])) ++i;
  if (i < s.size() && s[i] == '-') return tl::unexpected(SizeError::range);
  if (i < s.size() && s[i] == '+') ++i;
  const std::size_t digits = i;
  std::uint64_t value = 0;
  bool overflow = false;
  while (i < s.size() && is_digit(s[i])) {
    auto d = static_cast<std::uint64_t>(s[i] - '0');
    if (value > (std::numeric_limits<std::uint64_t>::max() - d) / 10) overflow = true;
    value = value * 10 + d;
    ++i;
  }
  if (i == digits && (i == s.size() || s[i] != '.')) return tl::unexpected(SizeError::invalid);
  if (overflow) return tl::unexpected(SizeError::range);
  if (value == 0 && i - digits == 1 && i < s.size() && (s[i] == 'x' || s[i] == 'X')) {
    std::string_view hex = s.substr(i + 1);
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), v, 16);
    if (end == hex.data() || (!hex.empty() && (hex[0] == '+' || hex[0] == '-')))
      return tl::unexpected(SizeError::invalid);
    if (ec == std::errc::result_out_of_range) return tl::unexpected(SizeError::range);
    if (end != hex.data() + hex.size())
      return tl::unexpected(SizeError::invalid);  // 0x20M, 0x2.0, 0x1p
    return Bytes{v};
  }
  long double fraction = 0;
  if (i < s.size() && s[i] == '.') {
    const std::size_t dot = i;
    long double scale = 0.1L;
    for (++i; i < s.size() && is_digit(s[i]); ++i, scale /= 10) fraction += scale * (s[i] - '0');
    if (dot == digits && i == dot + 1) return tl::unexpected(SizeError::invalid);  // ".", ".k"
  }
  std::uint64_t unit = 1;
  if (i < s.size() && size_suffix(s[i]) != 0) unit = size_suffix(s[i++]);
  if (i != s.size()) return tl::unexpected(SizeError::invalid);
  if (unit == 1 && fraction != 0) return tl::unexpected(SizeError::invalid);  // no fractional bytes
  auto extra = static_cast<std::uint64_t>(fraction * static_cast<long double>(unit));
  if (value > (std::numeric_limits<std::uint64_t>::max() - extra) / unit)
    return tl::unexpected(SizeError::range);
  return Bytes{value * unit + extra};
}

}  // namespace qsock
