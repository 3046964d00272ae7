// qsock convert: the same address in another syntax.
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/diagnostics_text.h"
#include "cli/address_input.h"
#include "uri/check.h"
#include "uri/convert.h"

namespace qsock::cli {

namespace {

struct ConvertArgs {
  std::string to;
  AddressInput address;
  std::string id;
  bool server = false;
  bool client = false;
  std::string input;
};

struct SyntaxName {
  std::string_view name;
  uri::Syntax syntax;
  std::optional<uri::InputKind> check_as;  // how the output is checked again
};
constexpr SyntaxName syntaxes[] = {
    {"uri", uri::Syntax::uri, std::nullopt},
    {"json", uri::Syntax::json, uri::InputKind::json},
    {"netdev", uri::Syntax::netdev, uri::InputKind::netdev},
    {"incoming", uri::Syntax::incoming, uri::InputKind::incoming},
    {"chardev", uri::Syntax::chardev, uri::InputKind::chardev},
};

ExitCode run_convert(const Context& ctx, const ConvertArgs& args) {
  const SyntaxName* to = nullptr;
  for (const SyntaxName& s : syntaxes)
    if (s.name == args.to) to = &s;
  auto setup = args.address.resolve();
  if (!setup) return fail(ctx, setup.error().code, setup.error().message);
  if (setup->warning) warn(ctx, *setup->warning);
  const schema::Target& target = setup->target;
  const auto& schema = setup->schema;
  auto found = checked_endpoint(ctx, args.input, *setup);
  if (!found) return found.error();
  const uri::CheckResult& checked = found->checked;
  uri::Endpoint& endpoint = found->endpoint;
  if (!args.id.empty()) endpoint.id = args.id;
  if (args.server) endpoint.server = true;
  if (args.client) endpoint.server = false;

  auto rendered = uri::render(endpoint, to->syntax, *schema);
  if (!rendered) {
    Diagnostics d;
    d.errors.push_back(rendered.error());
    fmt::print(ctx.err, "qsock: error: cannot write this as {}\n", to->name);
    print_diagnostics(ctx.err, d);
    return ExitCode::invalid;
  }
  // The output must itself be valid for the same QEMU: check it again, so a
  // conversion never hands the user something QEMU would refuse.
  uri::InputKind again = to->check_as.value_or(
      checked.kind == uri::InputKind::migrate_uri ? uri::InputKind::migrate_uri : uri::InputKind::uri);
  uri::CheckResult recheck = uri::check_input(*rendered, again, target, *schema);
  if (!recheck.valid()) {
    fmt::print(ctx.err, "qsock: error: the {} form is not valid for QEMU {}: {}\n", to->name,
               target.describe(), *rendered);
    print_diagnostics(ctx.err, recheck.diags);
    return ExitCode::invalid;
  }
  if (ctx.json) {
    Json j = {{"input", args.input}, {"from", uri::kind_name(checked.kind)}, {"to", to->name},
              {"output", *rendered}, {"qemu_version", target.version.str()}};
    Json warnings = Json::array();
    for (const auto& w : recheck.diags.warnings) warnings.push_back(w.message);
    j["warnings"] = warnings;
    fmt::print(ctx.out, "{}\n", dump_json(j));
  } else {
    fmt::print(ctx.out, "{}\n", *rendered);
    Diagnostics only_warnings;
    only_warnings.warnings = recheck.diags.warnings;
    print_diagnostics(ctx.err, only_warnings, 0);
  }
  return ExitCode::ok;
}

}  // namespace

void add_convert_command(CLI::App& app, Context& ctx, Action& action) {
  auto args = std::make_shared<ConvertArgs>();
  CLI::App* cmd = app.add_subcommand("convert", "Write a socket address in another syntax");
  cmd->add_option("--to", args->to, "Target syntax: uri|json|netdev|incoming|chardev")
      ->required()
      ->check(CLI::IsMember({"uri", "json", "netdev", "incoming", "chardev"}));
  args->address.add_options(*cmd);
  cmd->add_option("--id", args->id, "The id for a -netdev or -chardev (default net0 / char0)");
  auto* server = cmd->add_flag("--server", args->server, "The result listens (server=on)");
  cmd->add_flag("--client", args->client, "The result connects (server=off)")->excludes(server);
  cmd->add_option("input", args->input, "The address, in any syntax 'qsock check' knows")->required();
  cmd->footer(
      "Examples:\n"
      "  qsock convert --to netdev 'tcp:[fe80::1]:4444,keep-alive=on'\n"
      "  qsock convert --to uri -- '-netdev stream,id=n0,addr.type=unix,addr.path=/tmp/s'\n"
      "The result is checked again for the same QEMU release before it is printed.");
  cmd->callback([&ctx, &action, args] { action = [&ctx, args] { return run_convert(ctx, *args); }; });
}

}  // namespace qsock::cli
