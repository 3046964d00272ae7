#include "migration/stderr_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace qsock::migration {

namespace {

constexpr std::uint64_t kTailBytes = 64 * 1024;

std::string_view trim_line(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<StderrLog> open_stderr_log(pid_t pid) {
  std::string link = "/proc/" + std::to_string(pid) + "/fd/2";
  Fd f(::open(link.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  struct stat st {};
  if (!f.valid() || ::fstat(f.get(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  return StderrLog{std::move(f), static_cast<std::uint64_t>(st.st_size)};
}

std::optional<std::string> last_line_since_start(const StderrLog& log) {
  struct stat st {};
  if (!log.file.valid() || ::fstat(log.file.get(), &st) != 0) return std::nullopt;
  auto end = static_cast<std::uint64_t>(st.st_size);
  if (end <= log.start_offset) return std::nullopt;  // nothing new, or truncated
  std::uint64_t from = end - log.start_offset > kTailBytes ? end - kTailBytes : log.start_offset;
  std::vector<char> buf(end - from);
  ssize_t n = ::pread(log.file.get(), buf.data(), buf.size(), static_cast<off_t>(from));
  if (n <= 0) return std::nullopt;
  std::string_view text(buf.data(), static_cast<std::size_t>(n));
  while (!text.empty()) {
    std::size_t nl = text.find_last_of('\n', text.size() - 1);
    std::string_view line = nl == std::string_view::npos ? text : text.substr(nl + 1);
    line = trim_line(line);
    if (!line.empty()) return std::string(line);
    if (nl == std::string_view::npos) break;
    text = text.substr(0, nl);
  }
  return std::nullopt;
}

}  // namespace qsock::migration
