#include "migration/info.h"

#include "base/text.h"

#include <charconv>
#include <cstdlib>

#include <fmt/format.h>

namespace qsock::migration {

bool is_terminal(std::string_view status) {
  return status == "completed" || status == "failed" || status == "cancelled";
}

namespace {

std::optional<std::uint64_t> uint_member(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return std::nullopt;
  if (it->is_number_float()) return static_cast<std::uint64_t>(std::max(0.0, it->get<double>()));
  if (it->is_number_unsigned()) return it->get<std::uint64_t>();
  auto v = it->get<std::int64_t>();
  return v < 0 ? 0 : static_cast<std::uint64_t>(v);
}

std::optional<Milliseconds> ms_member(const Json& j, const char* key) {
  auto v = uint_member(j, key);
  if (!v) return std::nullopt;
  return Milliseconds(static_cast<long long>(*v));
}

std::optional<Bytes> bytes_member(const Json& j, const char* key) {
  auto v = uint_member(j, key);
  if (!v) return std::nullopt;
  return Bytes{*v};
}

}  // namespace

qmp::Result<MigrationInfo> migration_info_from_json(const Json& reply) {
  if (!reply.is_object())
    return qmp::fail(qmp::ErrorKind::protocol, fmt::format("query-migrate returned {} instead of an object",
                                                 dump_json(reply).substr(0, 100)));
  MigrationInfo info;
  info.raw = reply;
  info.status = reply.value("status", "none");
  if (auto it = reply.find("ram"); it != reply.end() && it->is_object()) {
    RamStats r;
    r.transferred = bytes_member(*it, "transferred").value_or(Bytes{});
    r.remaining = bytes_member(*it, "remaining").value_or(Bytes{});
    r.total = bytes_member(*it, "total").value_or(Bytes{});
    if (auto m = it->find("mbps"); m != it->end() && m->is_number()) r.mbps = m->get<double>();
    r.dirty_pages_rate = uint_member(*it, "dirty-pages-rate").value_or(0);
    r.dirty_sync_count = uint_member(*it, "dirty-sync-count").value_or(0);
    r.page_size = bytes_member(*it, "page-size").value_or(Bytes{4096});
    r.precopy_bytes = bytes_member(*it, "precopy-bytes");
    r.downtime_bytes = bytes_member(*it, "downtime-bytes");
    r.postcopy_bytes = bytes_member(*it, "postcopy-bytes");
    info.ram = r;
  }
  info.total_time = ms_member(reply, "total-time");
  info.setup_time = ms_member(reply, "setup-time");
  info.expected_downtime = ms_member(reply, "expected-downtime");
  info.downtime = ms_member(reply, "downtime");
  if (auto e = reply.find("error-desc"); e != reply.end() && e->is_string())
    info.error_desc = e->get<std::string>();
  return info;
}

namespace {

// "1234 kbytes" -> 1234 and "kbytes"; "268.44 mbps" -> 268.44.
struct Quantity {
  double value = 0;
  std::string unit;
};
std::optional<Quantity> quantity(std::string_view text) {
  text = trim(text);
  std::string s(text);
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str()) return std::nullopt;
  return Quantity{v, std::string(trim(std::string_view(end)))};
}

std::uint64_t as_bytes(const Quantity& q) {
  double factor = 1;
  if (q.unit == "kbytes" || q.unit == "KiB") factor = 1024;
  if (q.unit == "MiB") factor = 1024.0 * 1024;
  if (q.unit == "GiB") factor = 1024.0 * 1024 * 1024;
  return static_cast<std::uint64_t>(q.value * factor);
}

}  // namespace

qmp::Result<MigrationInfo> migration_info_from_hmp(std::string_view text) {
  MigrationInfo info;
  info.raw = Json{{"hmp", std::string(text)}};
  RamStats ram;
  bool any_ram = false, status_seen = false;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? text.npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string key(trim(line.substr(0, colon)));
    std::string_view value = trim(line.substr(colon + 1));
    if (key == "Migration status") {
      // "failed (Unable to write to socket: ...)" in some releases.
      auto paren = value.find(" (");
      info.status = std::string(value.substr(0, paren));
      if (paren != std::string_view::npos && info.error_desc.empty()) {
        std::string_view rest = value.substr(paren + 2);
        if (!rest.empty() && rest.back() == ')') rest.remove_suffix(1);
        info.error_desc = std::string(rest);
      }
      status_seen = true;
      continue;
    }
    if (key == "error description" || key == "Error") {
      info.error_desc = std::string(value);
      continue;
    }
    auto q = quantity(value);
    if (!q) continue;
    auto ms = Milliseconds(static_cast<long long>(q->value));
    if (key == "total time")
      info.total_time = ms;
    else if (key == "setup")
      info.setup_time = ms;
    else if (key == "expected downtime")
      info.expected_downtime = ms;
    else if (key == "downtime")
      info.downtime = ms;
    else if (key == "transferred ram")
      ram.transferred = Bytes{as_bytes(*q)}, any_ram = true;
    else if (key == "remaining ram")
      ram.remaining = Bytes{as_bytes(*q)}, any_ram = true;
    else if (key == "total ram")
      ram.total = Bytes{as_bytes(*q)}, any_ram = true;
    else if (key == "throughput")
      ram.mbps = q->value;
    else if (key == "dirty sync count")
      ram.dirty_sync_count = static_cast<std::uint64_t>(q->value);
    else if (key == "dirty pages rate")
      ram.dirty_pages_rate = static_cast<std::uint64_t>(q->value);
    else if (key == "page size")
      ram.page_size = Bytes{as_bytes(*q)};
    else if (key == "precopy ram")
      ram.precopy_bytes = Bytes{as_bytes(*q)};
    else if (key == "downtime ram")
      ram.downtime_bytes = Bytes{as_bytes(*q)};
    else if (key == "postcopy ram")
      ram.postcopy_bytes = Bytes{as_bytes(*q)};
  }
  if (!status_seen) {
    // QEMU prints nothing about the migration before the first one starts.
    if (text.find_first_not_of(" \n") == std::string_view::npos ||
        text.find("globals:") != std::string_view::npos) {
      info.status = "none";
      return info;
    }
    return qmp::fail(qmp::ErrorKind::protocol,
                fmt::format("HMP 'info migrate' printed no 'Migration status' line: {}",
                            std::string(text.substr(0, 200))));
  }
  if (any_ram) info.ram = ram;
  return info;
}

}  // namespace qsock::migration
