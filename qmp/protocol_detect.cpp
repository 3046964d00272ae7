#include "qmp/protocol_detect.h"

#include <array>

#include <fmt/format.h>

#include "qmp/session.h"

namespace qsock::qmp {

namespace {
constexpr std::string_view blank = " \t\r\n";
constexpr std::size_t max_quoted = 100;

// The first non-blank line, without escapes, cut to a readable length.
std::string first_line(std::string_view bytes) {
  auto from = bytes.find_first_not_of(blank);
  if (from == std::string_view::npos) return "";
  bytes.remove_prefix(from);
  bytes = bytes.substr(0, bytes.find_first_of("\r\n"));
  std::string line;
  for (char c : bytes.substr(0, max_quoted))
    line += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c;
  if (bytes.size() > max_quoted) line += "...";
  return line;
}
}  // namespace

std::optional<Protocol> protocol_of(std::string_view first_bytes) {
  auto first = first_bytes.find_first_not_of(blank);
  if (first == std::string_view::npos) return std::nullopt;
  return first_bytes[first] == '{' ? Protocol::qmp : Protocol::hmp;
}

Error not_qmp_error(std::string_view first_bytes) {
  std::string line = first_line(first_bytes);
  // QEMU's HMP banner: "QEMU <version> monitor - type 'help' for more information".
  bool banner = line.starts_with("QEMU ") && line.find(" monitor") != std::string::npos;
  if (banner)
    return Error{ErrorKind::protocol,
                 fmt::format("this is an HMP monitor, not QMP (it greets with '{}'): use "
                             "'qsock hmp' on it, or give the socket of QEMU's -qmp option",
                             line),
                 Json()};
  return Error{ErrorKind::protocol,
               fmt::format("expected the QMP greeting {{\"QMP\": ...}}, got '{}'", line), Json()};
}

Result<DetectedMonitor> detect_protocol(Connection connection, Deadline deadline,
                                        std::string_view awaiting) {
  std::string seen;
  std::array<char, 4096> chunk;
  for (;;) {
    if (auto p = protocol_of(seen))
      return DetectedMonitor{*p, std::move(connection), std::move(seen)};
    auto n = connection.receive(chunk.data(), chunk.size(), deadline, awaiting);
    if (!n) {
      Error e = n.error();
      if (e.kind == ErrorKind::timeout)
        e.message = fmt::format("{} ({})", no_greeting_hint, e.message);
      return tl::unexpected(e);
    }
    if (*n == 0)
      return fail(ErrorKind::protocol,
                  fmt::format("QEMU closed the monitor connection while awaiting {}", awaiting));
    seen.append(chunk.data(), *n);
  }
}

}  // namespace qsock::qmp
