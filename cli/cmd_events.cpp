// qsock events [-s SOCK] [--name NAME]... [--count N] [--timeout S]
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/monitor_options.h"
#include "cli/positive_number.h"
#include "qmp/session.h"

namespace qsock::cli {

namespace {

struct EventsOptions {
  MonitorOptions monitor;
  std::vector<std::string> names;
  std::uint64_t count = 0;  // 0: no limit
  bool timeout_given = false;
};

bool iequal(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

bool wanted(const EventsOptions& o, const std::string& name) {
  if (o.names.empty()) return true;
  return std::any_of(o.names.begin(), o.names.end(),
                     [&](const std::string& n) { return iequal(n, name); });
}

ExitCode run_events(Context& ctx, const EventsOptions& o) {
  auto address = resolve_monitor(ctx, o.monitor);
  if (!address) return report(ctx, address.error());
  // --timeout bounds the whole run; without it only connecting is bounded (10 s).
  auto deadline =
      o.timeout_given ? deadline_from_seconds(o.monitor.timeout_seconds) : Deadline::never();
  auto session = qmp::Session::connect(*address, deadline.min(deadline_from_seconds(10.0)));
  if (!session) return report(ctx, session.error());
  std::uint64_t seen = 0;
  while (o.count == 0 || seen < o.count) {
    auto event = session->next_event(deadline);
    if (!event) {
      qmp::Error e = event.error();
      // --timeout without --count asks to listen for that long: its end is
      // the end of the run, not a failure.
      if (e.kind == qmp::ErrorKind::timeout && o.count == 0 && o.timeout_given) return ExitCode::ok;
      if (e.kind == qmp::ErrorKind::timeout)
        e.message += o.count ? fmt::format(" ({} of {} events received)", seen, o.count)
                             : fmt::format(" ({} events received)", seen);
      return report(ctx, e);
    }
    if (!wanted(o, event->name)) continue;
    fmt::print(ctx.out, "{}\n", dump_json(event->message));
    std::fflush(ctx.out);
    ++seen;
  }
  return ExitCode::ok;
}

}  // namespace

void add_events_command(CLI::App& app, Context& ctx, Action& action) {
  auto o = std::make_shared<EventsOptions>();
  auto* cmd = app.add_subcommand(
      "events", "Print QMP events as they arrive, one JSON object a line with its timestamp");
  add_monitor_options(*cmd, o->monitor,
                      "Listen for this many seconds, then stop: exit 0 without --count, exit 5 "
                      "when fewer than --count events came (default: wait until --count events "
                      "or interrupted; connecting is always bounded by 10 s)");
  cmd->add_option("--name", o->names, "Only events with this name (repeatable, any case)");
  cmd->add_option("--count", o->count, "Exit 0 after this many events")->check(positive_number());
  cmd->callback([&ctx, &action, o, cmd] {
    o->timeout_given = cmd->count("--timeout") > 0;
    action = [&ctx, o] { return run_events(ctx, *o); };
  });
}

}  // namespace qsock::cli
