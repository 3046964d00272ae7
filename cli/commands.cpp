#include "cli/commands.h"

namespace qsock::cli {

void register_commands(CLI::App& app, Context& ctx, Action& action) {
  add_probe_command(app, ctx, action);
  add_sockets_command(app, ctx, action);
}

}  // namespace qsock::cli
