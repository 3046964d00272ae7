#include "qmp/message_reader.h"

#include <fmt/format.h>

namespace qsock::qmp {

namespace {

// A short, printable excerpt of a bad message for an error.
std::string excerpt(std::string_view text) {
  constexpr std::size_t max = 80;
  std::string out;
  for (char c : text.substr(0, max)) {
    auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u >= 0x7f) ? fmt::format("\\x{:02x}", u) : std::string(1, c);
  }
  if (text.size() > max) out += "...";
  return out;
}

bool only_blanks(std::string_view s) {
  return s.find_first_not_of(" \t\r") == std::string_view::npos;
}

}  // namespace

void MessageReader::feed(std::string_view bytes) {
  if (failed_) return;
  // Drop what was consumed before growing, so a long session stays small.
  if (start_ > 0 && start_ >= buffer_.size() / 2) {
    buffer_.erase(0, start_);
    scan_ -= start_;
    start_ = 0;
  }
  buffer_.append(bytes);
}

Result<std::optional<Json>> MessageReader::next() {
  if (failed_) return tl::unexpected(*failed_);
  for (;;) {
    auto newline = buffer_.find('\n', scan_);
    if (newline == std::string::npos) {
      scan_ = buffer_.size();
      if (pending_bytes() > limit_) {
        failed_ = Error{ErrorKind::protocol,
                        fmt::format("a monitor message exceeds the {} MiB limit "
                                    "(no end of line after {} bytes)",
                                    limit_ >> 20, pending_bytes()),
                        Json()};
        return tl::unexpected(*failed_);
      }
      return std::optional<Json>();
    }
    std::string_view line(buffer_.data() + start_, newline - start_);
    start_ = newline + 1;
    scan_ = start_;
    if (line.size() > limit_) {
      failed_ = Error{ErrorKind::protocol,
                      fmt::format("a monitor message exceeds the {} MiB limit ({} bytes)",
                                  limit_ >> 20, line.size()),
                      Json()};
      return tl::unexpected(*failed_);
    }
    if (only_blanks(line)) continue;
    Json message = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (message.is_discarded()) {
      failed_ = Error{ErrorKind::protocol,
                      fmt::format("invalid JSON from the monitor: '{}'", excerpt(line)), Json()};
      return tl::unexpected(*failed_);
    }
    if (!message.is_object()) {
      failed_ =
          Error{ErrorKind::protocol,
                fmt::format("a monitor message is not a JSON object: '{}'", excerpt(line)), Json()};
      return tl::unexpected(*failed_);
    }
    return std::optional<Json>(std::move(message));
  }
}

}  // namespace qsock::qmp
