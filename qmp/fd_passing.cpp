#include "qmp/fd_passing.h"

#include <utility>

#include <fmt/format.h>

namespace qsock::qmp {

NamedFd::NamedFd(NamedFd&& other) noexcept
    : session_(std::exchange(other.session_, nullptr)), name_(std::move(other.name_)) {}

NamedFd::~NamedFd() {
  if (session_) (void)close(Deadline::after(cleanup_budget));
}

Result<void> NamedFd::close(Deadline deadline) {
  Session* s = std::exchange(session_, nullptr);
  if (!s) return {};
  Json args = Json::object();
  args["fdname"] = name_;
  auto r = s->execute("closefd", args, deadline);
  if (!r) return tl::unexpected(r.error());
  return {};
}

Result<NamedFd> pass_fd(Session& session, int fd, const std::string& name, Deadline deadline) {
  if (fd < 0) return fail(ErrorKind::invalid, fmt::format("cannot pass fd {}", fd));
  Json args = Json::object();
  args["fdname"] = name;
  auto r = session.execute("getfd", args, deadline, fd);
  if (!r) {
    Error e = r.error();
    // Without a reply we cannot know whether QEMU took the fd: name it away.
    // (A QEMU error means it did not keep it; an invalid request never left.)
    if ((e.kind == ErrorKind::timeout || e.kind == ErrorKind::protocol) && session.usable()) {
      Json close_args = Json::object();
      close_args["fdname"] = name;
      (void)session.execute("closefd", close_args, Deadline::after(NamedFd::cleanup_budget));
    }
    return tl::unexpected(e);
  }
  return NamedFd(session, name);
}

FdSetEntry::FdSetEntry(FdSetEntry&& other) noexcept
    : session_(std::exchange(other.session_, nullptr)), added_(other.added_) {}

FdSetEntry::~FdSetEntry() {
  if (!session_) return;
  Json args = Json::object();
  args["fdset-id"] = added_.fdset_id;
  args["fd"] = added_.fd;
  (void)session_->execute("remove-fd", args, Deadline::after(NamedFd::cleanup_budget));
}

Result<FdSetEntry> add_fd(Session& session, int fd, std::optional<std::int64_t> fdset_id,
                          const std::string& opaque, Deadline deadline) {
  if (fd < 0) return fail(ErrorKind::invalid, fmt::format("cannot pass fd {}", fd));
  Json args = Json::object();
  if (fdset_id) args["fdset-id"] = *fdset_id;
  if (!opaque.empty()) args["opaque"] = opaque;
  auto r = session.execute("add-fd", args, deadline, fd);
  if (!r) return tl::unexpected(r.error());
  auto id = r->find("fdset-id");
  auto qfd = r->find("fd");
  if (!r->is_object() || id == r->end() || qfd == r->end() || !id->is_number_integer() ||
      !qfd->is_number_integer())
    return fail(ErrorKind::protocol,
                fmt::format("add-fd returned {} instead of {{\"fdset-id\", \"fd\"}}",
                            r->dump().substr(0, 100)));
  return FdSetEntry(session, AddedFd{id->get<std::int64_t>(), qfd->get<std::int64_t>()});
}

}  // namespace qsock::qmp
