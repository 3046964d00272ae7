#include "migration/report.h"

#include <fmt/format.h>

#include "base/names.h"

namespace qsock::migration {

namespace {
Json ms(const std::optional<Milliseconds>& v) { return v ? Json(v->count()) : Json(nullptr); }
Json bytes(const std::optional<Bytes>& v) { return v ? Json(v->count) : Json(nullptr); }
Json text_or_null(const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); }
Json mode_or_null(const std::optional<SockoptsMode>& m) {
  return m ? Json(std::string(mode_name(*m))) : Json(nullptr);
}
}  // namespace

std::string_view read_at_text(SocketReadAt when) {
  static constexpr Named<SocketReadAt> texts[] = {
      {SocketReadAt::end, "at the end"}, {SocketReadAt::start, "when applied, at the start"}};
  return name_in<SocketReadAt>(texts, when);
}

Json to_json(const SocketView& v) {
  Json j = Json::object();
  if (v.options) {
    Json opts = sockopts::to_json(*v.options);
    // Address members are not the socket's options.
    for (const char* k : {"ipv4", "ipv6", "numeric", "to"}) opts.erase(k);
    j["options"] = opts;
    Json missing = Json::array();
    for (const sockopts::Difference& d : v.not_applied)
      missing.push_back({{"key", d.key}, {"wanted", d.wanted}, {"effective", d.effective}});
    j["not_applied"] = missing;
  } else {
    j["options"] = nullptr;
    j["options_error"] = v.options_error;
  }
  j["tcp_info"] = v.tcp_info ? sockopts::to_json(*v.tcp_info) : Json(nullptr);
  j["local"] = v.local;
  j["peer"] = v.peer;
  if (!v.error.empty()) j["error"] = v.error;
  if (v.end == SocketEnd::destination) j["read"] = std::string(read_at_text(v.read_at));
  return j;
}

Json MigrationReport::to_json() const {
  Json j = Json::object();
  j["event"] = "report";
  j["status"] = status;
  j["downtime_ms"] = ms(downtime);
  j["observed_downtime_ms"] = ms(observed_downtime);
  j["downtime_limit_ms"] = ms(downtime_limit);
  j["expected_downtime_ms"] = ms(expected_downtime);
  j["total_time_ms"] = ms(total_time);
  j["setup_time_ms"] = ms(setup_time);
  Json b = Json::object();
  if (ram) {
    b["transferred"] = ram->transferred.count;
    b["total"] = ram->total.count;
    b["remaining"] = ram->remaining.count;
    b["precopy"] = bytes(ram->precopy_bytes);
    b["downtime"] = bytes(ram->downtime_bytes);
    b["postcopy"] = bytes(ram->postcopy_bytes);
  }
  j["bytes"] = ram ? b : Json(nullptr);
  j["throughput_mbps"] = ram ? Json(ram->mbps) : Json(nullptr);
  j["postcopy_requests"] =
      ram && ram->postcopy_requests ? Json(*ram->postcopy_requests) : Json(nullptr);
  j["passes"] = passes;
  j["sockopts_via"] = mode_or_null(sockopts_via);
  j["destination_sockopts_via"] = mode_or_null(destination_sockopts_via);
  j["fd_passed"] = fd_passed;
  Json socket = source_socket ? migration::to_json(*source_socket) : Json::object();
  if (destination_socket) socket["destination"] = migration::to_json(*destination_socket);
  j["socket"] = socket;
  Json channel_list = Json::array();
  for (const SocketView& v : channels) {
    Json c = migration::to_json(v);
    c["side"] = v.end == SocketEnd::source ? "source" : "destination";
    channel_list.push_back(std::move(c));
  }
  j["channels"] = channel_list;
  j["postcopy"] = postcopy;
  j["source_state"] = text_or_null(source_state);
  j["source_resumed"] = source_resumed;
  j["destination_state"] = text_or_null(destination_state);
  j["destination_stderr"] = text_or_null(destination_stderr);
  j["error"] = text_or_null(error);
  j["fired"] = text_or_null(fired);
  j["notes"] = notes;
  return j;
}

std::vector<std::string> MigrationReport::inconsistencies() const {
  std::vector<std::string> out;
  if (downtime && total_time && *downtime > *total_time)
    out.push_back(
        fmt::format("downtime {} ms > total time {} ms", downtime->count(), total_time->count()));
  if (setup_time && total_time && *setup_time > *total_time)
    out.push_back(fmt::format("setup time {} ms > total time {} ms", setup_time->count(),
                              total_time->count()));
  if (ram && ram->precopy_bytes && ram->downtime_bytes && ram->postcopy_bytes) {
    std::uint64_t sum =
        ram->precopy_bytes->count + ram->downtime_bytes->count + ram->postcopy_bytes->count;
    if (sum > ram->transferred.count)
      out.push_back(fmt::format("precopy + downtime + postcopy bytes ({}) > transferred ({})", sum,
                                ram->transferred.count));
  }
  return out;
}

}  // namespace qsock::migration
