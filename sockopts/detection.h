// The model of how long a dead peer goes unnoticed, from socket options and
// the host's sysctls. Pure: no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/json.h"
#include "base/units.h"
#include "sockopts/options.h"
#include "sockopts/sysctls.h"

namespace qsock::sockopts {

// The retransmission timer's bounds. rto_min is the first RTO the kernel's
// model assumes (TCP_RTO_MIN); a connection with a long RTT starts higher.
struct RtoModel {
  Milliseconds rto_min{200};
  Milliseconds rto_max{120'000};
  Milliseconds syn_rto{1'000};  // TCP_TIMEOUT_INIT, the first SYN retransmission
};

// One detection time: `after` is empty for "never".
struct Bound {
  std::optional<Milliseconds> after;
  std::string by;      // "user-timeout", "tcp_retries2", "keep-alive", "no keep-alive",
                       // "tcp_syn_retries"
  std::string detail;  // the arithmetic, e.g. "7200 s idle + 9 × 75 s"

  bool operator==(const Bound&) const = default;
};

struct Detection {
  Bound data_in_flight;  // unacknowledged data outstanding
  Bound idle;            // nothing to send
  Bound connect;         // SYN sent, no answer
};

// The total time of `retries` retransmissions with exponential backoff, as
// the kernel's tcp_model_timeout() computes it: RTOs start at `initial`,
// double, and are capped at `max`; the result is the sum of retries + 1
// intervals. 15 retries from 200 ms capped at 120 s: 924.6 s.
Milliseconds backoff_total(std::uint32_t retries, Milliseconds initial, Milliseconds max);

// (a) data in flight: user-timeout if non-zero, else the tcp_retries2 sum
//     (a lower bound: the kernel gives up at the first RTO expiry past it).
// (b) idle: never without keep-alive; else idle + interval × count, the
//     per-socket values where non-zero else the sysctls; with a user-timeout
//     the count is replaced by it (tcp(7)): the first probe expiry at or
//     after the user-timeout, at least one probe.
// (c) connect: tcp_syn_retries from a 1 s RTO (QEMU sets TCP_USER_TIMEOUT
//     only after connect, so it does not bound this).
Detection detection_times(const SocketOptions& o, const Sysctls& s, const RtoModel& rto = {});

// "924.6 s", "2 h 11 min 15 s", "never".
std::string format_duration(const std::optional<Milliseconds>& d);

// {"ms":N|null,"by":"..."} and {"data_in_flight":..,"idle":..,"connect":..}
Json to_json(const Bound& b);
Json to_json(const Detection& d);

}  // namespace qsock::sockopts
