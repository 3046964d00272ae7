// qsock convert: the same address in another syntax.
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "cli/address_input.h"
#include "cli/commands.h"
#include "cli/diagnostics_text.h"
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

// Whether `name` is a member anywhere in `value`.
bool has_member(const Json& value, std::string_view name) {
  if (value.is_array())
    return std::any_of(value.begin(), value.end(),
                       [&](const Json& v) { return has_member(v, name); });
  if (!value.is_object()) return false;
  for (const auto& [k, v] : value.items())
    if (k == name || has_member(v, name)) return true;
  return false;
}

// What convert says besides the result: the warnings `qsock check` gives for
// the input and for the output, each once, and the input's members the output
// leaves out (a member the input warns about and the output does not carry).
struct ConvertNotes {
  std::vector<Diagnostic> warnings;
  std::vector<std::string> dropped;
};

ConvertNotes notes_for(const uri::CheckResult& input, const uri::CheckResult& output,
                       std::string_view to) {
  ConvertNotes notes;
  auto add = [&](const Diagnostic& d) {
    bool seen = std::any_of(notes.warnings.begin(), notes.warnings.end(),
                            [&](const Diagnostic& w) { return w.message == d.message; });
    if (!seen) notes.warnings.push_back(d);
  };
  for (const Diagnostic& w : input.diags.warnings) add(w);
  for (const Diagnostic& w : output.diags.warnings) add(w);
  for (const Diagnostic& w : input.diags.warnings) {
    if (w.key.empty()) continue;
    std::string name = w.key.substr(w.key.rfind('.') + 1);
    bool listed =
        std::find(notes.dropped.begin(), notes.dropped.end(), name) != notes.dropped.end();
    if (!listed && !has_member(output.value, name)) notes.dropped.push_back(name);
  }
  for (const std::string& name : notes.dropped)
    notes.warnings.push_back(
        {fmt::format("the {} form leaves out {} (see the warning above)", to, name), name, ""});
  return notes;
}

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
  uri::InputKind again = to->check_as.value_or(checked.kind == uri::InputKind::migrate_uri
                                                   ? uri::InputKind::migrate_uri
                                                   : uri::InputKind::uri);
  uri::CheckResult recheck = uri::check_input(*rendered, again, target, *schema);
  if (!recheck.valid()) {
    fmt::print(ctx.err, "qsock: error: the {} form is not valid for QEMU {}: {}\n", to->name,
               target.describe(), *rendered);
    print_diagnostics(ctx.err, recheck.diags);
    return ExitCode::invalid;
  }
  ConvertNotes notes = notes_for(checked, recheck, to->name);
  if (ctx.json) {
    Json j = {{"input", args.input},
              {"from", uri::kind_name(checked.kind)},
              {"to", to->name},
              {"output", *rendered},
              {"qemu_version", target.version.str()}};
    Json warnings = Json::array();
    for (const auto& w : notes.warnings) warnings.push_back(w.message);
    j["warnings"] = warnings;
    j["dropped"] = notes.dropped;
    fmt::print(ctx.out, "{}\n", dump_json(j));
  } else {
    fmt::print(ctx.out, "{}\n", *rendered);
    Diagnostics only_warnings;
    only_warnings.warnings = notes.warnings;
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
  cmd->add_option("input", args->input, "The address, in any syntax 'qsock check' knows")
      ->required();
  cmd->footer(
      "Examples:\n"
      "  qsock convert --to netdev 'tcp:[fe80::1]:4444,keep-alive=on'\n"
      "  qsock convert --to uri -- '-netdev stream,id=n0,addr.type=unix,addr.path=/tmp/s'\n"
      "The result is checked again for the same QEMU release before it is printed.");
  cmd->callback(
      [&ctx, &action, args] { action = [&ctx, args] { return run_convert(ctx, *args); }; });
}

}  // namespace qsock::cli
