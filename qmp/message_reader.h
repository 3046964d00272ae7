// Splits the byte stream from a QMP monitor into JSON messages. QEMU ends
// every message with CRLF; a message may arrive in many reads, and one read
// may carry many messages. Pure: fed bytes, no I/O, so tests and the fuzz
// target drive it directly.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "base/units.h"
#include "qmp/error.h"

namespace qsock::qmp {

class MessageReader {
 public:
  static constexpr Bytes default_limit{64ull << 20};  // 64 MiB

  explicit MessageReader(Bytes limit = default_limit) : limit_(limit.count) {}

  void feed(std::string_view bytes);

  // The next complete message: a JSON object. nullopt when more bytes are
  // needed. Errors (kind protocol): invalid JSON, a message that is not an
  // object, a message over the limit. After an error the reader stays failed.
  Result<std::optional<Json>> next();

  // Bytes received but not yet returned as a message.
  std::size_t pending_bytes() const { return buffer_.size() - start_; }

 private:
  std::string buffer_;
  std::size_t start_ = 0;  // first byte not yet consumed
  std::size_t scan_ = 0;   // bytes before this offset hold no newline
  std::uint64_t limit_;
  std::optional<Error> failed_;
};

}  // namespace qsock::qmp
