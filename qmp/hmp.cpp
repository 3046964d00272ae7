#include "qmp/hmp.h"

#include <array>

#include <fmt/format.h>

namespace qsock::qmp {

namespace {
// A generous bound on one HMP answer; `info mtree` on a big guest stays far below.
constexpr std::size_t max_hmp_output = 64u << 20;
}  // namespace

Result<void> check_hmp_line(std::string_view line) {
  if (line.find_first_not_of(' ') == std::string_view::npos)
    return fail(ErrorKind::invalid, "the HMP command line is empty");
  for (std::size_t i = 0; i < line.size(); ++i) {
    auto c = static_cast<unsigned char>(line[i]);
    if (c == '\n' || c == '\r')
      return fail(ErrorKind::invalid,
                  fmt::format("the HMP command line contains a line break at offset {}: HMP "
                              "would run what follows as a second command",
                              i));
    if (c < 0x20 || c == 0x7f)
      return fail(ErrorKind::invalid,
                  fmt::format("the HMP command line contains the control character \\x{:02x} "
                              "at offset {}: HMP's line editor would act on it",
                              c, i));
  }
  return {};
}

std::string clean_hmp_output(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '\x1b') {
      // CSI: ESC [ parameters... final byte in 0x40-0x7e; other escapes: ESC + one byte.
      if (i + 1 < raw.size() && raw[i + 1] == '[') {
        std::size_t j = i + 2;
        while (j < raw.size() && !(raw[j] >= 0x40 && raw[j] <= 0x7e)) ++j;
        i = j;
      } else {
        ++i;
      }
      continue;
    }
    if (c == '\r' && i + 1 < raw.size() && raw[i + 1] == '\n') continue;
    out += c;
  }
  return out;
}

namespace {

// One error shape of HMP: a line that starts and ends so.
struct HmpErrorShape {
  std::string_view starts;
  std::string_view ends;
  bool reason_is_line_before;  // the line before states the error, when there is one
};
constexpr HmpErrorShape hmp_error_shapes[] = {
    {"unknown command: '", "'", false},
    {"Command '", "' not available until machine initialization has completed.", false},
    {"Command \"", "\" is not available.", false},
    {"Try \"help ", "\" for more information", true},
    {"Error: ", "", false},
};

bool has_shape(std::string_view line, const HmpErrorShape& shape) {
  return line.size() >= shape.starts.size() + shape.ends.size() && line.starts_with(shape.starts) &&
         line.ends_with(shape.ends);
}

}  // namespace

std::optional<std::string> hmp_error_in(std::string_view output) {
  std::string_view before;  // the previous non-empty line
  while (!output.empty()) {
    auto end = output.find('\n');
    std::string_view line = output.substr(0, end);
    output.remove_prefix(end == std::string_view::npos ? output.size() : end + 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (line.empty()) continue;
    for (const HmpErrorShape& shape : hmp_error_shapes)
      if (has_shape(line, shape))
        return std::string(shape.reason_is_line_before && !before.empty() ? before : line);
    before = line;
  }
  return std::nullopt;
}

Result<HmpSession> HmpSession::connect(const MonitorAddress& address, Deadline deadline) {
  auto connection = Connection::open(address, deadline);
  if (!connection) return tl::unexpected(connection.error());
  return start(std::move(*connection), deadline);
}

Result<HmpSession> HmpSession::start(Connection connection, Deadline deadline,
                                     std::string_view already_read) {
  HmpSession s(std::move(connection));
  s.buffer_ = std::string(already_read);
  auto banner = s.read_to_prompt(deadline, "the HMP prompt '(qemu) '", /*greeting=*/true);
  if (!banner) return tl::unexpected(banner.error());
  s.banner_ = clean_hmp_output(*banner);
  while (!s.banner_.empty() && s.banner_.back() == '\n') s.banner_.pop_back();
  return s;
}

Result<std::string> HmpSession::read_to_prompt(Deadline deadline, std::string_view awaiting,
                                               bool greeting) {
  std::array<char, 65536> chunk;
  for (;;) {
    // The prompt at the start of a line ends the answer; bytes after it
    // (never sent by QEMU before the next command) stay buffered.
    for (auto at = buffer_.find(hmp_prompt); at != std::string::npos;
         at = buffer_.find(hmp_prompt, at + 1)) {
      if (at == 0 || buffer_[at - 1] == '\n') {
        std::string before = buffer_.substr(0, at);
        buffer_.erase(0, at + hmp_prompt.size());
        return before;
      }
    }
    if (buffer_.size() > max_hmp_output) {
      broken_ = true;
      return fail(ErrorKind::protocol,
                  fmt::format("HMP output exceeds {} MiB without a prompt", max_hmp_output >> 20));
    }
    auto n = connection_.receive(chunk.data(), chunk.size(), deadline, awaiting);
    if (!n) {
      broken_ = true;
      Error e = n.error();
      if (e.kind == ErrorKind::timeout && greeting && buffer_.empty())
        e.message = fmt::format("{} ({})", no_greeting_hint, e.message);
      else if (e.kind == ErrorKind::timeout && !buffer_.empty())
        e.message += fmt::format(" (received {} bytes without a prompt)", buffer_.size());
      return tl::unexpected(e);
    }
    if (*n == 0) {
      broken_ = true;
      return fail(ErrorKind::protocol,
                  fmt::format("QEMU closed the HMP connection while awaiting {}", awaiting));
    }
    buffer_.append(chunk.data(), *n);
  }
}

Result<std::string> HmpSession::run(std::string_view line, Deadline deadline, int fd_to_pass) {
  if (auto ok = check_hmp_line(line); !ok) return tl::unexpected(ok.error());
  if (broken_) return fail(ErrorKind::protocol, "the HMP session is broken by an earlier error");
  std::string command = std::string(line) + "\n";
  std::string what = fmt::format("the HMP command '{}'", line);
  if (auto sent = connection_.send(command, deadline, what, fd_to_pass); !sent) {
    if (sent.error().kind != ErrorKind::invalid) broken_ = true;
    return tl::unexpected(sent.error());
  }
  auto raw = read_to_prompt(deadline, fmt::format("the HMP prompt after '{}'", line), false);
  if (!raw) return tl::unexpected(raw.error());
  // QEMU echoes the line as it edits it, then CRLF; the output follows.
  auto echo_end = raw->find("\r\n");
  std::string_view output = echo_end == std::string::npos
                                ? std::string_view()
                                : std::string_view(*raw).substr(echo_end + 2);
  return clean_hmp_output(output);
}

Result<std::string> human_monitor_command(Session& session, std::string_view line,
                                          Deadline deadline) {
  if (auto ok = check_hmp_line(line); !ok) return tl::unexpected(ok.error());
  Json args = Json::object();
  args["command-line"] = std::string(line);
  auto reply = session.execute("human-monitor-command", args, deadline);
  if (!reply) return tl::unexpected(reply.error());
  if (!reply->is_string())
    return fail(ErrorKind::protocol,
                fmt::format("human-monitor-command returned {} instead of a string",
                            reply->dump().substr(0, 100)));
  return clean_hmp_output(reply->get<std::string>());
}

}  // namespace qsock::qmp
