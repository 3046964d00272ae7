// The error value of every fallible sockopts call: what failed, the errno
// when a system call failed, and what the user can do about it.
#pragma once

#include <string>

#include <tl/expected.hpp>

namespace qsock::sockopts {

struct Error {
  std::string message;  // what failed, e.g. "setsockopt(TCP_USER_TIMEOUT)"
  int errnum = 0;       // errno of the failed call, 0 when none
  std::string key;      // the input member at fault (QMP name), or ""
  std::string hint;     // what to do about it, or ""

  // "message: strerror(errnum)" plus " (hint)" when there is one.
  std::string text() const;
};

template <typename T>
using Result = tl::expected<T, Error>;

// An Error for a failed system call, taking errno now unless given.
Error sys_error(std::string message, int errnum);
Error sys_error(std::string message);

// The symbolic errno name ("ETIMEDOUT"), or the number as text.
std::string errno_name(int errnum);

}  // namespace qsock::sockopts
