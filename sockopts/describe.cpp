#include "sockopts/describe.h"

#include <fmt/format.h>

namespace qsock::sockopts {

namespace {

OptionEffect tuning(const char* member, const char* option, long long value, const char* unit,
                    bool keep_alive_on, Semantics s, const char* sysctl) {
  OptionEffect e{member, option, "IPPROTO_TCP", value, unit, true, {}};
  if (!keep_alive_on && s == Semantics::qemu) {
    e.applied = false;
    e.note = "ignored: only set when keep-alive is on";
  } else if (value == 0) {
    e.applied = false;
    e.note = fmt::format("0 = not set; the system setting net.ipv4.{} applies", sysctl);
  }
  return e;
}

}  // namespace

std::vector<OptionEffect> describe_options(const SocketOptions& o, Semantics s) {
  std::vector<OptionEffect> out;
  bool keep_alive_on = o.keep_alive.value_or(false);
  if (o.numeric)
    out.push_back({"numeric", "AI_NUMERICHOST|AI_NUMERICSERV", "", *o.numeric ? 1 : 0, "bool", true,
                   "getaddrinfo flags: no name resolution"});
  if (o.to)
    out.push_back({"to", "port range", "", *o.to, "", true,
                   "listen: ports tried in order from port up to this one"});
  if (o.ipv4 || o.ipv6) {
    OptionEffect e{o.ipv4 ? "ipv4" : "ipv6", "address family", "", {}, "", true, {}};
    bool v4 = o.ipv4.value_or(true), v6 = o.ipv6.value_or(true);
    if (o.ipv4 && o.ipv6 && !*o.ipv4 && !*o.ipv6) {
      e.applied = false;
      e.note = "error: Cannot disable IPv4 and IPv6 at same time";
    } else if (v4 && v6) {
      e.note = "AF_INET6 for an empty host, else both; listen: IPV6_V6ONLY=0";
    } else {
      e.note = v6 ? "AF_INET6 only (listen: IPV6_V6ONLY=1)" : "AF_INET only";
    }
    if (o.ipv4 && o.ipv6) {
      out.push_back(e);
      e.member = "ipv6";
    }
    out.push_back(e);
  }
  if (o.keep_alive) {
    OptionEffect e{
        "keep-alive", "SO_KEEPALIVE", "SOL_SOCKET", *o.keep_alive ? 1 : 0, "bool", true, {}};
    if (!*o.keep_alive && s == Semantics::qemu) {
      e.applied = false;
      e.note = "off: not set (the socket keeps its default, off)";
    } else {
      e.note =
          "connect: after connect; listen: on the listening socket, inherited by accepted "
          "sockets (QEMU 10.1+)";
    }
    out.push_back(e);
  }
  if (o.keep_alive_count)
    out.push_back(tuning("keep-alive-count", "TCP_KEEPCNT", *o.keep_alive_count, "probes",
                         keep_alive_on, s, "tcp_keepalive_probes"));
  if (o.keep_alive_idle)
    out.push_back(tuning("keep-alive-idle", "TCP_KEEPIDLE", o.keep_alive_idle->count(), "s",
                         keep_alive_on, s, "tcp_keepalive_time"));
  if (o.keep_alive_interval)
    out.push_back(tuning("keep-alive-interval", "TCP_KEEPINTVL", o.keep_alive_interval->count(),
                         "s", keep_alive_on, s, "tcp_keepalive_intvl"));
  if (o.mptcp) {
    OptionEffect e{"mptcp", "socket(IPPROTO_MPTCP)", "", *o.mptcp ? 1 : 0, "bool", *o.mptcp, {}};
    e.note = *o.mptcp ? "protocol argument of socket(); fails where the kernel lacks MPTCP"
                      : "plain TCP";
    out.push_back(e);
  }
  if (o.user_timeout) {
    OptionEffect e{
        "user-timeout", "TCP_USER_TIMEOUT", "IPPROTO_TCP", o.user_timeout->count(), "ms", true, {}};
    e.note = o.user_timeout->count() == 0
                 ? "0 = the system default (tcp_retries2 governs data in flight)"
                 : "unacknowledged data older than this closes the connection with ETIMEDOUT; "
                   "independent of keep-alive";
    out.push_back(e);
  }
  return out;
}

Json to_json(const std::vector<OptionEffect>& effects) {
  Json j = Json::object();
  for (const OptionEffect& e : effects) {
    Json m = Json::object();
    m["option"] = e.option;
    if (!e.level.empty()) m["level"] = e.level;
    m["value"] = e.value ? Json(*e.value) : Json(nullptr);
    if (!e.unit.empty()) m["unit"] = e.unit;
    m["applied"] = e.applied;
    if (!e.note.empty()) m["note"] = e.note;
    j[e.member] = m;
  }
  return j;
}

}  // namespace qsock::sockopts
