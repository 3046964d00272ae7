#include "sockopts/detection.h"

#include <bit>

#include <fmt/format.h>

namespace qsock::sockopts {

Milliseconds backoff_total(std::uint32_t retries, Milliseconds initial, Milliseconds max) {
  if (initial.count() <= 0) return Milliseconds(0);
  // Doublings before the RTO reaches the cap: ilog2(max / initial).
  auto ratio = static_cast<std::uint64_t>(max.count() / initial.count());
  std::uint32_t linear_thresh = ratio == 0 ? 0 : std::bit_width(ratio) - 1;
  if (retries <= linear_thresh)
    return initial * static_cast<std::int64_t>((std::uint64_t{2} << retries) - 1);
  return initial * static_cast<std::int64_t>((std::uint64_t{2} << linear_thresh) - 1) +
         max * static_cast<std::int64_t>(retries - linear_thresh);
}

namespace {

template <typename T>
T per_socket_or(const std::optional<T>& v, T fallback) {
  if (!v) return fallback;
  if constexpr (std::is_integral_v<T>)
    return *v != 0 ? *v : fallback;
  else
    return v->count() != 0 ? *v : fallback;
}

}  // namespace

Detection detection_times(const SocketOptions& o, const Sysctls& s, const RtoModel& rto) {
  Detection d;
  Milliseconds user_timeout = o.user_timeout.value_or(Milliseconds(0));

  if (user_timeout.count() > 0) {
    d.data_in_flight = {user_timeout, "user-timeout",
                        fmt::format("TCP_USER_TIMEOUT {} ms", user_timeout.count())};
  } else {
    d.data_in_flight = {
        backoff_total(s.tcp_retries2, rto.rto_min, rto.rto_max), "tcp_retries2",
        fmt::format("{} retransmissions from a {} ms RTO, capped at {} s", s.tcp_retries2,
                    rto.rto_min.count(), rto.rto_max.count() / 1000)};
  }

  if (!o.keep_alive.value_or(false)) {
    d.idle = {std::nullopt, "no keep-alive", "an idle connection sends nothing to notice with"};
  } else {
    Seconds idle = per_socket_or(o.keep_alive_idle, s.tcp_keepalive_time);
    Seconds intvl = per_socket_or(o.keep_alive_interval, s.tcp_keepalive_intvl);
    std::uint32_t count = per_socket_or(o.keep_alive_count, s.tcp_keepalive_probes);
    if (intvl.count() <= 0) intvl = Seconds(1);
    if (user_timeout.count() > 0) {
      // The keep-alive timer fires at idle + k × intvl; with a user timeout it
      // drops the connection at the first firing, after one probe at least,
      // where the time since the last receipt has reached the user timeout.
      std::int64_t k = 1;
      Milliseconds past_idle = user_timeout - Milliseconds(idle);
      if (past_idle > Milliseconds(intvl)) {
        Milliseconds step = intvl;
        k = (past_idle.count() + step.count() - 1) / step.count();
      }
      d.idle = {Milliseconds(idle + intvl * k), "user-timeout",
                fmt::format("{} s idle + {} × {} s (the first probe past TCP_USER_TIMEOUT {} ms "
                            "replaces the count)",
                            idle.count(), k, intvl.count(), user_timeout.count())};
    } else {
      d.idle = {Milliseconds(idle + intvl * static_cast<std::int64_t>(count)), "keep-alive",
                fmt::format("{} s idle + {} × {} s", idle.count(), count, intvl.count())};
    }
  }

  d.connect = {backoff_total(s.tcp_syn_retries, rto.syn_rto, rto.rto_max), "tcp_syn_retries",
               fmt::format("{} SYN retransmissions from a {} ms RTO", s.tcp_syn_retries,
                           rto.syn_rto.count())};
  return d;
}

std::string format_duration(const std::optional<Milliseconds>& d) {
  if (!d) return "never";
  auto ms = d->count();
  if (ms < 1000) return fmt::format("{} ms", ms);
  if (ms < 600'000) {
    if (ms % 1000 == 0) return fmt::format("{} s", ms / 1000);
    if (ms % 100 == 0) return fmt::format("{}.{} s", ms / 1000, (ms % 1000) / 100);
    return fmt::format("{}.{:03} s", ms / 1000, ms % 1000);
  }
  std::string s = ms % 1000 == 0 ? fmt::format("{} s", ms / 1000)
                                 : fmt::format("{:.1f} s", static_cast<double>(ms) / 1000.0);
  auto total = ms / 1000;
  auto h = total / 3600, m = (total % 3600) / 60, sec = total % 60;
  std::string hm = h ? fmt::format("{} h {} min", h, m) : fmt::format("{} min", m);
  if (sec) hm += fmt::format(" {} s", sec);
  return fmt::format("{} ({})", s, hm);
}

Json to_json(const Bound& b) {
  Json j = Json::object();
  j["ms"] = b.after ? Json(b.after->count()) : Json(nullptr);
  j["by"] = b.by;
  return j;
}

Json to_json(const Detection& d) {
  Json j = Json::object();
  j["data_in_flight"] = to_json(d.data_in_flight);
  j["idle"] = to_json(d.idle);
  j["connect"] = to_json(d.connect);
  return j;
}

}  // namespace qsock::sockopts
