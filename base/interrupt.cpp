#include "base/interrupt.h"

#include <cstring>

#include <fmt/format.h>

namespace qsock {

std::string signal_name(int signal) {
  const char* abbrev = ::sigabbrev_np(signal);
  return abbrev ? fmt::format("SIG{}", abbrev) : fmt::format("signal {}", signal);
}

}  // namespace qsock
