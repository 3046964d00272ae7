// A connected monitor socket (UNIX or TCP) whose every wait is bounded by a
// Deadline: non-blocking connect, poll(2) before each read and write.
#pragma once

#include <cstddef>
#include <string_view>

#include "base/deadline.h"
#include "qmp/error.h"
#include "qmp/monitor_address.h"

namespace qsock::qmp {

class Connection {
 public:
  // Adopts `fd` (a connected stream socket; made non-blocking and close-on-exec).
  enum class Family { unix_socket, tcp };
  Connection(int fd, Family family);
  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Connects within `deadline`. Errors: connect (refused, missing, ...), timeout.
  static Result<Connection> open(const MonitorAddress& address, Deadline deadline);

  int fd() const { return fd_; }
  bool can_pass_fds() const { return family_ == Family::unix_socket; }

  // Writes all of `bytes`. With `fd_to_pass` >= 0 that descriptor travels as
  // SCM_RIGHTS on the first sendmsg, together with the first byte of `bytes`.
  // `what` names the message for errors ("the command 'getfd'").
  Result<void> send(std::string_view bytes, Deadline deadline, std::string_view what,
                    int fd_to_pass = -1);

  // Waits until data is available, then reads up to `capacity` bytes. Returns
  // 0 when the peer closed the connection. `awaiting` names what was awaited
  // for the timeout message ("the QMP greeting").
  Result<std::size_t> receive(char* buffer, std::size_t capacity, Deadline deadline,
                              std::string_view awaiting);

 private:
  int fd_ = -1;
  Family family_ = Family::unix_socket;
};

// "timed out after 10 s awaiting WHAT": the one wording of every timeout.
Error timeout_error(const Deadline& deadline, std::string_view awaiting);

}  // namespace qsock::qmp
