#include "cli/migration_address.h"

#include <fmt/format.h>

#include "cli/diagnostics_text.h"
#include "cli/monitor_options.h"
#include "migration/address_check.h"

namespace qsock::cli {

ExitCode check_migration_address(const Context& ctx, const qmp::MonitorAddress& source,
                                 const std::string& to, double timeout_seconds) {
  auto checked =
      migration::check_address_for_source(source, to, deadline_from_seconds(timeout_seconds));
  if (!checked) return report(ctx, checked.error());
  const Diagnostics& d = checked->diags;
  if (!d.ok()) {
    fmt::print(ctx.err,
               "qsock: error: --to '{}' cannot work with the source QEMU {}; nothing was "
               "changed on either QEMU:\n",
               to, checked->release);
    print_diagnostics(ctx.err, d);
    return ExitCode::invalid;
  }
  if (!d.warnings.empty()) {
    fmt::print(ctx.err, "qsock: warning: --to '{}' for the source QEMU {}:\n", to,
               checked->release);
    print_diagnostics(ctx.err, d);
  }
  return ExitCode::ok;
}

}  // namespace qsock::cli
