// qsock explain: what an address sets on its socket, and how long this host
// takes to notice a dead peer with those settings.
#include <fmt/format.h>

#include "cli/address_input.h"
#include "cli/commands.h"
#include "cli/diagnostics_text.h"
#include "sockopts/describe.h"
#include "sockopts/detection.h"
#include "sockopts/options.h"
#include "sockopts/sysctls.h"
#include "uri/check.h"

namespace qsock::cli {

namespace {

struct ExplainArgs {
  AddressInput address;
  std::string input;
};

// Addresses without TCP underneath have no timeouts to explain.
std::string_view not_tcp_reason(const std::string& type) {
  if (type == "unix")
    return "a UNIX socket has no TCP timeouts: a dead peer on this host closes it at once";
  if (type == "vsock") return "a vsock socket has no TCP timeouts to set";
  if (type == "fd")
    return "an fd socket keeps whatever options its creator set: read them with 'qsock sockets'";
  return "this migration transport does not use a TCP socket";
}

void print_effects(const Context& ctx, const std::vector<sockopts::OptionEffect>& effects) {
  fmt::print(ctx.out, "Socket options QEMU sets:\n");
  if (effects.empty()) fmt::print(ctx.out, "  (none beyond the defaults)\n");
  for (const auto& e : effects) {
    std::string what = e.option;
    if (!e.level.empty()) what += fmt::format(" ({})", e.level);
    if (e.value)
      what +=
          fmt::format(" = {}{}", *e.value, e.unit.empty() || e.unit == "bool" ? "" : " " + e.unit);
    if (!e.applied) what += " — not set";
    fmt::print(ctx.out, "  {:<20} {}\n", e.member, what);
    if (!e.note.empty()) fmt::print(ctx.out, "  {:<20} {}\n", "", e.note);
  }
}

void print_detection(const Context& ctx, const sockopts::Detection& d, const sockopts::Sysctls& s) {
  fmt::print(ctx.out,
             "If the peer dies, this host notices (tcp_retries2={}, tcp_syn_retries={}, "
             "tcp_keepalive_time/intvl/probes={}/{}/{}):\n",
             s.tcp_retries2, s.tcp_syn_retries, s.tcp_keepalive_time.count(),
             s.tcp_keepalive_intvl.count(), s.tcp_keepalive_probes);
  auto row = [&](std::string_view when, const sockopts::Bound& b) {
    fmt::print(ctx.out, "  {:<24} {:<14} by {}{}\n", when, sockopts::format_duration(b.after), b.by,
               b.detail.empty() ? "" : fmt::format(" ({})", b.detail));
  };
  row("with data in flight", d.data_in_flight);
  row("on an idle connection", d.idle);
  row("while connecting", d.connect);
}

ExitCode run_explain(const Context& ctx, const ExplainArgs& args) {
  auto setup = args.address.resolve();
  if (!setup) return fail(ctx, setup.error().code, setup.error().message);
  if (setup->warning) warn(ctx, *setup->warning);
  const schema::Target& target = setup->target;

  auto found = checked_endpoint(ctx, args.input, *setup);
  if (!found) return found.error();
  const uri::CheckResult& checked = found->checked;
  const uri::Endpoint& endpoint = found->endpoint;
  const Json& address = endpoint.address;
  std::string type = address.value("type", address.value("transport", ""));
  if (type == "rdma") type = "inet";  // rdma takes the inet members
  if (type != "inet") return fail(ctx, ExitCode::invalid, std::string(not_tcp_reason(type)));

  auto options = sockopts::options_from_json(address);
  if (!options) return fail(ctx, ExitCode::invalid, options.error().message);
  sockopts::Sysctls sysctls;
  std::string sysctl_note;
  if (auto read = sockopts::read_sysctls())
    sysctls = *read;
  else
    sysctl_note = "cannot read this host's TCP sysctls (" + read.error().message +
                  "); Linux defaults assumed";

  auto effects = sockopts::describe_options(*options);
  sockopts::Detection detection = sockopts::detection_times(*options, sysctls);

  if (ctx.json) {
    Json j;
    j["input"] = args.input;
    j["qemu_version"] = target.version.str();
    j["address"] = address;
    j["socket_options"] = sockopts::to_json(effects);
    j["detection"] = sockopts::to_json(detection);
    j["sysctls"] = sockopts::to_json(sysctls);
    Json warnings = Json::array();
    for (const auto& w : checked.diags.warnings) warnings.push_back(w.message);
    if (!sysctl_note.empty()) warnings.push_back(sysctl_note);
    j["warnings"] = warnings;
    fmt::print(ctx.out, "{}\n", dump_json(j));
    return ExitCode::ok;
  }
  fmt::print(ctx.out, "{} (QEMU {})\n", args.input, target.describe());
  fmt::print(ctx.out, "  as QMP: {}\n", dump_json(address));
  print_effects(ctx, effects);
  print_detection(ctx, detection, sysctls);
  Diagnostics notes;
  notes.warnings = checked.diags.warnings;
  print_diagnostics(ctx.out, notes);
  if (!sysctl_note.empty()) fmt::print(ctx.out, "  warning: {}\n", sysctl_note);
  return ExitCode::ok;
}

}  // namespace

void add_explain_command(CLI::App& app, Context& ctx, Action& action) {
  auto args = std::make_shared<ExplainArgs>();
  CLI::App* cmd = app.add_subcommand(
      "explain", "Show what an address sets on its socket and how long a dead peer goes unnoticed");
  args->address.add_options(*cmd);
  cmd->add_option("address", args->input, "The address, in any syntax 'qsock check' knows")
      ->required();
  cmd->footer(
      "Examples:\n"
      "  qsock explain 'tcp:10.0.0.2:4444,user-timeout=30000'\n"
      "  qsock explain --qemu-version 7.2 'tcp:10.0.0.2:4444,keep-alive=on,keep-alive-idle=60'\n"
      "The detection times use this host's sysctls (/proc/sys/net/ipv4).");
  cmd->callback(
      [&ctx, &action, args] { action = [&ctx, args] { return run_explain(ctx, *args); }; });
}

}  // namespace qsock::cli
