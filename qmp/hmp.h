// HMP, the human monitor: directly on an HMP socket (-monitor unix:...),
// where QEMU prints a banner and the prompt "(qemu) ", echoes what it is
// sent with terminal escapes, and answers up to the next prompt; or through
// QMP's human-monitor-command.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/deadline.h"
#include "qmp/connection.h"
#include "qmp/error.h"
#include "qmp/monitor_address.h"
#include "qmp/session.h"

namespace qsock::qmp {

inline constexpr std::string_view hmp_prompt = "(qemu) ";

// Refuses (kind invalid) an empty line or one with a newline or any other
// control character: HMP would run what follows a newline as a second command.
Result<void> check_hmp_line(std::string_view line);

// Removes ANSI escape sequences (ESC [ ... final byte) and turns CRLF into LF.
std::string clean_hmp_output(std::string_view raw);

// HMP answers every command with text and no status, so an error is known by
// its shape only. The shapes QEMU's HMP dispatcher and its error handler print
// (monitor/hmp.c, hmp_handle_error): an unknown command, a command that is not
// available (yet), arguments it could not parse (the reason, then `Try "help
// CMD" for more information`), and a failed command's `Error: ...` line.
// Returns the line that states the error; nullopt when the output has none of
// these shapes (a command that prints a failure in its own words is not caught).
std::optional<std::string> hmp_error_in(std::string_view output);

class HmpSession {
 public:
  static Result<HmpSession> connect(const MonitorAddress& address, Deadline deadline);
  // Over a connected socket; `already_read` holds bytes read before.
  static Result<HmpSession> start(Connection connection, Deadline deadline,
                                  std::string_view already_read = {});

  // The banner before the first prompt ("QEMU 7.2.22 monitor - type 'help' ...").
  const std::string& banner() const { return banner_; }

  // Runs one command line and returns its output, without echo and prompt.
  // With `fd_to_pass` >= 0 the descriptor rides with the line (HMP getfd NAME).
  Result<std::string> run(std::string_view line, Deadline deadline, int fd_to_pass = -1);

 private:
  explicit HmpSession(Connection connection) : connection_(std::move(connection)) {}
  // Reads until the buffer ends with the prompt; returns everything before it.
  Result<std::string> read_to_prompt(Deadline deadline, std::string_view awaiting, bool greeting);

  Connection connection_;
  std::string buffer_;
  std::string banner_;
  bool broken_ = false;
};

// HMP through QMP (human-monitor-command); output with LF line ends.
Result<std::string> human_monitor_command(Session& session, std::string_view line,
                                          Deadline deadline);

}  // namespace qsock::qmp
