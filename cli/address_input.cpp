#include "cli/address_input.h"

#include <fmt/format.h>

#include "cli/diagnostics_text.h"

namespace qsock::cli {

void AddressInput::add_options(CLI::App& cmd) {
  cmd.add_option("--as", as, fmt::format("Input kind: {} (default: detected)", uri::kind_names()))
      ->check(CLI::IsMember({"uri", "migrate-uri", "netdev", "incoming", "chardev", "json"}));
  version.add_option(cmd);
  schema.add_options(cmd);
}

tl::expected<CheckSetup, SchemaError> AddressInput::resolve() const {
  auto target = version.target();
  if (!target) return tl::unexpected(SchemaError{ExitCode::usage, target.error()});
  auto loaded = schema.load();
  if (!loaded) return tl::unexpected(loaded.error());
  CheckSetup setup{std::nullopt, *target, loaded->schema, version.warning()};
  if (loaded->live_version && version.text.empty())
    setup.target = schema::Target::release(*loaded->live_version);
  if (!as.empty()) setup.kind = uri::parse_kind(as);
  return setup;
}

tl::expected<CheckedEndpoint, ExitCode> checked_endpoint(const Context& ctx,
                                                         const std::string& input,
                                                         const CheckSetup& setup) {
  uri::CheckResult checked = uri::check_input(input, setup.kind, setup.target, *setup.schema);
  if (!checked.checked())
    return tl::unexpected(fail(ctx, ExitCode::not_checked, checked.unchecked));
  if (!checked.valid()) {
    fmt::print(ctx.err, "qsock: error: {}: not a valid {} for QEMU {}\n", input,
               uri::kind_name(checked.kind), checked.target.describe());
    print_diagnostics(ctx.err, checked.diags);
    return tl::unexpected(ExitCode::invalid);
  }
  auto endpoint = uri::endpoint_of(checked);
  if (!endpoint) return tl::unexpected(fail(ctx, ExitCode::invalid, endpoint.error().message));
  return CheckedEndpoint{std::move(checked), std::move(*endpoint)};
}

}  // namespace qsock::cli
