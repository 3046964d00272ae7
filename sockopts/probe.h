// What this kernel supports of what qsock and QEMU use, tried for real.
#pragma once

#include <string>
#include <vector>

#include "base/json.h"
#include "sockopts/error.h"
#include "sockopts/sysctls.h"

namespace qsock::sockopts {

struct Feature {
  std::string name;  // "TCP_USER_TIMEOUT", "MPTCP", "pidfd_getfd", ...
  bool supported = false;
  std::string detail;  // the errno when not, or what was tried
};

struct KernelProbe {
  std::string kernel;             // uname release
  std::vector<Feature> features;  // TCP_USER_TIMEOUT, TCP_KEEPCNT/IDLE/INTVL, MPTCP,
                                  // pidfd_open, pidfd_getfd
  Result<Sysctls> sysctls = tl::unexpected(Error{"not read", 0, {}, {}});
};

// Sets each option on a fresh TCP socket, opens an MPTCP socket, and calls
// pidfd_open/pidfd_getfd on this process.
KernelProbe probe_kernel();

// {"kernel":"6.1.0","features":{"TCP_USER_TIMEOUT":{"supported":true},...},
//  "sysctls":{...}|null,"sysctls_error":"..."}
Json to_json(const KernelProbe& p);

}  // namespace qsock::sockopts
