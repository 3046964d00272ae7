#include "migration/driver.h"

#include <cerrno>
#include <chrono>
#include <memory>
#include <thread>

#include <fmt/format.h>

#include "base/expected.h"
#include "migration/channel.h"
#include "migration/monitor.h"
#include "migration/stderr_log.h"
#include "schema/loader.h"
#include "sockopts/apply.h"
#include "sockopts/connect.h"
#include "sockopts/error.h"
#include "sockopts/tcp_info.h"
#include "uri/convert.h"

namespace qsock::migration {

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* source_fd_name = "qsock-migration";
constexpr const char* incoming_fd_name = "qsock-incoming";
const std::vector<std::string> per_socket_keys = {
    "keep-alive", "keep-alive-count", "keep-alive-idle", "keep-alive-interval", "user-timeout"};

Milliseconds since(Clock::time_point t) {
  return std::chrono::duration_cast<Milliseconds>(Clock::now() - t);
}

std::string label(const char* role, const Monitor& m) {
  std::string v = m.version();
  return fmt::format("{} (QEMU {})", role, v.empty() ? "of unknown version" : v);
}

// Wall-clock microseconds of an event's timestamp.
std::optional<long long> event_time_us(const qmp::Event& e) {
  if (!e.timestamp.is_object()) return std::nullopt;
  auto s = e.timestamp.value("seconds", -1LL), us = e.timestamp.value("microseconds", -1LL);
  if (s < 0 || us < 0) return std::nullopt;
  return s * 1'000'000 + us;
}

// The target for QEMU: without the members qsock applies itself.
Json without_members(Json target, const std::vector<std::string>& keys) {
  for (const std::string& k : keys) target.erase(k);
  return target;
}

qmp::Result<std::string> legacy_uri(const Json& target) {
  uri::Endpoint e;
  e.address = target;
  // A URI carries the address alone: the schema (which decides the extras
  // of the other fronts) plays no part, so the embedded one serves.
  auto r = uri::render(e, uri::Syntax::uri, schema::embedded_schema());
  if (!r)
    return qmp::fail(qmp::ErrorKind::invalid,
                     "cannot write the target as a URI: " + r.error().message);
  return *r;
}

std::optional<std::uint16_t> target_port(const Json& target) {
  std::string p = target.value("port", "");
  if (p.empty() || p.find_first_not_of("0123456789") != std::string::npos || p.size() > 5)
    return std::nullopt;
  int v = std::stoi(p);
  if (v <= 0 || v > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(v);
}

// QEMU drops "ram" from query-migrate once a migration has failed: what
// was sent is still what the report should show.
void keep_last_seen(MigrationInfo& now, const MigrationInfo& before) {
  if (!now.ram) now.ram = before.ram;
}

// Everything the follow loop needs and fills.
struct Run {
  Run(Monitor& source, Monitor* destination, const DriverOptions& o, const DriverSinks& s)
      : src(&source), dst(destination), options(o), sinks(s) {
    if (dst != nullptr)
      if (auto pid = dst->pid()) dst_stderr = open_stderr_log(*pid);
  }

  Monitor* src = nullptr;
  Monitor* dst = nullptr;  // null without -d
  DriverOptions options;
  DriverSinks sinks;
  std::optional<StderrLog> dst_stderr;  // where the destination says why it failed
  Clock::time_point start = Clock::now();
  std::optional<long long> stop_us;    // source STOP
  std::optional<long long> resume_us;  // destination RESUME
  std::uint64_t passes = 0;
  MigrationInfo last;
  std::optional<Milliseconds> last_expected;
  Fd src_socket;  // our view of the source's migration socket (fd or inject)
  // The destination's socket as read right after its options were applied.
  // qsock never keeps a duplicate of it: a duplicate would keep the
  // connection open after the destination died, and the source would
  // complete into qsock's buffers and stay paused.
  std::optional<SocketView> dst_socket_at_start;
  sockopts::SocketOptions wanted;
  std::string fired;
  bool interrupted = false;
  bool cancel_on_interrupt = true;  // watch: Ctrl-C stops watching, the migration goes on
  std::vector<std::string> notes;
  // Every connection of the migration on each side, swept each poll.
  std::vector<ChannelSweeper> sweepers;
  // --postcopy: switch once this many precopy passes are done.
  std::optional<std::uint64_t> postcopy_after;
  bool postcopy_asked = false;
  // Once in postcopy the guest runs on the destination: the source is never
  // resumed and the migration is never cancelled.
  bool postcopy = false;

  Deadline command() const { return Deadline::after(options.command_timeout); }
  void note(const std::string& n) {
    notes.push_back(n);
    if (sinks.note) sinks.note(n);
  }
};

// Whether events become progress lines: not once the final status was shown
// (the events of a fast migration arrive with its last replies).
enum class Progress { shown, quiet };

void handle_events(Run& run, Milliseconds wait_for, Progress progress = Progress::shown) {
  // A monitor without events waits out `wait_for` here: the poll's pace.
  for (qmp::Event& e : run.src->events(Deadline::after(wait_for))) {
    if (e.name == "STOP") run.stop_us = event_time_us(e);
    if (e.name == "MIGRATION_PASS") run.passes = e.data.value("pass", run.passes);
    if (progress == Progress::shown && (e.name == "MIGRATION" || e.name == "MIGRATION_PASS" ||
                                        e.name == "STOP" || e.name == "RESUME")) {
      ProgressUpdate u{run.last, since(run.start), run.passes, e.name};
      if (e.name == "MIGRATION") u.info.status = e.data.value("status", u.info.status);
      if (run.sinks.progress) run.sinks.progress(u);
    }
  }
  if (run.dst != nullptr)
    for (qmp::Event& e : run.dst->events(Deadline::after(Milliseconds(0))))
      if (e.name == "RESUME") run.resume_us = event_time_us(e);
}

// Follows the source's migration until it ends; cancels when a bound fires.
qmp::Result<void> follow(Run& run) {
  auto overall = run.options.timeout ? Deadline::after(*run.options.timeout) : Deadline::never();
  std::uint64_t last_bytes = 0;
  auto last_move = Clock::now();
  bool stall_reported = false;
  std::optional<Deadline> cancel_wait;
  bool told_no_cancel = false;
  auto cancel = [&](std::string why) {
    if (cancel_wait) return;
    // Some migrations qsock must not cancel: it says so once and follows on.
    const char* why_not =
        run.options.source_managed
            ? "the migration belongs to libvirt, which qsock does not bypass (virsh "
              "domjobabort cancels it)"
        : run.postcopy ? "a postcopy migration cannot be cancelled (the guest runs on the "
                         "destination)"
                       : nullptr;
    if (why_not != nullptr) {
      if (!told_no_cancel)
        run.note(fmt::format("{}: {}; qsock goes on following it", why, why_not));
      told_no_cancel = true;
      return;
    }
    run.fired = std::move(why);
    run.note(fmt::format("{}: cancelling the migration", run.fired));
    if (auto c = run.src->cancel(run.command()); !c)
      run.note("migrate_cancel failed: " + c.error().message);
    cancel_wait = run.command();
  };
  for (;;) {
    handle_events(run, run.options.poll_interval);
    auto info = run.src->query_migrate(run.command());
    if (!info) return tl::unexpected(info.error());
    keep_last_seen(*info, run.last);
    run.last = *info;
    for (ChannelSweeper& s : run.sweepers) s.sweep();
    if (guest_runs_on_destination(info->status)) run.postcopy = true;
    if (info->expected_downtime) run.last_expected = info->expected_downtime;
    if (run.sinks.progress)
      run.sinks.progress({*info, since(run.start),
                          run.passes ? run.passes : (info->ram ? info->ram->dirty_sync_count : 0),
                          ""});
    if (stops_following(info->status)) return {};
    std::uint64_t pass = run.passes ? run.passes : (info->ram ? info->ram->dirty_sync_count : 0);
    if (run.postcopy_after && !run.postcopy_asked && info->status == "active" &&
        pass >= *run.postcopy_after + 1) {
      run.postcopy_asked = true;
      // Not yet postcopy: that begins when the destination runs (above).
      if (auto r = run.src->start_postcopy(run.command()); r) {
        run.note(fmt::format("switching to postcopy after {} precopy pass{}", *run.postcopy_after,
                             *run.postcopy_after == 1 ? "" : "es"));
      } else {
        run.note("migrate-start-postcopy failed: " + r.error().message);
      }
    }
    if (cancel_wait && cancel_wait->expired())
      return qmp::fail(qmp::ErrorKind::timeout,
                       fmt::format("the migration is still '{}' {} after migrate_cancel",
                                   info->status, cancel_wait->describe_budget()));
    if (run.options.interrupted && run.options.interrupted->load() && !run.interrupted) {
      run.interrupted = true;
      if (!run.cancel_on_interrupt) {
        run.fired = fmt::format("interrupted ({}): stopped watching, the migration goes on",
                                signal_name(run.options.interrupted->load()));
        return {};
      }
      cancel(fmt::format("interrupted ({})", signal_name(run.options.interrupted->load())));
    }
    if (overall.expired()) cancel(fmt::format("--timeout {}", overall.describe_budget()));
    std::uint64_t bytes = info->ram ? info->ram->transferred.count : 0;
    if (bytes != last_bytes) {
      last_bytes = bytes;
      last_move = Clock::now();
      stall_reported = false;
    } else if (run.options.stall && since(last_move) >= *run.options.stall && !stall_reported) {
      stall_reported = true;
      std::string state = "socket state unknown (no view of the migration socket)";
      if (run.src_socket.valid()) {
        auto ti = sockopts::read_tcp_info(run.src_socket.get());
        if (ti)
          state = fmt::format(
              "socket {}: {} unacked segments, {} retransmits, last ACK {} ms ago, rto {} ms",
              sockopts::state_name(ti->state), ti->unacked.count, ti->retransmits,
              ti->last_ack_recv.count(), ti->rto.count() / 1000);
      }
      std::string stalled =
          fmt::format("no progress for {} s ({})", run.options.stall->count() / 1000.0, state);
      if (run.options.cancel_on_stall)
        cancel(fmt::format("--stall {} s: {}", run.options.stall->count() / 1000.0, stalled));
      else
        run.note("stalled: " + stalled);
    }
  }
}

// The run state of a monitor, or "exited" when it is gone.
std::string state_of(Monitor& m, Deadline d) {
  auto s = m.run_state(d);
  if (!s) return s.error().kind == qmp::ErrorKind::timeout ? "unknown (no answer)" : "exited";
  return *s;
}

std::optional<Milliseconds> downtime_limit_of(Monitor& m, Deadline d) {
  auto r = m.downtime_limit(d);
  return r ? *r : std::nullopt;
}

// The end: socket read-back, source put back, destination's fate, the report.
void finish(Run& run, bool was_running, MigrationReport& r) {
  if (is_terminal(run.last.status)) {
    // QEMU sets the status before the last numbers (total-time): read them settled.
    std::this_thread::sleep_for(Milliseconds(20));
    if (auto settled = run.src->query_migrate(run.command()); settled) {
      keep_last_seen(*settled, run.last);
      run.last = *settled;
    }
    // Events that came with the last replies (STOP, the last MIGRATION_PASS):
    // counted, not shown after the final status.
    handle_events(run, Milliseconds(0), Progress::quiet);
  }
  r.status = run.last.status;
  r.downtime = run.last.downtime;
  r.total_time = run.last.total_time;
  r.setup_time = run.last.setup_time;
  r.expected_downtime = run.last_expected;
  r.ram = run.last.ram;
  r.passes = run.passes ? run.passes : (run.last.ram ? run.last.ram->dirty_sync_count : 0);
  r.error = run.last.error_desc;
  r.fired = run.fired;
  if (run.src_socket.valid()) {
    r.source_socket =
        read_back(run.src_socket.get(), run.wanted, SocketEnd::source, SocketReadAt::end);
    const std::string& err = r.source_socket->error;
    const auto& ti = r.source_socket->tcp_info;
    if (r.status != "completed" && run.wanted.user_timeout && ti &&
        ti->last_ack_recv >= *run.wanted.user_timeout && r.fired.empty())
      r.fired = fmt::format("TCP_USER_TIMEOUT ({} ms): {}after {:.1f} s of unacknowledged data",
                            run.wanted.user_timeout->count(), err.empty() ? "" : err + " ",
                            ti->last_ack_recv.count() / 1000.0);
  }
  r.destination_socket = run.dst_socket_at_start;
  // QEMU closed its copy; ours would hold the connection half-open.
  run.src_socket.reset();

  auto d = run.command();
  r.downtime_limit = downtime_limit_of(*run.src, d);
  if (r.status == "completed" && run.dst != nullptr && run.stop_us) {
    // The destination resumes once it has loaded the state: wait for its RESUME.
    auto until = Deadline::after(Milliseconds(3000));
    while (!run.resume_us && !until.expired() && run.dst->supports_events())
      for (qmp::Event& e : run.dst->events(Deadline::after(Milliseconds(100))))
        if (e.name == "RESUME") run.resume_us = event_time_us(e);
    if (run.resume_us && *run.resume_us >= *run.stop_us)
      r.observed_downtime = Milliseconds((*run.resume_us - *run.stop_us) / 1000);
  }
  r.source_state = state_of(*run.src, d);
  // finish-migrate is the switchover in progress; postmigrate (or running) follows.
  // In postcopy the source stays in finish-migrate until the last page is sent.
  for (int i = 0; i < 100 && r.source_state == "finish-migrate" && !run.postcopy; ++i) {
    std::this_thread::sleep_for(Milliseconds(20));
    r.source_state = state_of(*run.src, d);
  }
  // The destination ran (RESUME) or took postcopy pages although no poll saw
  // postcopy-active: the guest moved all the same.
  bool postcopy_pages =
      run.last.ram && run.last.ram->postcopy_bytes && run.last.ram->postcopy_bytes->count > 0;
  if (run.postcopy_asked && (postcopy_pages || (run.resume_us && r.status != "completed")))
    run.postcopy = true;
  r.postcopy = run.postcopy;
  if (r.status == "postcopy-paused")
    run.note(
        "postcopy paused: the guest runs on the destination and some of its pages are still on "
        "the source, so neither side can go on alone and the source is not resumed; once the "
        "path is back, resume it with qsock migrate --resume -s SOURCE -d DESTINATION --to "
        "ADDRESS");
  if (is_terminal(r.status) && r.status != "completed" && was_running && !run.postcopy &&
      !run.options.source_managed && r.source_state != "running" && r.source_state != "exited") {
    if (auto c = run.src->cont(d); c) {
      r.source_resumed = true;
      run.note(fmt::format("the source was '{}' after the migration ended '{}': sent cont",
                           r.source_state, r.status));
    } else {
      run.note("cont on the source failed: " + c.error().message);
    }
    r.source_state = state_of(*run.src, d);
  }
  if (run.dst != nullptr)
    r.destination_state = state_of(*run.dst, Deadline::after(Milliseconds(2000)));
  if (r.status != "completed" && run.dst_stderr)
    if (auto line = last_line_since_start(*run.dst_stderr)) r.destination_stderr = *line;
  for (const std::string& i : r.inconsistencies())
    run.notes.push_back("QEMU's numbers disagree: " + i);
  r.notes.insert(r.notes.end(), run.notes.begin(), run.notes.end());
}

qmp::Result<std::unique_ptr<Monitor>> open_monitor(const qmp::MonitorAddress& a, Deadline d,
                                                   bool with_schema) {
  QSOCK_TRY_ASSIGN(std::unique_ptr<Monitor> m, connect_monitor(a, d));
  if (with_schema) QSOCK_TRY(m->load_schema(d));
  return m;
}

// A sweeper for each side whose QEMU pid is known: the source's connections
// to `port`, the destination's accepted on it, each given its options.
void add_sweepers(Run& run, std::uint16_t port, const sockopts::SocketOptions& source_options,
                  const sockopts::SocketOptions& destination_options) {
  if (auto pid = run.src->pid())
    run.sweepers.emplace_back(*pid, SocketMatch{port, std::nullopt}, source_options,
                              SocketEnd::source);
  if (run.dst == nullptr) return;
  if (auto pid = run.dst->pid())
    run.sweepers.emplace_back(*pid, SocketMatch{std::nullopt, port}, destination_options,
                              SocketEnd::destination);
}

// 5. Follow, 6. report: every connection the sweepers found, and how it ended.
DriverOutcome follow_and_report(Run& run, bool was_running, DriverOutcome& out) {
  auto followed = follow(run);
  for (const ChannelSweeper& s : run.sweepers) {
    out.report.channels.insert(out.report.channels.end(), s.channels.begin(), s.channels.end());
    for (const std::string& f : s.failures)
      run.note(fmt::format("a {} connection: {}",
                           s.end == SocketEnd::source ? "source" : "destination", f));
  }
  finish(run, was_running, out.report);
  out.interrupted = run.interrupted;
  if (!followed) {
    out.kind = DriverOutcome::Kind::error;
    out.error = followed.error();
  }
  return out;
}

DriverOutcome error_outcome(qmp::Error e) {
  DriverOutcome o;
  o.kind = DriverOutcome::Kind::error;
  o.error = std::move(e);
  return o;
}

}  // namespace

DriverOutcome run_migration(Monitor& source, Monitor* destination, const MigrationPlan& plan,
                            const DriverOptions& options, const DriverSinks& sinks) {
  Run run(source, destination, options, sinks);
  run.postcopy_after = plan.postcopy_after_passes;

  // 1. Preflight, against both live schemas.
  auto current = run.src->capabilities(run.command());
  if (!current) return error_outcome(current.error());
  MigrationSide src_side{&run.src->schema(), &run.src->features(), label("source", *run.src),
                         *current, run.src->schema_release()};
  std::optional<MigrationSide> dst_side;
  if (run.dst != nullptr) {
    auto dcur = run.dst->capabilities(run.command());
    if (!dcur) return error_outcome(dcur.error());
    dst_side = MigrationSide{&run.dst->schema(), &run.dst->features(),
                             label("destination", *run.dst), *dcur, run.dst->schema_release()};
  }
  DriverOutcome out;
  out.preflight = preflight(plan, src_side, dst_side);
  Preflight& pf = out.preflight;
  bool inet = plan.target_socket_is("inet");
  if (inet) {
    auto opts = sockopts::options_from_json(pf.socket_options);
    if (!opts)
      pf.problems.push_back({opts.error().text(), ""});
    else
      run.wanted = *opts;
  }
  const bool want_opts = has_socket_options(run.wanted);
  std::vector<std::string> missing;
  for (const std::string& m : pf.native_missing)
    if (std::find(per_socket_keys.begin(), per_socket_keys.end(), m) != per_socket_keys.end())
      missing.push_back(m);
  std::optional<ModeChoice> src_mode;
  if (want_opts) {
    const bool multi_channel =
        std::any_of(pf.source_capabilities.begin(), pf.source_capabilities.end(),
                    [](const CapabilityRequest& c) {
                      return c.state && (c.name == "multifd" || c.name == "postcopy-preempt");
                    });
    auto choice = choose_mode(plan.sockopts, {inet, missing, run.src->can_pass_fds(),
                                              run.src->pid().has_value(), multi_channel});
    if (!choice)
      pf.problems.push_back({choice.error().message, ""});
    else
      src_mode = *choice;
  }
  // The destination: is it waiting for migrate-incoming (-incoming defer)?
  bool dst_deferred = false;
  if (run.dst != nullptr) {
    auto state = run.dst->run_state(run.command());
    auto dinfo = run.dst->query_migrate(run.command());
    if (!state) return error_outcome(state.error());
    if (*state != "inmigrate")
      pf.problems.push_back({fmt::format("the destination is '{}', not waiting for a migration "
                                         "(start it with -incoming defer)",
                                         *state),
                             ""});
    dst_deferred = dinfo && dinfo->status == "none";
  }
  // The machine types: QEMU cannot load a migration into another machine
  // type, and the source sees only the connection reset; the cause is on the
  // destination's stderr. Named here, before anything changes.
  if (run.dst != nullptr) {
    auto src_machine = run.src->machine_type(run.command());
    auto dst_machine = run.dst->machine_type(run.command());
    if (src_machine && dst_machine && *src_machine != *dst_machine)
      pf.problems.push_back(
          {fmt::format("the source runs machine type {} and the destination {}: QEMU cannot "
                       "load a migration into another machine type (the source would see only "
                       "the connection reset)",
                       *src_machine, *dst_machine),
           fmt::format("start the destination with -machine {}", *src_machine)});
    else if (!src_machine || !dst_machine)
      pf.notes.push_back(
          fmt::format("machine types not compared: {}",
                      (!src_machine ? src_machine.error() : dst_machine.error()).message));
  }
  // What HMP cannot express, found before anything is changed.
  auto expressible = [&](const Monitor& m, const Json& params, const char* role) {
    for (const auto& [name, value] : params.items())
      if (std::string why = m.cannot_set_parameter(name, value); !why.empty())
        pf.problems.push_back(
            {fmt::format("the {} monitor is {}", role, why), "give that side's QMP monitor"});
  };
  expressible(*run.src, pf.source_parameters, "source");
  if (run.dst != nullptr) expressible(*run.dst, pf.destination_parameters, "destination");
  const Monitor* silent = !run.src->supports_events()                         ? run.src
                          : run.dst != nullptr && !run.dst->supports_events() ? run.dst
                                                                              : nullptr;
  if (silent != nullptr)
    pf.notes.push_back(
        fmt::format("an {} monitor has no events: progress comes from polling 'info "
                    "migrate', and the observed downtime (STOP -> RESUME) is not available",
                    protocol_name(silent->protocol())));
  // --prepare ends before the migration's connection exists: only options
  // QEMU applies itself (native) can reach it.
  if (options.prepare_only && src_mode && src_mode->mode != SockoptsMode::native)
    pf.problems.push_back(
        {fmt::format("--prepare ends before the migration's connection exists, so --sockopts "
                     "{} could not reach it (qsock would have to start the migration)",
                     mode_name(src_mode->mode)),
         "migrate without --prepare, or bound the connection once it exists: qsock sockets "
         "--pid PID --set user-timeout=MS"});
  if (!pf.ok()) {
    out.kind = DriverOutcome::Kind::preflight_failed;
    return out;
  }
  for (const std::string& n : pf.notes) run.note(n);

  // 2. Configure both sides: the destination first, so nothing runs half set.
  std::vector<CapabilityRequest> src_caps = pf.source_capabilities;
  bool events_asked = std::any_of(src_caps.begin(), src_caps.end(),
                                  [](const CapabilityRequest& c) { return c.name == "events"; });
  if (!events_asked && run.src->supports_events() &&
      std::find(run.src->features().capabilities.begin(), run.src->features().capabilities.end(),
                "events") != run.src->features().capabilities.end())
    src_caps.push_back({"events", true, "qsock follows MIGRATION events"});
  if (run.dst != nullptr) {
    if (auto r = run.dst->set_capabilities(pf.destination_capabilities, run.command()); !r)
      return error_outcome(r.error());
    if (auto r = run.dst->set_parameters(pf.destination_parameters, run.command()); !r)
      return error_outcome(r.error());
  }
  if (auto r = run.src->set_capabilities(src_caps, run.command()); !r)
    return error_outcome(r.error());
  if (auto r = run.src->set_parameters(pf.source_parameters, run.command()); !r)
    return error_outcome(r.error());

  MigrationReport& report = out.report;
  if (src_mode) {
    report.sockopts_via = src_mode->mode;
    run.note(
        fmt::format("socket options via {} ({})", mode_name(src_mode->mode), src_mode->reason));
  }
  const bool native = !src_mode || src_mode->mode == SockoptsMode::native;
  Json qemu_target = native ? plan.target : without_members(plan.target, per_socket_keys);
  bool channels = run.src->supports_channels();
  std::string uri_text;
  if (!channels || (run.dst != nullptr && dst_deferred)) {
    auto u = legacy_uri(qemu_target);
    if (!u && !channels) return error_outcome(u.error());
    if (u) uri_text = *u;
  }

  // 3. The destination's incoming side.
  std::optional<sockopts::Listener> listener;
  std::optional<SockoptsMode> dst_mode;
  if (run.dst != nullptr && dst_deferred) {
    if (src_mode && src_mode->mode == SockoptsMode::fd && run.dst->can_pass_fds()) {
      sockopts::InetAddress a{plan.target.value("host", ""), plan.target.value("port", ""),
                              run.wanted};
      auto l = sockopts::listen_inet(a);
      if (l) {
        listener = std::move(*l);
        dst_mode = SockoptsMode::fd;
      } else if (l.error().errnum == EADDRNOTAVAIL) {
        // The destination's address is not in qsock's network (another host or
        // namespace): qsock cannot listen for it; its QEMU listens, bounded from outside.
        run.note(
            fmt::format("the destination's address is not local to qsock ({}): its "
                        "QEMU listens instead",
                        l.error().text()));
      } else {
        return error_outcome(
            qmp::Error{qmp::ErrorKind::invalid, "listen: " + l.error().text(), Json()});
      }
    }
    if (dst_mode != SockoptsMode::fd) {
      // Options the destination's schema lacks are applied from outside.
      std::vector<std::string> dmissing;
      for (const std::string& k : per_socket_keys)
        if (plan.target.contains(k) && !run.dst->has_inet_member(k)) dmissing.push_back(k);
      auto durl = legacy_uri(without_members(plan.target, dmissing));
      if (!durl) return error_outcome(durl.error());
      if (auto r = run.dst->migrate_incoming(*durl, run.command()); !r)
        return error_outcome(r.error());
      if (want_opts && dmissing.empty())
        dst_mode = SockoptsMode::native;
      else if (want_opts && run.dst->pid())
        dst_mode = SockoptsMode::inject;
    }
  } else if (run.dst != nullptr && want_opts && run.dst->pid()) {
    dst_mode = SockoptsMode::inject;
  }
  if (want_opts && run.dst != nullptr && !dst_mode)
    run.note("the destination's socket is not bounded: its QEMU's pid is unknown");
  if (want_opts && run.dst == nullptr)
    run.note(
        "the destination's socket is not bounded by qsock (no -d): a dead source goes "
        "unnoticed there unless its own -incoming address bounds it");
  report.destination_sockopts_via = dst_mode;

  if (options.prepare_only) {
    report.status = "prepared";
    report.source_state = state_of(*run.src, run.command());
    if (run.dst != nullptr) report.destination_state = state_of(*run.dst, run.command());
    report.notes = run.notes;
    return out;
  }

  // 4. Start, unless Ctrl-C came while configuring.
  if (options.interrupted && options.interrupted->load()) {
    DriverOutcome stopped = error_outcome(
        qmp::Error{qmp::ErrorKind::invalid, "interrupted before the migration started", Json()});
    stopped.interrupted = true;
    return stopped;
  }
  auto was = run.src->run_state(run.command());
  if (!was) return error_outcome(was.error());
  const bool was_running = *was == "running";
  run.start = Clock::now();
  if (src_mode && src_mode->mode == SockoptsMode::fd) {
    sockopts::InetAddress a{plan.target.value("host", ""), plan.target.value("port", ""),
                            run.wanted};
    auto connected = sockopts::connect_inet(a, options.command_timeout);
    if (!connected)
      return error_outcome(
          qmp::Error{qmp::ErrorKind::connect, "connect: " + connected.error().text(), Json()});
    run.src_socket = std::move(*connected);
    if (listener) {
      auto accepted = sockopts::accept_with_deadline(listener->fd.get(), options.command_timeout);
      if (!accepted)
        return error_outcome(
            qmp::Error{qmp::ErrorKind::timeout, "accept: " + accepted.error().text(), Json()});
      if (auto ap = sockopts::apply_options(accepted->get(), run.wanted); !ap)
        return error_outcome(qmp::Error{qmp::ErrorKind::invalid, ap.error().text(), Json()});
      if (auto p = run.dst->pass_fd(accepted->get(), incoming_fd_name, run.command()); !p)
        return error_outcome(p.error());
      if (auto r = run.dst->migrate_incoming(fmt::format("fd:{}", incoming_fd_name), run.command());
          !r)
        return error_outcome(r.error());
      run.dst->consume_fd();
      run.dst_socket_at_start =
          read_back(accepted->get(), run.wanted, SocketEnd::destination, SocketReadAt::start);
      accepted->reset();
      listener.reset();
    }
    if (auto p = run.src->pass_fd(run.src_socket.get(), source_fd_name, run.command()); !p)
      return error_outcome(p.error());
    Json fd_target = {{"transport", "socket"}, {"type", "fd"}, {"str", source_fd_name}};
    if (auto r = run.src->migrate(fmt::format("fd:{}", source_fd_name), fd_target, channels,
                                  run.command());
        !r)
      return error_outcome(r.error());
    run.src->consume_fd();
    report.fd_passed = true;
  } else {
    if (auto r = run.src->migrate(uri_text, qemu_target, channels, run.command()); !r)
      return error_outcome(r.error());
  }
  out.started = true;
  auto port = target_port(plan.target);
  // inject applies the options (QEMU connects at once: a few ms on loopback);
  // otherwise qsock only takes a view for the read-back, and waits less.
  const bool inject_src = src_mode && src_mode->mode == SockoptsMode::inject;
  auto inject_budget = Deadline::after(Milliseconds(inject_src ? 3000 : 1000));
  // A fast migration may be over before qsock finds the socket: then QEMU
  // has closed it, and waiting out the budget would only delay the report.
  auto over = [&run] {
    auto info = run.src->query_migrate(run.command());
    return info && is_terminal(info->status);
  };
  if (inet && port && !run.src_socket.valid() && run.src->pid()) {
    sockopts::SocketOptions apply = inject_src ? run.wanted : sockopts::SocketOptions{};
    auto dup = inject_options(*run.src->pid(), {port, std::nullopt}, apply, inject_budget, over);
    if (dup) {
      run.src_socket = std::move(*dup);
    } else if (!inject_src) {
      run.note("no view of the source's migration socket: " + dup.error().message);
    } else {
      run.note("inject on the source failed: " + dup.error().message);
      report.sockopts_via.reset();  // no socket of the source's got the options
    }
  }
  if (run.dst != nullptr && inet && port && !run.dst_socket_at_start && run.dst->pid()) {
    const bool inject_dst = dst_mode == SockoptsMode::inject;
    sockopts::SocketOptions apply = inject_dst ? run.wanted : sockopts::SocketOptions{};
    auto dup = inject_options(*run.dst->pid(), {std::nullopt, port}, apply, inject_budget, over);
    if (dup) {
      // and closed here
      run.dst_socket_at_start =
          read_back(dup->get(), run.wanted, SocketEnd::destination, SocketReadAt::start);
    } else if (inject_dst) {
      run.note("inject on the destination failed: " + dup.error().message);
      report.destination_sockopts_via.reset();
    }
  }

  // Multifd and postcopy-preempt open more connections while the migration
  // runs: each one is found and bounded (inject) or read (the others) too.
  if (inet && port) {
    add_sweepers(run, *port, inject_src ? run.wanted : sockopts::SocketOptions{},
                 dst_mode == SockoptsMode::inject ? run.wanted : sockopts::SocketOptions{});
    for (ChannelSweeper& s : run.sweepers) s.sweep();
  }

  // 5. Follow, 6. report.
  return follow_and_report(run, was_running, out);
}

DriverOutcome resume_migration(Monitor& source, Monitor& destination, const MigrationPlan& plan,
                               const DriverOptions& options, const DriverSinks& sinks) {
  Run run(source, &destination, options, sinks);
  run.postcopy = true;
  // Both ends must be paused in postcopy: anything else is not this recovery.
  for (Monitor* m : {run.src, run.dst}) {
    auto info = m->query_migrate(run.command());
    if (!info) return error_outcome(info.error());
    if (info->status != "postcopy-paused")
      return error_outcome(qmp::Error{
          qmp::ErrorKind::invalid,
          fmt::format("nothing to resume: the {}'s migration is '{}', not 'postcopy-paused' "
                      "(only a paused postcopy migration can be recovered)",
                      m == run.src ? "source" : "destination", info->status),
          Json()});
  }
  if (plan.target_socket_is("inet")) {
    auto opts = sockopts::options_from_json(plan.target);
    if (!opts)
      return error_outcome(qmp::Error{qmp::ErrorKind::invalid, opts.error().text(), Json()});
    run.wanted = *opts;
  }
  // The options go on from outside (inject), on every new connection.
  Json qemu_target = without_members(plan.target, per_socket_keys);
  auto uri = legacy_uri(qemu_target);
  if (!uri) return error_outcome(uri.error());
  if (auto r = run.dst->recover(*uri, run.command()); !r) return error_outcome(r.error());
  run.start = Clock::now();
  if (auto r = run.src->resume(*uri, qemu_target, false, run.command()); !r)
    return error_outcome(r.error());
  DriverOutcome out;
  out.started = true;
  MigrationReport& report = out.report;
  auto port = target_port(plan.target);
  const bool bound = has_socket_options(run.wanted);
  if (plan.target_socket_is("inet") && port) {
    sockopts::SocketOptions apply = bound ? run.wanted : sockopts::SocketOptions{};
    add_sweepers(run, *port, apply, apply);
    for (const ChannelSweeper& sweeper : run.sweepers)
      if (bound)
        (sweeper.end == SocketEnd::source ? report.sockopts_via : report.destination_sockopts_via) =
            SockoptsMode::inject;
    if (bound && run.sweepers.size() < 2)
      run.note("a QEMU's pid is unknown: its new connection is not bounded");
  }
  run.note(
      fmt::format("recovering: migrate-recover {} on the destination, migrate with resume "
                  "on the source",
                  *uri));
  return follow_and_report(run, false, out);
}

DriverOutcome watch_migration(Monitor& source, Monitor* destination, const DriverOptions& options,
                              const DriverSinks& sinks) {
  Run run(source, destination, options, sinks);
  run.cancel_on_interrupt = false;
  auto info = run.src->query_migrate(run.command());
  if (!info) return error_outcome(info.error());
  if (info->status == "none")
    return error_outcome(qmp::Error{qmp::ErrorKind::invalid,
                                    "no migration on the source (query-migrate: none)", Json()});
  if (options.bound) {
    // The port decides which of each QEMU's connections are the migration's.
    std::optional<std::uint16_t> port = options.port;
    if (!port && run.dst != nullptr)
      if (auto incoming = run.dst->query_migrate(run.command()); incoming)
        port = listening_port(*incoming);
    if (!port)
      return error_outcome(qmp::Error{
          qmp::ErrorKind::invalid,
          "--bound needs the migration's TCP port: the destination's monitor did not name one "
          "(query-migrate socket-address); give it with --port",
          Json()});
    add_sweepers(run, *port, *options.bound, *options.bound);
    if (run.sweepers.empty())
      run.note("--bound: neither QEMU's pid is known here, so no connection can be bounded");
    for (ChannelSweeper& s : run.sweepers) s.sweep();  // before the first poll
  }
  DriverOutcome out;
  out.started = true;
  // Running before? A migration in flight keeps the source running until switchover.
  auto was = run.src->run_state(run.command());
  bool was_running = was && (*was == "running" || *was == "finish-migrate");
  if (stops_following(info->status)) {
    run.last = *info;
    finish(run, was_running, out.report);
    return out;
  }
  return follow_and_report(run, was_running, out);
}

namespace {
// Connects to both monitors (the destination's only with -d) and runs `drive`.
template <typename Drive>
DriverOutcome with_monitors(const qmp::MonitorAddress& source,
                            const std::optional<qmp::MonitorAddress>& destination,
                            Milliseconds command_timeout, bool with_schema, Drive drive) {
  auto src = open_monitor(source, Deadline::after(command_timeout), with_schema);
  if (!src) return error_outcome(src.error());
  std::unique_ptr<Monitor> dst;
  if (destination) {
    auto d = open_monitor(*destination, Deadline::after(command_timeout), with_schema);
    if (!d) return error_outcome(d.error());
    dst = std::move(*d);
  }
  return drive(**src, dst.get());
}
}  // namespace

DriverOutcome run_migration(const qmp::MonitorAddress& source,
                            const std::optional<qmp::MonitorAddress>& destination,
                            const MigrationPlan& plan, const DriverOptions& options,
                            const DriverSinks& sinks) {
  return with_monitors(
      source, destination, options.command_timeout, true,
      [&](Monitor& src, Monitor* dst) { return run_migration(src, dst, plan, options, sinks); });
}

DriverOutcome resume_migration(const qmp::MonitorAddress& source,
                               const qmp::MonitorAddress& destination, const MigrationPlan& plan,
                               const DriverOptions& options, const DriverSinks& sinks) {
  return with_monitors(source, destination, options.command_timeout, false,
                       [&](Monitor& src, Monitor* dst) {
                         return resume_migration(src, *dst, plan, options, sinks);
                       });
}

DriverOutcome watch_migration(const qmp::MonitorAddress& source,
                              const std::optional<qmp::MonitorAddress>& destination,
                              const DriverOptions& options, const DriverSinks& sinks) {
  return with_monitors(
      source, destination, options.command_timeout, false,
      [&](Monitor& src, Monitor* dst) { return watch_migration(src, dst, options, sinks); });
}

}  // namespace qsock::migration
