#include "cli/commands.h"

namespace qsock::cli {

// The order here is the order of `qsock --help`.
void register_commands(CLI::App& app, Context& ctx, Action& action) {
  add_check_command(app, ctx, action);
  add_convert_command(app, ctx, action);
  add_explain_command(app, ctx, action);
  add_schema_command(app, ctx, action);
  add_qmp_command(app, ctx, action);
  add_hmp_command(app, ctx, action);
  add_events_command(app, ctx, action);
  add_caps_command(app, ctx, action);
  add_probe_command(app, ctx, action);
  add_sockets_command(app, ctx, action);
  add_migrate_command(app, ctx, action);
  add_watch_command(app, ctx, action);
  add_demo_command(app, ctx, action);
  add_completion_command(app, ctx, action);
}

}  // namespace qsock::cli
