#include "migration/info.h"

#include "base/text.h"

#include <charconv>
#include <cstdlib>

#include <fmt/format.h>

namespace qsock::migration {

bool stops_following(std::string_view status) {
  return is_terminal(status) || status == "postcopy-paused";
}

bool guest_runs_on_destination(std::string_view status) {
  return status.starts_with("postcopy") && status != "postcopy-device";
}

std::optional<std::uint16_t> listening_port(const MigrationInfo& incoming) {
  auto addresses = incoming.raw.find("socket-address");
  if (addresses == incoming.raw.end() || !addresses->is_array()) return std::nullopt;
  for (const Json& a : *addresses) {
    if (!a.is_object() || a.value("type", "") != "inet") continue;
    auto port = a.find("port");
    if (port == a.end()) continue;
    unsigned long n = 0;
    if (port->is_string()) {
      const std::string& s = port->get_ref<const std::string&>();
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
      if (ec != std::errc() || p != s.data() + s.size()) continue;
    } else if (port->is_number_unsigned()) {
      n = port->get<unsigned long>();
    }
    if (n > 0 && n <= 65535) return static_cast<std::uint16_t>(n);
  }
  return std::nullopt;
}

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

// QEMU says "unknown" with INT64_MAX (11.1's expected downtime during the
// device phase, when no bandwidth has been measured yet): no time is that
// long, so anything from 2^62 ms on is a sentinel, not a duration.
constexpr std::uint64_t sentinel_ms = std::uint64_t{1} << 62;

std::optional<Milliseconds> ms_member(const Json& j, const char* key) {
  auto v = uint_member(j, key);
  if (!v || *v >= sentinel_ms) return std::nullopt;
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
    return qmp::fail(qmp::ErrorKind::protocol,
                     fmt::format("query-migrate returned {} instead of an object",
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
    r.postcopy_requests = uint_member(*it, "postcopy-requests");
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
  if (q.unit == "TiB") factor = 1024.0 * 1024 * 1024 * 1024;
  return static_cast<std::uint64_t>(q.value * factor);
}

}  // namespace

namespace {

// What `info migrate` prints, as fields of MigrationInfo. Two layouts:
// up to QEMU 10.0 one "name: value unit" a line ("total time: 287 ms",
// "transferred ram: 1234 kbytes"); since 10.1 a few lines of
// "Section: name=value unit, name=value unit" ("Time (ms): total=287,
// setup=214, exp_down=500", "Transfers: transferred=17 MiB, remain=110 MiB"),
// named here as "Section.name". A name in neither is ignored (a newer QEMU's
// addition), never an error.
using Setter = void (*)(MigrationInfo&, RamStats&, const Quantity&);
struct HmpField {
  std::string_view name;     // up to 10.0
  std::string_view name_10;  // since 10.1 ("" when that layout has none)
  Setter set;
  bool ram;  // sets a RAM statistic: info.ram is given
};
std::optional<Milliseconds> ms_of(const Quantity& q) {
  if (q.value < 0 || q.value >= static_cast<double>(sentinel_ms)) return std::nullopt;
  return Milliseconds(static_cast<long long>(q.value));
}
// The setters take (MigrationInfo&, RamStats&, const Quantity&).
constexpr HmpField hmp_fields[] = {
    {"total time", "Time (ms).total",
     [](auto& i, auto&, const auto& q) { i.total_time = ms_of(q); }, false},
    {"setup", "Time (ms).setup", [](auto& i, auto&, const auto& q) { i.setup_time = ms_of(q); },
     false},
    {"expected downtime", "Time (ms).exp_down",
     [](auto& i, auto&, const auto& q) { i.expected_downtime = ms_of(q); }, false},
    {"downtime", "Time (ms).down", [](auto& i, auto&, const auto& q) { i.downtime = ms_of(q); },
     false},
    {"transferred ram", "Transfers.transferred",
     [](auto&, auto& r, const auto& q) { r.transferred = Bytes{as_bytes(q)}; }, true},
    {"remaining ram", "Transfers.remain",
     [](auto&, auto& r, const auto& q) { r.remaining = Bytes{as_bytes(q)}; }, true},
    {"total ram", "Sizes.total",
     [](auto&, auto& r, const auto& q) { r.total = Bytes{as_bytes(q)}; }, true},
    {"page size", "Sizes.pagesize",
     [](auto&, auto& r, const auto& q) { r.page_size = Bytes{as_bytes(q)}; }, false},
    {"throughput", "Throughput (Mbps)", [](auto&, auto& r, const auto& q) { r.mbps = q.value; },
     false},
    {"dirty sync count", "Others.dirty_syncs",
     [](auto&, auto& r, const auto& q) {
       r.dirty_sync_count = static_cast<std::uint64_t>(q.value);
     },
     false},
    {"dirty pages rate", "Page Rates (pps).dirty",
     [](auto&, auto& r, const auto& q) {
       r.dirty_pages_rate = static_cast<std::uint64_t>(q.value);
     },
     false},
    {"precopy ram", "Channels.precopy",
     [](auto&, auto& r, const auto& q) { r.precopy_bytes = Bytes{as_bytes(q)}; }, false},
    {"downtime ram", "",
     [](auto&, auto& r, const auto& q) { r.downtime_bytes = Bytes{as_bytes(q)}; }, false},
    {"postcopy ram", "Channels.postcopy",
     [](auto&, auto& r, const auto& q) { r.postcopy_bytes = Bytes{as_bytes(q)}; }, false},
    {"postcopy request count", "Others.postcopy_req",
     [](auto&, auto& r, const auto& q) {
       r.postcopy_requests = static_cast<std::uint64_t>(q.value);
     },
     false},
};

// Applies one "name" and its value; true when it was a RAM statistic.
bool apply_hmp_field(std::string_view name, std::string_view value, MigrationInfo& info,
                     RamStats& ram) {
  for (const HmpField& f : hmp_fields) {
    if (f.name != name && (f.name_10.empty() || f.name_10 != name)) continue;
    auto q = quantity(value);
    if (!q) return false;
    f.set(info, ram, *q);
    return f.ram;
  }
  return false;
}

// "failed (Unable to write to socket: ...)" in some releases.
void take_status(std::string_view value, MigrationInfo& info) {
  auto paren = value.find(" (");
  info.status = std::string(value.substr(0, paren));
  if (paren != std::string_view::npos && info.error_desc.empty()) {
    std::string_view rest = value.substr(paren + 2);
    if (!rest.empty() && rest.back() == ')') rest.remove_suffix(1);
    info.error_desc = std::string(rest);
  }
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
    if (key == "Migration status" || key == "Status") {
      take_status(value, info);
      status_seen = true;
    } else if (key == "error description" || key == "Error") {
      info.error_desc = std::string(value);
    } else if (key == "Remaining") {  // 10.1+: the RAM left, on a line of its own
      any_ram |= apply_hmp_field("Transfers.remain", value, info, ram);
    } else if (value.find('=') != std::string_view::npos) {
      // 10.1+: "Section: name=value, name=value"
      std::size_t from = 0;
      while (from < value.size()) {
        std::size_t comma = value.find(',', from);
        std::string_view pair =
            trim(value.substr(from, comma == value.npos ? value.npos : comma - from));
        from = comma == value.npos ? value.size() : comma + 1;
        auto eq = pair.find('=');
        if (eq == std::string_view::npos) continue;
        std::string name = key + "." + std::string(trim(pair.substr(0, eq)));
        any_ram |= apply_hmp_field(name, pair.substr(eq + 1), info, ram);
      }
    } else {
      any_ram |= apply_hmp_field(key, value, info, ram);
    }
  }
  if (!status_seen) {
    // QEMU prints nothing about the migration before the first one starts.
    if (text.find_first_not_of(" \n") == std::string_view::npos ||
        text.find("globals:") != std::string_view::npos) {
      info.status = "none";
      return info;
    }
    return qmp::fail(qmp::ErrorKind::protocol,
                     fmt::format("HMP 'info migrate' printed no status line ('Migration status:' "
                                 "or 'Status:'): {}",
                                 std::string(text.substr(0, 200))));
  }
  if (any_ram) info.ram = ram;
  return info;
}

}  // namespace qsock::migration
