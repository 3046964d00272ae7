#include "cli/commands.h"

namespace qsock::cli {

void register_commands(CLI::App& app, Context& ctx, Action& action) {
  (void)app; (void)ctx; (void)action;  // commands register here
}

}  // namespace qsock::cli
