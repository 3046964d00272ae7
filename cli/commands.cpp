#include "cli/commands.h"

namespace qsock::cli {

void register_commands(CLI::App& app, Context& ctx, Action& action) {
  register_caps(app, ctx, action);
}

}  // namespace qsock::cli
