#include "migration/report.h"

#include <fmt/format.h>

namespace qsock::migration {

namespace {
Json ms(const std::optional<Milliseconds>& v) { return v ? Json(v->count()) : Json(nullptr); }
Json bytes(const std::optional<Bytes>& v) { return v ? Json(v->count) : Json(nullptr); }
Json text_or_null(const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); }
}  // namespace

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
  j["passes"] = passes;
  j["sockopts_via"] = text_or_null(sockopts_via);
  j["destination_sockopts_via"] = text_or_null(destination_sockopts_via);
  j["fd_passed"] = fd_passed;
  j["socket"] = socket;
  j["source_state"] = text_or_null(source_state);
  j["source_resumed"] = source_resumed;
  j["destination_state"] = text_or_null(destination_state);
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
