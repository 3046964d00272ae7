#include "cli/commands.h"

namespace qsock::cli {

void register_commands(CLI::App& app, Context& ctx, Action& action) {
  register_qmp(app, ctx, action);
  register_hmp(app, ctx, action);
  register_events(app, ctx, action);
}

}  // namespace qsock::cli
