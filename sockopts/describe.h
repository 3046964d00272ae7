// What each member of SocketOptions does to a socket: which option, at which
// level, with which value and unit. For `qsock explain` and --json output.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/json.h"
#include "sockopts/apply.h"
#include "sockopts/options.h"

namespace qsock::sockopts {

struct OptionEffect {
  std::string member;  // QMP member: "keep-alive-idle"
  std::string option;  // "TCP_KEEPIDLE", or "socket(IPPROTO_MPTCP)", "address family", ...
  std::string level;   // "SOL_SOCKET", "IPPROTO_TCP", "IPPROTO_IPV6", or "" for non-setsockopt
  std::optional<long long> value;  // the integer passed to setsockopt, when one is
  std::string unit;                // "ms", "s", "probes", "bool", or ""
  bool applied = false;            // false: given but ignored (note says why)
  std::string note;                // e.g. "0 = the system setting (net.ipv4.tcp_keepalive_time)"
};

// One entry per given member, in schema order.
std::vector<OptionEffect> describe_options(const SocketOptions& o, Semantics s = Semantics::qemu);

// {"member":{"option":..,"level":..,"value":..,"unit":..,"applied":..,"note":..},...}
Json to_json(const std::vector<OptionEffect>& effects);

}  // namespace qsock::sockopts
