#include "cli/exit_code.h"

namespace qsock::cli {

std::string_view exit_code_table() {
  return "Exit codes:\n"
         "  0    success\n"
         "  1    input invalid or refused\n"
         "  2    usage error\n"
         "  3    cannot connect, or monitor protocol error\n"
         "  4    QEMU replied with an error (hmp: an HMP error reply, e.g. unknown command)\n"
         "  5    timed out\n"
         "  6    migration failed or cancelled\n"
         "  7    not checked: qsock does not check that input (none invalid)\n"
         "  70   internal error: a bug in qsock (please report it)\n"
         "  130  interrupted\n";
}

}  // namespace qsock::cli
