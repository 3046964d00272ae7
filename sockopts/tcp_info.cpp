#include "sockopts/tcp_info.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "base/names.h"

namespace qsock::sockopts {

std::string_view state_name(TcpState s) {
  // ss(8)'s spellings.
  static constexpr Named<TcpState> names[] = {
      {TcpState::established, "ESTABLISHED"},
      {TcpState::syn_sent, "SYN-SENT"},
      {TcpState::syn_recv, "SYN-RECV"},
      {TcpState::fin_wait1, "FIN-WAIT-1"},
      {TcpState::fin_wait2, "FIN-WAIT-2"},
      {TcpState::time_wait, "TIME-WAIT"},
      {TcpState::close, "CLOSE"},
      {TcpState::close_wait, "CLOSE-WAIT"},
      {TcpState::last_ack, "LAST-ACK"},
      {TcpState::listen, "LISTEN"},
      {TcpState::closing, "CLOSING"},
      {TcpState::new_syn_recv, "NEW-SYN-RECV"},
  };
  return name_in<TcpState>(names, s, "UNKNOWN");
}

Result<TcpInfo> read_tcp_info(int fd) {
  struct tcp_info raw {};
  socklen_t len = sizeof raw;
  if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &raw, &len) != 0)
    return tl::unexpected(sys_error("getsockopt(TCP_INFO)"));
  TcpInfo t;
  t.state = raw.tcpi_state <= static_cast<std::uint8_t>(TcpState::new_syn_recv)
                ? static_cast<TcpState>(raw.tcpi_state)
                : TcpState::unknown;
  t.rto = Microseconds(raw.tcpi_rto);
  t.retransmits = raw.tcpi_retransmits;
  t.backoff = raw.tcpi_backoff;
  t.probes = raw.tcpi_probes;
  t.unacked = Segments{raw.tcpi_unacked};
  t.last_data_sent = Milliseconds(raw.tcpi_last_data_sent);
  t.last_ack_recv = Milliseconds(raw.tcpi_last_ack_recv);
  t.rtt = Microseconds(raw.tcpi_rtt);
  t.total_retrans = Segments{raw.tcpi_total_retrans};
  return t;
}

Json to_json(const TcpInfo& t) {
  Json j = Json::object();
  j["state"] = std::string(state_name(t.state));
  j["rto_us"] = t.rto.count();
  j["retransmits"] = t.retransmits;
  j["backoff"] = t.backoff;
  j["probes"] = t.probes;
  j["unacked_segments"] = t.unacked.count;
  j["last_data_sent_ms"] = t.last_data_sent.count();
  j["last_ack_recv_ms"] = t.last_ack_recv.count();
  j["rtt_us"] = t.rtt.count();
  j["total_retrans_segments"] = t.total_retrans.count;
  return j;
}

}  // namespace qsock::sockopts
