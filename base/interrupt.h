// The flag a signal handler sets to stop a long wait (starting QEMU, following
// a migration): 0 until then, then the signal's number.
#pragma once

#include <atomic>
#include <string>

namespace qsock {

using InterruptFlag = std::atomic<int>;

// "SIGINT", "SIGTERM", ...
std::string signal_name(int signal);

}  // namespace qsock
