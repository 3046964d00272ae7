#include <doctest/doctest.h>

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <string>

#include "base/file_text.h"

using qsock::read_file_text;

TEST_CASE("read_file_text: the whole file, however it reports its size") {
  // /proc files say size 0: the text is read to the end all the same.
  auto cmdline = read_file_text("/proc/self/cmdline");
  REQUIRE(cmdline.has_value());
  CHECK(cmdline->find('\0') != std::string::npos);  // argv[0], NUL-terminated

  // Longer than one read.
  char path[] = "/tmp/qsock-file-text-XXXXXX";
  int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  ::close(fd);
  std::string text(10000, 'x');
  text += "end";
  std::ofstream(path) << text;
  auto read = read_file_text(path);
  ::unlink(path);
  REQUIRE(read.has_value());
  CHECK(*read == text);
}

TEST_CASE("read_file_text: a failed open or read is an errno, never an exception") {
  auto missing = read_file_text("/nonexistent/qsock");
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error() == ENOENT);
  // A read that fails after a good open, as /proc/PID/cmdline fails with
  // ESRCH when the process exits in between: std::ifstream's filebuf throws
  // there, and that ended the guard (qsock guard read such files with it).
  auto directory = read_file_text("/");
  REQUIRE_FALSE(directory.has_value());
  CHECK(directory.error() == EISDIR);
}
