// Quantities that carry their unit in the type. QEMU, virsh and the kernel
// disagree on units (TCP_USER_TIMEOUT is milliseconds, TCP_KEEPIDLE seconds,
// max-bandwidth bytes per second), so none of them crosses a module boundary
// as a bare integer.
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>

namespace qsock {

using Milliseconds = std::chrono::milliseconds;
using Seconds = std::chrono::seconds;
using Microseconds = std::chrono::microseconds;

struct Bytes {
  std::uint64_t count = 0;
  auto operator<=>(const Bytes&) const = default;
};

struct BytesPerSecond {
  std::uint64_t rate = 0;
  auto operator<=>(const BytesPerSecond&) const = default;
};

}  // namespace qsock
