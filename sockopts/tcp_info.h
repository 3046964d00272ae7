// TCP_INFO: the kernel's view of a connection, with units in the types.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/json.h"
#include "base/units.h"
#include "sockopts/error.h"

namespace qsock::sockopts {

// The kernel's TCP states (include/net/tcp_states.h), numbered as in
// /proc/net/tcp and tcpi_state.
enum class TcpState : std::uint8_t {
  unknown = 0,
  established = 1,
  syn_sent,
  syn_recv,
  fin_wait1,
  fin_wait2,
  time_wait,
  close,
  close_wait,
  last_ack,
  listen,
  closing,
  new_syn_recv,
};

// "ESTABLISHED", "LISTEN", ... as ss(8) and /proc name them.
std::string_view state_name(TcpState s);

// A number of TCP segments.
struct Segments {
  std::uint32_t count = 0;
  auto operator<=>(const Segments&) const = default;
};

struct TcpInfo {
  TcpState state = TcpState::unknown;
  Microseconds rto{0};             // current retransmission timeout
  std::uint8_t retransmits = 0;    // consecutive RTO expiries without ACK progress
  std::uint8_t backoff = 0;        // exponential backoff exponent
  std::uint8_t probes = 0;         // unanswered keep-alive / zero-window probes
  Segments unacked;                // in flight, not yet acknowledged
  Milliseconds last_data_sent{0};  // time since
  Milliseconds last_ack_recv{0};   // time since
  Microseconds rtt{0};             // smoothed round-trip time
  Segments total_retrans;          // over the connection's lifetime
};

// getsockopt(IPPROTO_TCP, TCP_INFO). Fields the kernel does not fill stay 0.
Result<TcpInfo> read_tcp_info(int fd);

// {"state":"ESTABLISHED","rto_us":..,"retransmits":..,"backoff":..,"probes":..,
//  "unacked_segments":..,"last_data_sent_ms":..,"last_ack_recv_ms":..,
//  "rtt_us":..,"total_retrans_segments":..}
Json to_json(const TcpInfo& t);

}  // namespace qsock::sockopts
