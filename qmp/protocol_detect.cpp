#include "qmp/protocol_detect.h"

#include <array>

#include <fmt/format.h>

#include "qmp/session.h"

namespace qsock::qmp {

Result<DetectedMonitor> detect_protocol(Connection connection, Deadline deadline) {
  std::string seen;
  std::array<char, 4096> chunk;
  for (;;) {
    auto first = seen.find_first_not_of(" \t\r\n");
    if (first != std::string::npos) {
      Protocol p = seen[first] == '{' ? Protocol::qmp : Protocol::hmp;
      return DetectedMonitor{p, std::move(connection), std::move(seen)};
    }
    auto n = connection.receive(chunk.data(), chunk.size(), deadline, "the monitor's greeting");
    if (!n) {
      Error e = n.error();
      if (e.kind == ErrorKind::timeout) e.message = fmt::format("{} ({})", no_greeting_hint, e.message);
      return tl::unexpected(e);
    }
    if (*n == 0)
      return fail(ErrorKind::protocol,
                  "QEMU closed the monitor connection before greeting");
    seen.append(chunk.data(), *n);
  }
}

}  // namespace qsock::qmp
