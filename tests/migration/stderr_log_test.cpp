#include "migration/stderr_log.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace qsock::migration {
namespace {

// Points this process's stderr at `fd` for the scope, as a QEMU started with
// 2>log has it, and puts it back after.
struct StderrRedirect {
  explicit StderrRedirect(int fd) : saved(::dup(2)) { ::dup2(fd, 2); }
  ~StderrRedirect() {
    ::dup2(saved, 2);
    ::close(saved);
  }
  StderrRedirect(const StderrRedirect&) = delete;
  StderrRedirect& operator=(const StderrRedirect&) = delete;
  int saved;
};

void append(int fd, const std::string& text) {
  REQUIRE(::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
}

}  // namespace

TEST_CASE("stderr log: the last line a process wrote to its stderr file since qsock looked") {
  char path[] = "/tmp/qsock-stderr-XXXXXX";
  int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  append(fd, "qemu: an old complaint from before the migration\n");
  std::optional<StderrLog> log;
  {
    StderrRedirect r(fd);
    log = open_stderr_log(::getpid());
  }
  REQUIRE(log.has_value());
  CHECK_FALSE(last_line_since_start(*log).has_value());  // the old line is not this migration's

  append(fd, "qemu: Unknown savevm section\nqemu: load of migration failed: Invalid argument\n\n");
  CHECK(last_line_since_start(*log) ==
        std::string("qemu: load of migration failed: Invalid argument"));

  // Still readable once the file is gone from the directory (rotated, removed).
  ::unlink(path);
  append(fd, "qemu: the last words\r\n");
  CHECK(last_line_since_start(*log) == std::string("qemu: the last words"));
  ::close(fd);
}

TEST_CASE("stderr log: nothing for a pipe or a process that does not exist") {
  int p[2];
  REQUIRE(::pipe(p) == 0);
  {
    StderrRedirect r(p[1]);
    CHECK_FALSE(open_stderr_log(::getpid()).has_value());
  }
  ::close(p[0]);
  ::close(p[1]);
  CHECK_FALSE(open_stderr_log(0x7ffffff0).has_value());
}

}  // namespace qsock::migration
