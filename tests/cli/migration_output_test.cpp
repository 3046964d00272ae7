#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "cli/migration_output.h"

using namespace qsock;

namespace {
std::string report_text(const migration::MigrationReport& r) {
  char* buffer = nullptr;
  std::size_t size = 0;
  std::FILE* f = open_memstream(&buffer, &size);
  REQUIRE(f != nullptr);
  cli::print_report(f, r);
  std::fclose(f);
  std::string text(buffer, size);
  std::free(buffer);  // NOLINT(cppcoreguidelines-no-malloc): open_memstream's buffer
  return text;
}

migration::SocketView view(migration::SocketEnd end, migration::SocketReadAt when) {
  migration::SocketView v;
  v.end = end;
  v.read_at = when;
  v.options = sockopts::SocketOptions{};
  v.options->user_timeout = Milliseconds(5000);
  v.tcp_info = sockopts::TcpInfo{};
  v.local = "127.0.0.1:1";
  v.peer = "127.0.0.1:2";
  return v;
}
}  // namespace

TEST_CASE("migration report text: each end's TCP_INFO says when it was read") {
  migration::MigrationReport r;
  r.status = "completed";
  r.sockopts_via = migration::SockoptsMode::fd;
  r.destination_sockopts_via = migration::SockoptsMode::fd;
  r.source_socket = view(migration::SocketEnd::source, migration::SocketReadAt::end);
  r.destination_socket = view(migration::SocketEnd::destination, migration::SocketReadAt::start);
  std::string text = report_text(r);
  CAPTURE(text);

  auto src = text.find(
      "  source socket 127.0.0.1:1 -> 127.0.0.1:2: options in effect "
      "{\"user-timeout\":5000}");
  auto dst = text.find("  destination socket 127.0.0.1:1 -> 127.0.0.1:2");
  REQUIRE(src != std::string::npos);
  REQUIRE(dst != std::string::npos);
  CHECK(text.find("    TCP_INFO at the end: ", src) < dst);
  CHECK(text.find("    TCP_INFO when applied, at the start: ", dst) != std::string::npos);
  CHECK(text.find("at the end", dst) == std::string::npos);
  CHECK(text.find("  socket options via:          fd (qsock's connection passed") ==
        std::string::npos);  // fd_passed not set
  CHECK(text.find("  socket options via:          fd\n") != std::string::npos);
  CHECK(text.find("  destination socket options via: fd\n") != std::string::npos);
}

TEST_CASE("migration report text: every connection, one line a side when alike") {
  migration::MigrationReport r;
  r.status = "failed";
  for (int i = 0; i < 5; ++i)
    r.channels.push_back(view(migration::SocketEnd::source, migration::SocketReadAt::start));
  // One destination connection the options did not reach.
  r.channels.push_back(view(migration::SocketEnd::destination, migration::SocketReadAt::start));
  auto odd = view(migration::SocketEnd::destination, migration::SocketReadAt::start);
  odd.options->user_timeout = Milliseconds(0);
  odd.not_applied.push_back({"user-timeout", "5000", "0"});
  r.channels.push_back(odd);
  std::string text = report_text(r);
  CAPTURE(text);
  CHECK(text.find("  source connections: 5, each with {\"user-timeout\":5000}\n") !=
        std::string::npos);
  CHECK(text.find("  destination connections: 2, not all alike:\n") != std::string::npos);
  CHECK(text.find("    NOT in effect: user-timeout wanted 5000, socket has 0") != std::string::npos);
  // A single connection is the socket line: no summary repeats it.
  r.channels.resize(1);
  CHECK(report_text(r).find("connections:") == std::string::npos);
}
