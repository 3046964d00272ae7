#include "sockopts/error.h"

#include <cerrno>
#include <cstring>

namespace qsock::sockopts {

std::string Error::text() const {
  std::string s = message;
  if (errnum != 0) s += ": " + std::string(std::strerror(errnum));
  if (!hint.empty()) s += " (" + hint + ")";
  return s;
}

Error sys_error(std::string message, int errnum) {
  return Error{std::move(message), errnum, {}, {}};
}

Error sys_error(std::string message) { return sys_error(std::move(message), errno); }

std::string errno_name(int errnum) {
  switch (errnum) {
    case EPERM:
      return "EPERM";
    case ENOENT:
      return "ENOENT";
    case ESRCH:
      return "ESRCH";
    case EBADF:
      return "EBADF";
    case EACCES:
      return "EACCES";
    case EINVAL:
      return "EINVAL";
    case ENOSYS:
      return "ENOSYS";
    case ENOPROTOOPT:
      return "ENOPROTOOPT";
    case EPROTONOSUPPORT:
      return "EPROTONOSUPPORT";
    case EADDRINUSE:
      return "EADDRINUSE";
    case ECONNREFUSED:
      return "ECONNREFUSED";
    case ECONNRESET:
      return "ECONNRESET";
    case EPIPE:
      return "EPIPE";
    case ETIMEDOUT:
      return "ETIMEDOUT";
    case EHOSTUNREACH:
      return "EHOSTUNREACH";
    case ENETUNREACH:
      return "ENETUNREACH";
    default:
      return std::to_string(errnum);
  }
}

}  // namespace qsock::sockopts
