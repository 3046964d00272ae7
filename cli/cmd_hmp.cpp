// qsock hmp [-s SOCK] [--timeout S] [--fd N] 'COMMAND LINE'
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/monitor_options.h"
#include "qmp/connection.h"
#include "qmp/hmp.h"
#include "qmp/protocol_detect.h"
#include "qmp/session.h"

namespace qsock::cli {

namespace {

struct HmpOptions {
  MonitorOptions monitor;
  std::vector<std::string> words;  // joined by spaces: `qsock hmp info status` works too
  std::string line;
};

qmp::Result<std::string> run_on_monitor(const qmp::MonitorAddress& address, const HmpOptions& o) {
  auto deadline = deadline_from_seconds(o.monitor.timeout_seconds);
  if (address.kind == qmp::MonitorAddress::Kind::libvirt) {
    // libvirt holds QEMU's QMP monitor: HMP goes as human-monitor-command.
    if (o.monitor.pass_fd >= 0)
      return qmp::fail(qmp::ErrorKind::invalid,
                       "--fd with --domain: pass it with 'qsock qmp --domain NAME --fd N getfd "
                       "fdname=NAME'");
    auto session = qmp::Session::connect(address, deadline);
    if (!session) return tl::unexpected(session.error());
    return qmp::human_monitor_command(*session, o.line, deadline);
  }
  auto connection = qmp::Connection::open(address, deadline);
  if (!connection) return tl::unexpected(connection.error());
  auto detected = qmp::detect_protocol(std::move(*connection), deadline);
  if (!detected) return tl::unexpected(detected.error());
  if (detected->protocol == qmp::Protocol::hmp) {
    auto hmp =
        qmp::HmpSession::start(std::move(detected->connection), deadline, detected->already_read);
    if (!hmp) return tl::unexpected(hmp.error());
    return hmp->run(o.line, deadline, o.monitor.pass_fd);
  }
  if (o.monitor.pass_fd >= 0)
    return qmp::fail(qmp::ErrorKind::invalid,
                     "--fd needs an HMP socket; on a QMP socket use 'qsock qmp --fd N getfd "
                     "fdname=NAME'");
  auto session =
      qmp::Session::start(std::move(detected->connection), deadline, detected->already_read);
  if (!session) return tl::unexpected(session.error());
  return qmp::human_monitor_command(*session, o.line, deadline);
}

ExitCode run_hmp(Context& ctx, const HmpOptions& o) {
  // Refuse an unsafe line before connecting: nothing reaches QEMU.
  if (auto ok = qmp::check_hmp_line(o.line); !ok) return report(ctx, ok.error());
  auto address = resolve_monitor(ctx, o.monitor);
  if (!address) return report(ctx, address.error());
  auto output = run_on_monitor(*address, o);
  if (!output) return report(ctx, output.error());
  // HMP has no status: an error is known by the shape of its text.
  auto error = qmp::hmp_error_in(*output);
  if (ctx.json) {
    Json out = Json::object();
    out["output"] = *output;
    if (error) out["error"] = *error;
    fmt::print(ctx.out, "{}\n", dump_json(out));
  } else if (!error) {
    fmt::print(ctx.out, "{}", *output);
  }
  if (error) {
    std::string text = *output;
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return fail(ctx, ExitCode::qemu_error, "QEMU: " + (ctx.json ? *error : text));
  }
  return ExitCode::ok;
}

// CLI11 takes an HMP option (migrate -d) for one of qsock's: say how to pass it.
ExitCode refuse_hmp_options(const Context& ctx, const HmpOptions& o,
                            const std::vector<std::string>& extras) {
  std::string list;
  for (const auto& e : extras) list += (list.empty() ? "" : " ") + e;
  std::string socket = o.monitor.socket.empty() ? "SOCKET" : o.monitor.socket;
  return fail(ctx, ExitCode::usage,
              fmt::format("'{}' is not an option of qsock hmp; put -- before an HMP command "
                          "line that has options: qsock hmp -s {} -- migrate -d tcp:HOST:PORT",
                          list, socket));
}

}  // namespace

void add_hmp_command(CLI::App& app, Context& ctx, Action& action) {
  auto o = std::make_shared<HmpOptions>();
  auto* cmd = app.add_subcommand(
      "hmp", "Run one HMP command line and print its output (QMP or HMP socket)");
  add_monitor_options(*cmd, o->monitor);
  cmd->add_option("--fd", o->monitor.pass_fd,
                  "Pass this open file descriptor with the line (HMP socket only; for "
                  "'getfd NAME')")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("line", o->words,
                  "The command line, e.g. 'info status' (several words are joined by spaces)")
      ->required();
  cmd->footer(
      "On a QMP socket the line runs through human-monitor-command; on an HMP socket "
      "(-monitor unix:PATH,server=on,wait=off) directly. A line with a newline or control "
      "character is refused (exit 1). An HMP error reply (unknown command, arguments HMP "
      "cannot parse, 'Error: ...') exits 4. Put -- before a line with options: "
      "qsock hmp -s SOCKET -- migrate -d tcp:HOST:PORT.");
  // Unknown options stay here rather than fall through to qsock's own, so the
  // error can say how to pass HMP's options; --json is still taken after `hmp`.
  cmd->allow_extras();
  cmd->fallthrough(false);
  cmd->callback([&ctx, &action, o, cmd] {
    std::vector<std::string> extras;
    for (const std::string& e : cmd->remaining())
      if (e == "--json")
        ctx.json = true;
      else
        extras.push_back(e);
    if (!extras.empty()) {
      action = [&ctx, o, extras] { return refuse_hmp_options(ctx, *o, extras); };
      return;
    }
    for (const auto& w : o->words) o->line += (o->line.empty() ? "" : " ") + w;
    action = [&ctx, o] { return run_hmp(ctx, *o); };
  });
}

}  // namespace qsock::cli
