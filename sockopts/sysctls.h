// The host's TCP sysctls that decide how long a dead peer goes unnoticed.
#pragma once

#include <cstdint>
#include <string>

#include "base/json.h"
#include "base/units.h"
#include "sockopts/error.h"

namespace qsock::sockopts {

// Defaults are Linux's.
struct Sysctls {
  std::uint32_t tcp_retries2 = 15;
  Seconds tcp_keepalive_time{7200};
  Seconds tcp_keepalive_intvl{75};
  std::uint32_t tcp_keepalive_probes = 9;
  std::uint32_t tcp_syn_retries = 6;

  bool operator==(const Sysctls&) const = default;
};

// Reads the five values from `dir` (files named as the sysctls). The
// values are per network namespace: /proc/sys shows the caller's.
Result<Sysctls> read_sysctls(const std::string& dir = "/proc/sys/net/ipv4");

// {"tcp_retries2":15,"tcp_keepalive_time_s":7200,"tcp_keepalive_intvl_s":75,
//  "tcp_keepalive_probes":9,"tcp_syn_retries":6}
Json to_json(const Sysctls& s);

}  // namespace qsock::sockopts
