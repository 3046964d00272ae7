#include "cli/qemu_process.h"

#include <fcntl.h>
// kill() and sigset_t are POSIX's, in <signal.h>; ISO C's <csignal> need not have them.
#include <signal.h>  // NOLINT(modernize-deprecated-headers)
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>

extern char** environ;

namespace qsock::cli {

namespace {

bool is_executable_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// The last lines of a QEMU's log, for an error message.
std::string log_tail(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) lines.push_back(l);
  std::string out;
  for (std::size_t i = lines.size() > 3 ? lines.size() - 3 : 0; i < lines.size(); ++i)
    out += (out.empty() ? "" : "; ") + lines[i];
  return out;
}

bool accepts_connection(const std::string& path) {
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  if (path.size() >= sizeof sa.sun_path) return false;
  std::memcpy(sa.sun_path, path.c_str(), path.size() + 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
  ::close(fd);
  return ok;
}

// SIGTERM, up to 2 s for QEMU to exit, then SIGKILL; always reaped.
void stop_and_reap(pid_t pid) {
  if (pid <= 0) return;
  ::kill(pid, SIGTERM);
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (std::chrono::steady_clock::now() < until) {
    pid_t r = ::waitpid(pid, nullptr, WNOHANG);
    if (r == pid || (r < 0 && errno != EINTR)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid, SIGKILL);
  while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace

qmp::Result<std::string> find_executable(std::string_view name) {
  std::string n(name);
  if (n.empty()) return qmp::fail(qmp::ErrorKind::invalid, "no executable name given");
  if (n.find('/') != std::string::npos) {
    if (is_executable_file(n)) return n;
    return qmp::fail(qmp::ErrorKind::invalid, fmt::format("{}: not an executable file", n));
  }
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    std::string candidate = (dir.empty() ? "." : dir) + "/" + n;
    if (is_executable_file(candidate)) return candidate;
  }
  return qmp::fail(qmp::ErrorKind::invalid, fmt::format("{} is not on PATH", n));
}

qmp::Result<TempDir> TempDir::create(std::string_view prefix) {
  const char* tmp = std::getenv("TMPDIR");
  std::string templ = fmt::format("{}/{}.XXXXXX", tmp && *tmp ? tmp : "/tmp", prefix);
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr)
    return qmp::fail(qmp::ErrorKind::invalid,
                     fmt::format("mkdtemp {}: {}", templ, std::strerror(errno)));
  return TempDir(std::string(buf.data()));
}

TempDir::TempDir(TempDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }

TempDir::~TempDir() {
  if (path_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

QemuProcess::QemuProcess(QemuProcess&& other) noexcept
    : pid_(other.pid_),
      qmp_path_(std::move(other.qmp_path_)),
      log_path_(std::move(other.log_path_)) {
  other.pid_ = -1;
}

QemuProcess::~QemuProcess() { stop_and_reap(pid_); }

qmp::Result<QemuProcess> spawn_qemu(const std::string& binary, std::vector<std::string> args,
                                    const std::string& dir_and_name, const Deadline& deadline,
                                    const InterruptFlag* interrupt_flag) {
  std::string qmp_path = dir_and_name + ".qmp";
  std::string log_path = dir_and_name + ".log";
  args.insert(args.begin(), binary);
  args.emplace_back("-qmp");
  args.push_back(fmt::format("unix:{},server=on,wait=off", qmp_path));
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  // Its own process group, default signal dispositions (qsock's SIGINT handler is not inherited
  // anyway, but an ignored SIGINT would be).
  sigset_t all;
  sigfillset(&all);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, binary.c_str(), &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0)
    return qmp::fail(qmp::ErrorKind::connect,
                     fmt::format("cannot start {}: {}", binary, std::strerror(rc)));
  QemuProcess process(pid, qmp_path, log_path);

  while (!accepts_connection(qmp_path)) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      process.release();  // reaped already
      std::string why = WIFEXITED(status)
                            ? fmt::format("exited with status {}", WEXITSTATUS(status))
                            : fmt::format("died of signal {}", WTERMSIG(status));
      std::string tail = log_tail(log_path);
      return qmp::fail(qmp::ErrorKind::connect,
                       fmt::format("{} {} before its monitor was up{}", binary, why,
                                   tail.empty() ? "" : ": " + tail));
    }
    if (interrupt_flag && interrupt_flag->load())
      return qmp::fail(qmp::ErrorKind::timeout,
                       fmt::format("interrupted ({}) while starting {}",
                                   signal_name(interrupt_flag->load()), binary));
    if (deadline.expired())
      return qmp::fail(qmp::ErrorKind::timeout,
                       fmt::format("{}'s monitor {} did not come up within {}", binary, qmp_path,
                                   deadline.describe_budget()));
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return process;
}

}  // namespace qsock::cli
