#include "cli/commands.h"

namespace qsock::cli {

void register_commands(CLI::App& app, Context& ctx, Action& action) {
  add_check_command(app, ctx, action);
  add_convert_command(app, ctx, action);
  add_schema_command(app, ctx, action);
}

}  // namespace qsock::cli
