// QEMU processes qsock starts itself (qsock demo): the binary found on PATH,
// a private temporary directory for their monitor sockets and logs, spawned
// with posix_spawn in their own process group (a terminal's Ctrl-C reaches
// qsock, which then cancels and cleans up, not QEMU), and killed, reaped and
// removed when the values go away unless released.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <string>
#include <string_view>
#include <vector>

#include "base/deadline.h"
#include "base/interrupt.h"
#include "qmp/error.h"

namespace qsock::cli {

// The full path of `name`: itself if it has a '/', else the first
// executable PATH entry. Errors are of kind `invalid`.
qmp::Result<std::string> find_executable(std::string_view name);

// A directory from mkdtemp under $TMPDIR (else /tmp), removed with its
// contents on destruction unless released.
class TempDir {
 public:
  static qmp::Result<TempDir> create(std::string_view prefix);  // "qsock-demo"
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&&) = delete;
  ~TempDir();
  const std::string& path() const { return path_; }
  void release() { path_.clear(); }  // keep it

 private:
  explicit TempDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// A spawned QEMU whose QMP monitor listens on `qmp_path`. On destruction it
// is sent SIGTERM, given a moment, then SIGKILL, and always reaped.
class QemuProcess {
 public:
  QemuProcess(QemuProcess&& other) noexcept;
  QemuProcess& operator=(QemuProcess&&) = delete;
  ~QemuProcess();
  pid_t pid() const { return pid_; }
  const std::string& qmp_path() const { return qmp_path_; }
  const std::string& log_path() const { return log_path_; }
  void release() { pid_ = -1; }  // leave it running

  friend qmp::Result<QemuProcess> spawn_qemu(const std::string&, std::vector<std::string>,
                                             const std::string&, const Deadline&,
                                             const InterruptFlag*);

 private:
  QemuProcess(pid_t pid, std::string qmp_path, std::string log_path)
      : pid_(pid), qmp_path_(std::move(qmp_path)), log_path_(std::move(log_path)) {}
  pid_t pid_ = -1;
  std::string qmp_path_;
  std::string log_path_;
};

// Starts `binary args... -qmp unix:DIR/NAME.qmp,server=on,wait=off` with
// stdout and stderr in DIR/NAME.log, and returns once the monitor accepts a
// connection. Fails (and leaves nothing running) when QEMU exits first (the
// error quotes its log), the deadline expires (kind timeout) or `interrupt_flag`
// is set (kind timeout, "interrupted").
qmp::Result<QemuProcess> spawn_qemu(const std::string& binary, std::vector<std::string> args,
                                    const std::string& dir_and_name, const Deadline& deadline,
                                    const InterruptFlag* interrupt_flag = nullptr);

}  // namespace qsock::cli
