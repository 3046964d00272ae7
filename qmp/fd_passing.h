// Passing file descriptors to QEMU over a UNIX monitor socket: the fd rides
// as SCM_RIGHTS on the same sendmsg as the command that names it. Nothing
// named is left behind in QEMU on a failure: the guards below undo getfd
// (closefd) and add-fd (remove-fd) unless the caller keeps the result.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/deadline.h"
#include "qmp/error.h"
#include "qmp/session.h"

namespace qsock::qmp {

// A descriptor QEMU holds under a name (getfd). Until `keep()` the
// destructor sends closefd (best effort, bounded by `cleanup_budget`).
class NamedFd {
 public:
  NamedFd(Session& session, std::string name) : session_(&session), name_(std::move(name)) {}
  NamedFd(NamedFd&& other) noexcept;
  NamedFd& operator=(NamedFd&&) = delete;
  NamedFd(const NamedFd&) = delete;
  ~NamedFd();

  const std::string& name() const { return name_; }
  // QEMU keeps the fd (it was consumed, e.g. by migrate fd:NAME, or is meant to stay).
  void keep() { session_ = nullptr; }
  // Sends closefd now and reports the outcome.
  Result<void> close(Deadline deadline);

  static constexpr Milliseconds cleanup_budget{2000};

 private:
  Session* session_;
  std::string name_;
};

// getfd: passes `fd` and names it `name` in QEMU. If the reply does not come
// (timeout, broken connection) QEMU may have taken the fd: closefd is tried.
Result<NamedFd> pass_fd(Session& session, int fd, const std::string& name, Deadline deadline);

// A descriptor in one of QEMU's fd sets (add-fd). Until `keep()` the
// destructor sends remove-fd.
struct AddedFd {
  std::int64_t fdset_id = 0;
  std::int64_t fd = 0;  // QEMU's number for it
};

class FdSetEntry {
 public:
  FdSetEntry(Session& session, AddedFd added) : session_(&session), added_(added) {}
  FdSetEntry(FdSetEntry&& other) noexcept;
  FdSetEntry& operator=(FdSetEntry&&) = delete;
  FdSetEntry(const FdSetEntry&) = delete;
  ~FdSetEntry();

  const AddedFd& added() const { return added_; }
  void keep() { session_ = nullptr; }

 private:
  Session* session_;
  AddedFd added_;
};

// add-fd: passes `fd` into fd set `fdset_id` (a new set when absent).
Result<FdSetEntry> add_fd(Session& session, int fd, std::optional<std::int64_t> fdset_id,
                          const std::string& opaque, Deadline deadline);

}  // namespace qsock::qmp
