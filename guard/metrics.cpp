#include "guard/metrics.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

#include "base/fd.h"

namespace qsock::guard {

void Counters::count(EventType type, Kind kind) {
  KindCounters& k = kinds[kind];
  switch (type) {
    case EventType::bounded:
      ++k.bounded;
      break;
    case EventType::already_bounded:
      ++k.already_bounded;
      break;
    case EventType::failed:
      ++k.failed;
      break;
    case EventType::ignored:
      ++k.ignored;
      break;
    case EventType::changed:
      ++k.changed;
      break;
    default:
      break;
  }
}

namespace {

struct PerKind {
  const char* name;
  const char* help;
  const char* type;
  std::uint64_t KindCounters::*field;
};

// One metric family per counter, one sample per kind.
constexpr PerKind kPerKind[] = {
    {"qsock_guard_connections_seen_total", "QEMU TCP connections found", "counter",
     &KindCounters::seen},
    {"qsock_guard_connections_bounded_total", "Connections whose options were set and read back",
     "counter", &KindCounters::bounded},
    {"qsock_guard_connections_already_bounded_total",
     "Connections found with the policy's options already in place", "counter",
     &KindCounters::already_bounded},
    {"qsock_guard_connections_failed_total",
     "Connections the options could not be set on or read back from", "counter",
     &KindCounters::failed},
    {"qsock_guard_connections_ignored_total", "Connections the policy leaves alone", "counter",
     &KindCounters::ignored},
    {"qsock_guard_connections_changed_total",
     "Bounded connections whose options someone else changed", "counter", &KindCounters::changed},
    {"qsock_guard_connections", "Open QEMU TCP connections the guard knows", "gauge",
     &KindCounters::current},
};

double seconds(Microseconds us) { return static_cast<double>(us.count()) / 1e6; }

}  // namespace

std::string prometheus_text(const Counters& c) {
  std::string out;
  for (const PerKind& m : kPerKind) {
    out += fmt::format("# HELP {} {}.\n# TYPE {} {}\n", m.name, m.help, m.name, m.type);
    for (Kind k : kAllKinds) {
      auto it = c.kinds.find(k);
      std::uint64_t v = it == c.kinds.end() ? 0 : it->second.*m.field;
      out += fmt::format("{}{{kind=\"{}\"}} {}\n", m.name, kind_name(k), v);
    }
  }
  auto gauge = [&](const char* name, const char* help, const char* type, auto value) {
    out += fmt::format("# HELP {} {}.\n# TYPE {} {}\n{} {}\n", name, help, name, type, name, value);
  };
  gauge("qsock_guard_qemu_processes", "QEMU processes on the host", "gauge", c.qemu_processes);
  gauge("qsock_guard_detection_bound_seconds",
        "Longest a new connection can go unbounded: the interval plus the slowest scan", "gauge",
        seconds(c.detection_bound()));
  gauge("qsock_guard_reaction_seconds_max",
        "Longest measured time from a connection's first scan to its options read back", "gauge",
        seconds(c.reaction_max));
  gauge("qsock_guard_scan_seconds", "Duration of the last scan", "gauge", seconds(c.last_scan));
  gauge("qsock_guard_policy_reload_failures_total", "Reloads refused for a bad policy file",
        "counter", c.policy_reload_failures);
  gauge("qsock_guard_last_scan_timestamp_seconds", "When the last scan ran", "gauge",
        fmt::format("{:.3f}", c.last_scan_unix_seconds));
  return out;
}

sockopts::Result<void> write_atomically(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd.valid()) return tl::unexpected(sockopts::sys_error(fmt::format("cannot write {}", tmp)));
  for (std::size_t at = 0; at < text.size();) {
    ssize_t n = ::write(fd.get(), text.data() + at, text.size() - at);
    if (n < 0) {
      auto e = sockopts::sys_error(fmt::format("cannot write {}", tmp));
      ::unlink(tmp.c_str());
      return tl::unexpected(e);
    }
    at += static_cast<std::size_t>(n);
  }
  fd.reset();
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    auto e = sockopts::sys_error(fmt::format("cannot rename {} to {}", tmp, path));
    ::unlink(tmp.c_str());
    return tl::unexpected(e);
  }
  return {};
}

}  // namespace qsock::guard
