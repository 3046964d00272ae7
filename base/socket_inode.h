// The inode of a socket as /proc/PID/fd shows it: "socket:[1234]".
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

namespace qsock {

// 1234 for "socket:[1234]", nothing for any other link target.
inline std::optional<std::uint64_t> socket_inode(std::string_view link) {
  constexpr std::string_view prefix = "socket:[";
  if (link.size() <= prefix.size() + 1 || !link.starts_with(prefix) || link.back() != ']')
    return std::nullopt;
  std::string_view digits = link.substr(prefix.size(), link.size() - prefix.size() - 1);
  std::uint64_t inode = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), inode);
  if (ec != std::errc() || p != digits.data() + digits.size()) return std::nullopt;
  return inode;
}

}  // namespace qsock
