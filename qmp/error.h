// Errors of the monitor layer, as values. cli/ turns the kind into an exit
// code; the message names what went wrong and, for timeouts, what was awaited.
#pragma once

#include <string>

#include <tl/expected.hpp>

#include "base/json.h"

namespace qsock::qmp {

enum class ErrorKind {
  invalid,   // qsock refused the request before sending it (bad arguments, unsafe HMP line)
  connect,   // could not reach the monitor
  protocol,  // the peer broke the QMP/HMP protocol or closed the connection
  timeout,   // a deadline expired
  qemu,      // QEMU answered with an error
};

struct Error {
  ErrorKind kind = ErrorKind::protocol;
  std::string message;
  // For kind == qemu: QEMU's error object ({"class": ..., "desc": ...}), as received.
  Json qemu_error;
  // For kind == connect: the monitor is held, and it is this libvirt domain's.
  std::string held_by_libvirt_domain = {};
};

template <typename T>
using Result = tl::expected<T, Error>;

inline tl::unexpected<Error> fail(ErrorKind kind, std::string message) {
  return tl::unexpected<Error>(Error{kind, std::move(message), Json()});
}

}  // namespace qsock::qmp
