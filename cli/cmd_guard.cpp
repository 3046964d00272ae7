// qsock guard [--policy FILE | --set OPTIONS] [--once] [--interval MS]: the host
// service that bounds every QEMU connection, whoever opened it; one line per
// action (text, or JSON with --json), a Prometheus textfile with --metrics,
// SIGHUP reloads the policy, SIGTERM/SIGINT stop it.
#include <poll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <ctime>
#include <memory>

#include <fmt/format.h>

#include "base/interrupt.h"
#include "cli/commands.h"
#include "cli/positive_number.h"
#include "guard/guard.h"
#include "guard/metrics.h"
#include "guard/policy.h"
#include "sockopts/assignments.h"

namespace qsock::cli {

namespace {

struct GuardArgs {
  std::string policy;
  std::string set;
  std::string check_policy;
  std::string metrics;
  bool once = false;
  int interval_ms = 100;
  int verify_interval_ms = 2000;
};

// How often the metrics file is rewritten when nothing happened, so that
// its timestamp says the guard is alive.
constexpr auto kMetricsRefresh = std::chrono::seconds(10);

std::string utc_now() {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}

std::string assignments(const sockopts::SocketOptions& o) {
  std::string out;
  const Json members = sockopts::to_json(sockopts::socket_members(o));
  for (const auto& [key, value] : members.items()) {
    std::string v = value.is_boolean() ? (value.get<bool>() ? "on" : "off") : dump_json(value);
    out += fmt::format("{}{}={}", out.empty() ? "" : ",", key, v);
  }
  return out;
}

// The members of `read` that `wanted` asks for: what a text line shows.
sockopts::SocketOptions only_wanted(sockopts::SocketOptions read,
                                    const sockopts::SocketOptions& wanted) {
  sockopts::for_each_socket_member([&](auto member) {
    if (!(wanted.*member)) (read.*member).reset();
  });
  return sockopts::socket_members(read);
}

double ms_of(Microseconds us) { return static_cast<double>(us.count()) / 1000.0; }

Json event_json(const guard::Event& e) {
  Json j = Json::object();
  j["time"] = utc_now();
  j["event"] = std::string(guard::event_name(e.type));
  j["pid"] = e.qemu.pid;
  j["process"] = e.qemu.process;
  if (e.qemu.domain) j["domain"] = *e.qemu.domain;
  if (e.connection) {
    const guard::ConnectionRef& c = *e.connection;
    j["fd"] = c.fd;
    j["inode"] = c.inode;
    j["local"] = c.local.text();
    j["peer"] = c.peer.text();
    j["kind"] = std::string(guard::kind_name(c.kind));
    if (c.channel != guard::Channel::none)
      j["channel"] = std::string(guard::channel_name(c.channel));
  }
  if (!e.rule.empty()) j["rule"] = e.rule;
  if (e.wanted) j["wanted"] = sockopts::to_json(sockopts::socket_members(*e.wanted));
  if (e.options) j["options"] = sockopts::to_json(sockopts::socket_members(*e.options));
  if (!e.differences.empty()) {
    Json d = Json::array();
    for (const auto& diff : e.differences)
      d.push_back({{"key", diff.key}, {"wanted", diff.wanted}, {"effective", diff.effective}});
    j["differences"] = d;
  }
  if (e.latency) j["latency_ms"] = std::round(ms_of(*e.latency) * 10) / 10;
  if (!e.error.empty()) j["error"] = e.error;
  if (!e.hint.empty()) j["hint"] = e.hint;
  return j;
}

std::string event_text(const guard::Event& e) {
  std::string who = fmt::format("pid {} ({}{})", e.qemu.pid, e.qemu.process,
                                e.qemu.domain ? ", domain " + *e.qemu.domain : "");
  std::string line = fmt::format("{} {} {}", utc_now(), guard::event_name(e.type), who);
  if (e.connection) {
    const guard::ConnectionRef& c = *e.connection;
    line += fmt::format(" fd {} {} -> {} {}", c.fd, c.local.text(), c.peer.text(),
                        guard::kind_name(c.kind));
    if (c.channel != guard::Channel::none)
      line += fmt::format(" ({})", guard::channel_name(c.channel));
  }
  if (e.options)
    line += ": " + assignments(e.wanted ? only_wanted(*e.options, *e.wanted) : *e.options);
  for (const auto& d : e.differences)
    line += fmt::format("; {} is {}, not {}", d.key, d.effective, d.wanted);
  if (!e.rule.empty()) line += fmt::format(" [{}]", e.rule);
  if (e.latency) line += fmt::format(" within {:.1f} ms", ms_of(*e.latency));
  if (!e.error.empty()) line += ": " + e.error;
  if (!e.hint.empty() && e.error.find(e.hint) == std::string::npos) line += " (" + e.hint + ")";
  return line;
}

// A line of the guard's own (started, policy, stopped).
void say(const Context& ctx, std::string_view event, const std::string& text,
         Json extra = Json::object()) {
  if (ctx.json) {
    Json j = Json::object();
    j["time"] = utc_now();
    j["event"] = std::string(event);
    for (auto& [k, v] : extra.items()) j[k] = v;
    j["message"] = text;
    fmt::print(ctx.out, "{}\n", dump_json(j));
  } else {
    fmt::print(ctx.out, "{} {} {}\n", utc_now(), event, text);
  }
  std::fflush(ctx.out);
}

std::string policy_summary(const guard::Policy& p) {
  std::string defaults = assignments(p.defaults);
  return fmt::format("{}: defaults {}, {} kind table(s), {} rule(s){}", p.source,
                     defaults.empty() ? "(none)" : defaults, p.kinds.size(), p.rules.size(),
                     p.enforce ? ", enforce" : "");
}

ExitCode check_policy(const Context& ctx, const std::string& path) {
  auto policy = guard::load_policy(path);
  if (!policy) {
    fmt::print(ctx.err, "{}", guard::format_errors(path, policy.error()));
    return fail(
        ctx, ExitCode::invalid,
        fmt::format("{}: {} problem(s); the policy is refused", path, policy.error().size()));
  }
  fmt::print(ctx.out, "{}: valid ({})\n", path, policy_summary(*policy));
  return ExitCode::ok;
}

// SIGHUP, SIGTERM and SIGINT arrive through a signalfd the loop polls, so a
// reload happens between scans, never inside one.
struct Signals {
  Fd fd;
  sigset_t set{};
};

Signals block_signals() {
  Signals s;
  ::sigemptyset(&s.set);
  for (int sig : {SIGHUP, SIGTERM, SIGINT}) ::sigaddset(&s.set, sig);
  ::sigprocmask(SIG_BLOCK, &s.set, nullptr);
  s.fd.reset(::signalfd(-1, &s.set, SFD_CLOEXEC | SFD_NONBLOCK));
  return s;
}

ExitCode run_guard(Context& ctx, const GuardArgs& a) {
  if (!a.check_policy.empty()) return check_policy(ctx, a.check_policy);
  if (a.policy.empty() && a.set.empty())
    return fail(ctx, ExitCode::usage, "qsock guard needs --policy FILE or --set OPTIONS");

  guard::Policy policy;
  if (!a.set.empty()) {
    auto options = sockopts::options_from_assignments(a.set);
    if (!options) return fail(ctx, ExitCode::usage, "--set: " + options.error().text());
    policy = guard::policy_for_all(*options);
  } else {
    auto loaded = guard::load_policy(a.policy);
    if (!loaded) {
      fmt::print(ctx.err, "{}", guard::format_errors(a.policy, loaded.error()));
      return fail(ctx, ExitCode::invalid, fmt::format("{}: the policy is refused", a.policy));
    }
    policy = std::move(*loaded);
  }

  // A metrics file that cannot be written is refused now, not warned about
  // every ten seconds of a service's life.
  if (!a.metrics.empty())
    if (auto written = guard::write_atomically(a.metrics, guard::prometheus_text({})); !written)
      return fail(ctx, ExitCode::invalid, "--metrics: " + written.error().text());

  Signals signals = block_signals();
  guard::GuardSettings settings{Milliseconds(a.interval_ms), Milliseconds(a.verify_interval_ms)};
  say(ctx, "started",
      fmt::format("guard pid {}, every {} ms, policy {}", ::getpid(), a.interval_ms,
                  policy_summary(policy)),
      Json{{"guard_pid", ::getpid()}, {"interval_ms", a.interval_ms}, {"policy", policy.source}});
  if (::geteuid() != 0)
    say(ctx, "note",
        "not root: only QEMUs of this user are reachable, and only where "
        "kernel.yama.ptrace_scope allows it (pidfd_getfd needs PTRACE_MODE_ATTACH)");
  guard::Guard g(std::move(policy), settings);

  bool any_failed = false;
  auto last_metrics = std::chrono::steady_clock::time_point{};
  int stop_signal = 0;
  for (;;) {
    auto tick_start = std::chrono::steady_clock::now();
    std::vector<guard::Event> events = g.tick();
    for (const guard::Event& e : events) {
      if (e.type == guard::EventType::failed) any_failed = true;
      if (ctx.json)
        fmt::print(ctx.out, "{}\n", dump_json(event_json(e)));
      else
        fmt::print(ctx.out, "{}\n", event_text(e));
    }
    if (!events.empty()) std::fflush(ctx.out);
    auto now = std::chrono::steady_clock::now();
    if (!a.metrics.empty() &&
        (!events.empty() || now - last_metrics >= kMetricsRefresh || a.once)) {
      last_metrics = now;
      if (auto written = guard::write_atomically(a.metrics, guard::prometheus_text(g.counters()));
          !written)
        warn(ctx, "--metrics: " + written.error().text());
    }
    if (a.once) break;

    // Wait for the next tick, or a signal.
    auto next = tick_start + Milliseconds(a.interval_ms);
    auto wait = std::chrono::duration_cast<Milliseconds>(next - std::chrono::steady_clock::now());
    pollfd p{signals.fd.get(), POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(std::max<long long>(0, wait.count()))) <= 0) continue;
    signalfd_siginfo info{};
    while (::read(signals.fd.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
      if (info.ssi_signo != SIGHUP) {
        stop_signal = static_cast<int>(info.ssi_signo);
        break;
      }
      if (a.policy.empty()) {
        say(ctx, "policy", "SIGHUP: nothing to reload (--set)");
        continue;
      }
      auto loaded = guard::load_policy(a.policy);
      if (!loaded) {
        ++g.counters().policy_reload_failures;
        say(ctx, "policy-rejected",
            fmt::format("SIGHUP: {} is refused, keeping the policy loaded before: {}", a.policy,
                        guard::format_errors(a.policy, loaded.error())),
            Json{{"policy", a.policy}});
        continue;
      }
      say(ctx, "policy", "reloaded " + policy_summary(*loaded), Json{{"policy", a.policy}});
      g.set_policy(std::move(*loaded));
    }
    if (stop_signal != 0) break;
  }
  if (!a.once)
    say(ctx, "stopped",
        fmt::format("{}: {} connection(s) known", signal_name(stop_signal), g.connections()));
  if (a.once && any_failed) return ExitCode::invalid;
  return ExitCode::ok;
}

}  // namespace

void add_guard_command(CLI::App& app, Context& ctx, Action& action) {
  auto a = std::make_shared<GuardArgs>();
  auto* cmd = app.add_subcommand(
      "guard", "Bound every QEMU connection on this host, whoever opened it (a service)");
  auto* policy =
      cmd->add_option("--policy", a->policy, "The policy file (TOML; see qsock(1), GUARD POLICY)");
  auto* set = cmd->add_option("--set", a->set,
                              "Instead of a policy: these options on every QEMU connection, as "
                              "for sockets --set (user-timeout=30000,keep-alive=on)");
  auto* check = cmd->add_option("--check-policy", a->check_policy,
                                "Check a policy file, report each problem with its line, and exit");
  policy->excludes(set);
  check->excludes(policy)->excludes(set);
  cmd->add_flag("--once", a->once, "One scan, then exit (1 if a connection failed)");
  cmd->add_option("--interval", a->interval_ms, "Milliseconds between scans (default 100)")
      ->check(CLI::Range(10, 60000));
  cmd->add_option("--verify-interval", a->verify_interval_ms,
                  "Milliseconds between read-backs of bounded connections (default 2000)")
      ->check(CLI::Range(100, 3600000));
  cmd->add_option("--metrics", a->metrics,
                  "Write Prometheus metrics to this file (textfile collector), atomically");
  cmd->footer(
      "Runs until SIGTERM or SIGINT; SIGHUP reloads the policy (a bad file keeps the one in\n"
      "force). One line per action, JSON with qsock --json. Needs root, or the QEMUs' user\n"
      "where kernel.yama.ptrace_scope allows pidfd_getfd. The service: qsock-guard.service.\n"
      "Examples:\n"
      "  qsock guard --check-policy /etc/qsock/guard.toml\n"
      "  qsock guard --once --set user-timeout=30000,keep-alive=on\n"
      "  qsock --json guard --policy /etc/qsock/guard.toml --metrics /var/lib/qsock/guard.prom\n"
      "Exit status: 0 stopped by a signal (or --once: all bounded), 1 a bad policy (or --once:\n"
      "a connection failed), 2 usage.");
  cmd->callback([&ctx, &action, a] { action = [&ctx, a] { return run_guard(ctx, *a); }; });
}

}  // namespace qsock::cli
