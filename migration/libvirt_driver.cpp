#include "migration/libvirt_driver.h"

#include <chrono>
#include <memory>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "migration/channel.h"
#include "qmp/libvirt_link.h"
#include "sockopts/options.h"

namespace qsock::migration {

namespace {

using Clock = std::chrono::steady_clock;

std::optional<std::uint64_t> stat(const Json& stats, const char* key) {
  auto it = stats.find(key);
  if (it == stats.end() || !it->is_number()) return std::nullopt;
  return it->get<std::uint64_t>();
}

std::optional<Milliseconds> stat_ms(const Json& stats, const char* key) {
  auto v = stat(stats, key);
  if (!v) return std::nullopt;
  return Milliseconds(static_cast<long long>(*v));
}

// The libvirt job's outcome, reported by the thread that runs it.
struct JobOutcome {
  std::mutex mutex;
  bool done = false;
  qmp::Result<void> result;
};

DriverOutcome refused(std::string why) {
  DriverOutcome o;
  o.kind = DriverOutcome::Kind::error;
  o.error = qmp::Error{qmp::ErrorKind::invalid, std::move(why), Json()};
  return o;
}

}  // namespace

MigrationInfo info_from_job_stats(const Json& stats, const std::string& status) {
  MigrationInfo info;
  info.status = status;
  info.raw = stats;
  info.total_time = stat_ms(stats, "time_elapsed");
  info.downtime = stat_ms(stats, "downtime");
  info.setup_time = stat_ms(stats, "setup_time");
  if (auto processed = stat(stats, "memory_processed")) {
    RamStats r;
    r.transferred = Bytes{*processed};
    r.remaining = Bytes{stat(stats, "memory_remaining").value_or(0)};
    r.total = Bytes{stat(stats, "memory_total").value_or(0)};
    // libvirt: bytes per second; QEMU's mbps: megabits per second.
    r.mbps = static_cast<double>(stat(stats, "memory_bps").value_or(0)) * 8.0 / 1e6;
    r.dirty_pages_rate = stat(stats, "memory_dirty_rate").value_or(0);
    r.dirty_sync_count = stat(stats, "memory_iteration").value_or(0);
    r.page_size = Bytes{stat(stats, "memory_page_size").value_or(4096)};
    r.postcopy_requests = stat(stats, "memory_postcopy_requests");
    info.ram = r;
  }
  return info;
}

DriverOutcome run_libvirt_migration(const LibvirtMigration& m, const DriverOptions& options,
                                    const DriverSinks& sinks) {
  auto command = [&] { return Deadline::after(options.command_timeout); };
  auto note = [&](MigrationReport& r, const std::string& n) {
    r.notes.push_back(n);
    if (sinks.note) sinks.note(n);
  };
  if (m.target.value("type", "") != "inet")
    return refused("--domain migrates over TCP: give --to tcp:HOST:PORT");
  std::string host = m.target.value("host", "");
  std::string port_text = m.target.value("port", "");
  unsigned long port = std::strtoul(port_text.c_str(), nullptr, 10);
  if (host.empty() || port == 0 || port > 65535)
    return refused(
        "--domain needs a fixed TCP port in --to (tcp:HOST:PORT): libvirt's "
        "destination listens there and qsock finds the connections by it");
  auto wanted = sockopts::options_from_json(m.target);
  if (!wanted) return refused(wanted.error().text());

  auto source = qmp::LibvirtLink::open(m.source_uri, m.domain, command());
  if (!source) {
    DriverOutcome o;
    o.kind = DriverOutcome::Kind::error;
    o.error = source.error();
    return o;
  }
  std::shared_ptr<qmp::LibvirtLink> src = *source;
  DriverOutcome out;
  MigrationReport& r = out.report;
  r.sockopts_via = SockoptsMode::inject;
  r.destination_sockopts_via = SockoptsMode::inject;

  std::vector<ChannelSweeper> sweepers;
  if (auto pid = src->qemu_pid(qmp::LibvirtLink::Role::running))
    sweepers.emplace_back(*pid, SocketMatch{static_cast<std::uint16_t>(port), std::nullopt},
                          *wanted, SocketEnd::source);
  else
    note(r,
         "the source QEMU is not on this host (or not visible): its connections are not "
         "bounded by qsock");

  // The job runs on a thread of its own: libvirt returns when it is over.
  std::string uri = host.find(':') != std::string::npos ? fmt::format("tcp://[{}]:{}", host, port)
                                                        : fmt::format("tcp://{}:{}", host, port);
  auto job = std::make_shared<JobOutcome>();
  qmp::LibvirtMigrateRequest request{m.dest_uri, uri, m.bandwidth_mib};
  std::thread([src, request, job] {
    auto result = src->migrate(request);
    std::lock_guard<std::mutex> lock(job->mutex);
    job->result = result;
    job->done = true;
  }).detach();
  out.started = true;

  auto start = Clock::now();
  auto finished = [&] {
    std::lock_guard<std::mutex> lock(job->mutex);
    return job->done;
  };
  std::shared_ptr<qmp::LibvirtLink> dst;
  bool dst_swept = false;
  bool aborted = false;
  std::optional<Deadline> overall;
  if (options.timeout) overall = Deadline::after(*options.timeout);
  MigrationInfo last;
  while (!finished()) {
    for (ChannelSweeper& s : sweepers) s.sweep();
    // The destination's QEMU appears once libvirt has started it.
    if (!dst)
      if (auto d = qmp::LibvirtLink::open(m.dest_uri, m.domain, Deadline::after(Milliseconds(500)));
          d)
        dst = *d;
    if (dst && !dst_swept)
      if (auto pid = dst->qemu_pid(qmp::LibvirtLink::Role::incoming)) {
        sweepers.emplace_back(*pid, SocketMatch{std::nullopt, static_cast<std::uint16_t>(port)},
                              *wanted, SocketEnd::destination);
        dst_swept = true;
      }
    if (auto stats = src->job_stats(false, command()); stats) {
      last = info_from_job_stats(*stats, "active");
      if (sinks.progress)
        sinks.progress({last, std::chrono::duration_cast<Milliseconds>(Clock::now() - start),
                        last.ram ? last.ram->dirty_sync_count : 0, ""});
    }
    bool interrupted = options.interrupted && options.interrupted->load();
    bool timed_out = overall && overall->expired();
    if ((interrupted || timed_out) && !aborted) {
      aborted = true;
      out.interrupted = interrupted;
      r.fired = interrupted ? "interrupted"
                            : fmt::format("--timeout {} s", options.timeout->count() / 1000);
      note(r, r.fired + ": aborting libvirt's migration job (libvirt puts the source back)");
      if (auto a = src->abort_job(command()); !a) note(r, "abort failed: " + a.error().message);
    }
    // Sweep five times a poll: a fast migration's connections live briefly.
    for (int i = 0; i < 5 && !finished(); ++i) {
      std::this_thread::sleep_for(options.poll_interval / 5);
      for (ChannelSweeper& s : sweepers) s.sweep();
    }
  }
  for (ChannelSweeper& s : sweepers) {
    r.channels.insert(r.channels.end(), s.channels.begin(), s.channels.end());
    for (const std::string& f : s.failures)
      note(r, fmt::format("a {} connection: {}",
                          s.end == SocketEnd::source ? "source" : "destination", f));
  }
  qmp::Result<void> result;
  {
    std::lock_guard<std::mutex> lock(job->mutex);
    result = job->result;
  }
  r.status = result ? "completed" : (aborted ? "cancelled" : "failed");
  if (!result) r.error = result.error().message;
  if (auto stats = src->job_stats(true, command()); stats && !stats->empty())
    last = info_from_job_stats(*stats, r.status);
  r.ram = last.ram;
  r.total_time = last.total_time;
  r.downtime = last.downtime;
  r.setup_time = last.setup_time;
  r.passes = last.ram ? last.ram->dirty_sync_count : 0;
  auto state = src->state(command());
  r.source_state = state ? *state : "unknown";
  if (!dst)
    if (auto d = qmp::LibvirtLink::open(m.dest_uri, m.domain, command()); d) dst = *d;
  if (dst) {
    auto ds = dst->state(command());
    r.destination_state = ds ? *ds : "unknown";
  } else {
    r.destination_state = "gone";
  }
  if (result) note(r, "migrated by libvirt (peer to peer, live)");
  return out;
}

}  // namespace qsock::migration
