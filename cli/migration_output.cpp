#include "cli/migration_output.h"

#include <algorithm>
#include <cmath>
#include <csignal>

#include <fmt/format.h>

#include "cli/monitor_options.h"
#include "cli/positive_number.h"

namespace qsock::cli {

namespace {
InterruptFlag interrupted{0};

// A supervisor's SIGTERM (timeout(1), systemd, a CI job being cancelled) and
// a closed terminal's SIGHUP get what Ctrl-C gets: a cancelled migration and
// the source as it was, or for demo both QEMUs stopped. Dying at once would
// leave them running.
extern "C" void on_signal(int signal) {
  int none = 0;
  interrupted.compare_exchange_strong(none, signal);
  std::signal(signal, SIG_DFL);  // the same signal again ends qsock at once
}

std::string ms_text(const std::optional<Milliseconds>& v) {
  return v ? fmt::format("{} ms", v->count()) : "n/a";
}

void print_socket(std::FILE* to, const char* who, const migration::SocketView& s) {
  std::string opts = "unreadable";
  if (s.options) opts = dump_json(migration::to_json(s)["options"]);
  fmt::print(to, "  {} socket {} -> {}: options in effect {}\n", who,
             s.local.empty() ? "?" : s.local, s.peer.empty() ? "?" : s.peer, opts);
  for (const sockopts::Difference& d : s.not_applied)
    fmt::print(to, "    NOT in effect: {} wanted {}, socket has {}\n", d.key, d.wanted,
               d.effective);
  if (s.tcp_info)
    fmt::print(to, "    TCP_INFO {}: {}\n", migration::read_at_text(s.read_at),
               dump_json(sockopts::to_json(*s.tcp_info)));
  if (!s.error.empty()) fmt::print(to, "    socket error: {}\n", s.error);
}

// One line a side with several connections (multifd): how many and which
// options each had when qsock found it; the odd ones out are listed.
void print_channels(std::FILE* to, const std::vector<migration::SocketView>& channels) {
  for (migration::SocketEnd end :
       {migration::SocketEnd::source, migration::SocketEnd::destination}) {
    std::vector<const migration::SocketView*> side;
    for (const auto& v : channels)
      if (v.end == end) side.push_back(&v);
    // One connection is the socket line above already.
    if (side.size() < 2) continue;
    const char* who = end == migration::SocketEnd::source ? "source" : "destination";
    std::string first = side.front()->options
                            ? dump_json(migration::to_json(*side.front())["options"])
                            : "unreadable";
    bool alike = std::all_of(side.begin(), side.end(), [&](const migration::SocketView* v) {
      return v->options == side.front()->options && v->not_applied.empty();
    });
    if (alike) {
      fmt::print(to, "  {} connections: {}, each with {}\n", who, side.size(), first);
      continue;
    }
    fmt::print(to, "  {} connections: {}, not all alike:\n", who, side.size());
    for (const migration::SocketView* v : side) print_socket(to, who, *v);
  }
}

Milliseconds ms_of(double seconds) { return Milliseconds(std::llround(seconds * 1000.0)); }

}  // namespace

void print_report(std::FILE* to, const migration::MigrationReport& r) {
  fmt::print(to, "migration {}\n", r.status);
  if (!r.error.empty()) fmt::print(to, "  error (QEMU error-desc):     {}\n", r.error);
  if (!r.fired.empty()) fmt::print(to, "  ended by:                    {}\n", r.fired);
  fmt::print(to, "  downtime (source query-migrate):             {}\n", ms_text(r.downtime));
  fmt::print(to, "  downtime observed (source STOP -> destination RESUME): {}\n",
             ms_text(r.observed_downtime));
  fmt::print(to, "  downtime limit (parameter downtime-limit):   {}\n", ms_text(r.downtime_limit));
  fmt::print(to, "  expected downtime (last query-migrate):      {}\n",
             ms_text(r.expected_downtime));
  fmt::print(to, "  total time (source query-migrate):           {}\n", ms_text(r.total_time));
  fmt::print(to, "  setup time (source query-migrate):           {}\n", ms_text(r.setup_time));
  if (r.ram) {
    auto b = [](const std::optional<Bytes>& v) { return v ? format_bytes(v->count) : "n/a"; };
    fmt::print(to, "  bytes sent (ram): {} of {} RAM; precopy {}, downtime {}, postcopy {}\n",
               format_bytes(r.ram->transferred.count), format_bytes(r.ram->total.count),
               b(r.ram->precopy_bytes), b(r.ram->downtime_bytes), b(r.ram->postcopy_bytes));
    fmt::print(to, "  throughput (QEMU mbps):      {:.1f} Mbit/s\n", r.ram->mbps);
    if (r.postcopy && r.ram->postcopy_requests)
      fmt::print(to, "  postcopy page requests:      {}\n", *r.ram->postcopy_requests);
  }
  fmt::print(to, "  passes:                      {}\n", r.passes);
  fmt::print(to, "  socket options via:          {}{}\n",
             r.sockopts_via ? mode_name(*r.sockopts_via) : "none asked for",
             r.fd_passed ? " (qsock's connection passed with getfd)" : "");
  if (r.destination_sockopts_via)
    fmt::print(to, "  destination socket options via: {}\n",
               mode_name(*r.destination_sockopts_via));
  if (r.source_socket) print_socket(to, "source", *r.source_socket);
  if (r.destination_socket) print_socket(to, "destination", *r.destination_socket);
  print_channels(to, r.channels);
  fmt::print(to, "  source VM:                   {}{}\n", r.source_state,
             r.source_resumed ? " (qsock sent cont)" : "");
  if (!r.destination_state.empty())
    fmt::print(to, "  destination VM:              {}\n", r.destination_state);
  if (!r.destination_stderr.empty())
    fmt::print(to, "  destination's last words:    {}\n", r.destination_stderr);
}

std::string via_name(const std::optional<migration::SockoptsMode>& via) {
  return via ? std::string(migration::mode_name(*via)) : "";
}

void add_follow_options(CLI::App& cmd, FollowOptions& o, const std::string& destination_help,
                        const std::string& timeout_help) {
  cmd.add_option("-d,--destination", o.destination, destination_help);
  cmd.add_option("--timeout", o.timeout_s, timeout_help)->check(positive_number());
  cmd.add_option("--stall", o.stall_s,
                 "Report a stall (and the socket's state) when no bytes move for this many "
                 "seconds")
      ->check(positive_number());
  cmd.add_flag("--cancel-on-stall", o.cancel_on_stall, "Cancel the migration on a --stall");
}

tl::expected<std::optional<qmp::MonitorAddress>, ExitCode> follow_destination(
    const Context& ctx, const FollowOptions& o) {
  if (o.destination.empty()) return std::optional<qmp::MonitorAddress>();
  auto d = qmp::parse_monitor_address(o.destination);
  if (!d) return tl::unexpected(report(ctx, d.error()));
  return std::optional<qmp::MonitorAddress>(*d);
}

migration::DriverOptions driver_options(const FollowOptions& o) {
  migration::DriverOptions options;
  if (o.timeout_s) options.timeout = ms_of(*o.timeout_s);
  if (o.stall_s) options.stall = ms_of(*o.stall_s);
  options.cancel_on_stall = o.cancel_on_stall;
  options.interrupted = install_interrupt_flag();
  return options;
}

migration::DriverSinks sinks_for(ProgressLine& line) {
  return {[&line](const migration::ProgressUpdate& u) { line.update(u); },
          [&line](const std::string& n) { line.note(n); }};
}

const InterruptFlag* install_interrupt_flag() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;
  for (int signal : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(signal, &sa, nullptr);
  return &interrupted;
}

ExitCode finish_outcome(const Context& ctx, ProgressLine& line, const migration::DriverOutcome& o) {
  line.done();
  using Kind = migration::DriverOutcome::Kind;
  if (o.kind == Kind::preflight_failed) {
    const auto& problems = o.preflight.problems;
    if (ctx.json) {
      Json list = Json::array();
      for (const migration::Problem& p : problems)
        list.push_back(
            {{"message", p.message}, {"hint", p.hint.empty() ? Json(nullptr) : Json(p.hint)}});
      fmt::print(ctx.out, "{}\n",
                 dump_json({{"event", "preflight"}, {"ok", false}, {"problems", list}}));
    }
    fmt::print(ctx.err, "qsock: error: preflight found {} problem{}; nothing was changed:\n",
               problems.size(), problems.size() == 1 ? "" : "s");
    for (const migration::Problem& p : problems) {
      fmt::print(ctx.err, "  error: {}\n", p.message);
      if (!p.hint.empty()) fmt::print(ctx.err, "    hint: {}\n", p.hint);
    }
    return ExitCode::invalid;
  }
  if (o.started || o.report.status == "prepared") {
    if (ctx.json)
      fmt::print(ctx.out, "{}\n", dump_json(o.report.to_json()));
    else
      print_report(ctx.out, o.report);
    std::fflush(ctx.out);
  }
  if (o.kind == Kind::error && o.interrupted) {
    (void)report(ctx, o.error);
    return ExitCode::interrupted;
  }
  if (o.kind == Kind::error) return report(ctx, o.error);
  if (o.interrupted) return ExitCode::interrupted;
  if (o.report.status == "completed" || o.report.status == "prepared") return ExitCode::ok;
  return ExitCode::migration_failed;
}

}  // namespace qsock::cli
