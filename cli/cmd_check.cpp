// qsock check: is an address valid for a QEMU release, and what does it mean?
#include <fmt/format.h>

#include "cli/address_input.h"
#include "cli/commands.h"
#include "cli/diagnostics_text.h"
#include "cli/input_lines.h"
#include "uri/check.h"

namespace qsock::cli {

namespace {

struct CheckArgs {
  AddressInput address;
  bool strict = false;
  std::vector<std::string> inputs;
};

void print_text(const Context& ctx, const uri::CheckResult& r) {
  if (!r.checked()) {
    fmt::print(ctx.out, "{}: not checked ({}, QEMU {})\n  {}\n", r.input, uri::kind_name(r.kind),
               r.target.describe(), r.unchecked);
    return;
  }
  fmt::print(ctx.out, "{}: {} ({}, QEMU {})\n", r.input, r.valid() ? "valid" : "invalid",
             uri::kind_name(r.kind), r.target.describe());
  if (r.valid() && !r.value.is_null())
    fmt::print(ctx.out, "  {}: {}\n", r.qapi_type.empty() ? "value" : r.qapi_type,
               dump_json(r.value));
  print_diagnostics(ctx.out, r.diags);
}

ExitCode run_check(const Context& ctx, const CheckArgs& args) {
  auto setup = args.address.resolve();
  if (!setup) return fail(ctx, setup.error().code, setup.error().message);
  if (setup->warning) warn(ctx, *setup->warning);

  std::vector<std::string> inputs = expand_stdin(args.inputs);
  if (inputs.empty()) return fail(ctx, ExitCode::usage, "no input to check");
  bool all_valid = true;
  bool all_checked = true;
  for (const std::string& input : inputs) {
    uri::CheckResult r = uri::check_input(input, setup->kind, setup->target, *setup->schema);
    all_valid = all_valid && r.valid() && !(args.strict && !r.diags.warnings.empty());
    all_checked = all_checked && r.checked();
    if (ctx.json)
      fmt::print(ctx.out, "{}\n", dump_json(r.to_json()));
    else
      print_text(ctx, r);
  }
  if (!all_valid) return ExitCode::invalid;
  return all_checked ? ExitCode::ok : ExitCode::not_checked;
}

}  // namespace

void add_check_command(CLI::App& app, Context& ctx, Action& action) {
  auto args = std::make_shared<CheckArgs>();
  CLI::App* cmd = app.add_subcommand(
      "check", "Check socket addresses against the QAPI schema of a QEMU release");
  args->address.add_options(*cmd);
  cmd->add_flag(
      "--strict", args->strict,
      "Fail (exit 1) on warnings too: options QEMU accepts but ignores, or accepts and then "
      "fails to open");
  cmd->add_option("input", args->inputs,
                  "Addresses to check; '-' reads one per line from standard input. A leading "
                  "'-netdev ', '-incoming ' or '-chardev ' is accepted (put -- before it)")
      ->required();
  cmd->footer(
      "Examples:\n"
      "  qsock check 'tcp:10.0.0.2:4444,keep-alive=on'\n"
      "  qsock check --qemu-version 7.2 -- '-netdev stream,id=n0,addr.type=unix,addr.path=/tmp/s'\n"
      "Exit status: 0 all valid, 1 any invalid (or any warning with --strict), 2 usage error,\n"
      "7 none invalid but some not checked (a -netdev or -chardev back end with no socket "
      "address).");
  cmd->callback([&ctx, &action, args] { action = [&ctx, args] { return run_check(ctx, *args); }; });
}

}  // namespace qsock::cli
