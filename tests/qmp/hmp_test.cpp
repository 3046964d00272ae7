#include <doctest/doctest.h>

#include <optional>
#include <string>

#include "peer_socket.h"
#include "qmp/hmp.h"
#include "qmp/protocol_detect.h"

using namespace qsock;
using namespace qsock::qmp;
using namespace qsock::qmp::testing;

namespace {
constexpr std::string_view banner =
    "QEMU 7.2.22 monitor - type 'help' for more information\r\n(qemu) ";
// What QEMU 7.2 sends back for "info status\n": its line editor redraws the
// line after every character, then CRLF, the output and the prompt.
constexpr std::string_view info_status_reply =
    "i\x1b[K\x1b[Din\x1b[K\x1b[D\x1b[Dinf\x1b[K\x1b[D\x1b[D\x1b[Dinfo\x1b[K"
    "info status\x1b[K\r\nVM status: paused (prelaunch)\r\n(qemu) ";
}  // namespace

TEST_CASE("check_hmp_line refuses what would inject a second command") {
  CHECK(check_hmp_line("info status").has_value());
  CHECK(check_hmp_line("migrate -d tcp:[::1]:4444").has_value());
  struct Case {
    std::string_view line;
    const char* message;
  };
  Case cases[] = {
      {"info status\nquit",
       "the HMP command line contains a line break at offset 11: HMP would run what follows "
       "as a second command"},
      {"stop\r",
       "the HMP command line contains a line break at offset 4: HMP would run what "
       "follows as a second command"},
      {"info\tstatus",
       "the HMP command line contains the control character \\x09 at offset 4: "
       "HMP's line editor would act on it"},
      {std::string_view("a\0b", 3),
       "the HMP command line contains the control character "
       "\\x00 at offset 1: HMP's line editor would act on it"},
      {"x\x1b[A",
       "the HMP command line contains the control character \\x1b at offset 1: "
       "HMP's line editor would act on it"},
      {"", "the HMP command line is empty"},
      {"   ", "the HMP command line is empty"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.line);
    auto r = check_hmp_line(c.line);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().kind == ErrorKind::invalid);
    CHECK(r.error().message == c.message);
  }
}

TEST_CASE("hmp_error_in knows HMP's error replies by their shape") {
  struct Case {
    std::string_view output;
    std::optional<std::string> error;
  };
  const Case cases[] = {
      // The dispatcher: unknown commands, top level and in a sub-table.
      {"unknown command: 'no_such_cmd'\n", "unknown command: 'no_such_cmd'"},
      {"unknown command: 'info no_such'\n", "unknown command: 'info no_such'"},
      {"Command 'migrate' not available until machine initialization has completed.\n",
       "Command 'migrate' not available until machine initialization has completed."},
      {"Command \"snapshot_blkdev\" is not available.\n",
       "Command \"snapshot_blkdev\" is not available."},
      // Arguments it cannot parse: the reason is the line before the "Try help".
      {"migrate: string expected\nTry \"help migrate\" for more information\n",
       "migrate: string expected"},
      {"stop: extraneous characters at the end of line\nTry \"help stop\" for more information\n",
       "stop: extraneous characters at the end of line"},
      {"Try \"help x\" for more information\n", "Try \"help x\" for more information"},
      // A command that failed (hmp_handle_error), also after other output and with CRLF.
      {"Error: Failed to connect to '/path,user-timeout=5000': No such file or directory\n",
       "Error: Failed to connect to '/path,user-timeout=5000': No such file or directory"},
      {"some output\r\nError: Invalid parameter 'bogus'\r\n", "Error: Invalid parameter 'bogus'"},
      // Ordinary output, even when it mentions errors.
      {"VM status: running\n", std::nullopt},
      {"", std::nullopt},
      {"\n\n", std::nullopt},
      {"Migration status: failed (Error: connection reset)\n", std::nullopt},
      {"  unknown command: 'x'\n", std::nullopt},
      {"Error:\n", std::nullopt},
      {"help: Try \"help\" later\n", std::nullopt},
  };
  for (const Case& c : cases) {
    CAPTURE(c.output);
    CHECK(hmp_error_in(c.output) == c.error);
  }
}

TEST_CASE("clean_hmp_output strips escapes and CRs") {
  CHECK(clean_hmp_output("a\x1b[K\x1b[Db\r\nc\r\n") == "ab\nc\n");
  CHECK(clean_hmp_output("\x1b[1;31mred\x1b[0m") == "red");
  CHECK(clean_hmp_output("no escapes\n") == "no escapes\n");
  CHECK(clean_hmp_output("trailing \x1b[") == "trailing ");
}

TEST_CASE("HmpSession: banner, one command, output without echo or prompt") {
  PeerSocket p;
  p.say(banner);
  p.say(info_status_reply);
  auto s = HmpSession::start(p.take_client(), soon());
  REQUIRE_MESSAGE(s.has_value(), s.error().message);
  CHECK(s->banner() == "QEMU 7.2.22 monitor - type 'help' for more information");
  auto out = s->run("info status", soon());
  REQUIRE(out.has_value());
  CHECK(*out == "VM status: paused (prelaunch)\n");
  CHECK(p.heard() == "info status\n");
}

TEST_CASE("HmpSession: a command with no output, replies in pieces") {
  PeerSocket p;
  p.say(banner);
  auto s = HmpSession::start(p.take_client(), soon());
  REQUIRE(s.has_value());
  p.say("s\x1b[K\x1b[Dstop\x1b[K\r");
  p.say("\n(qe");
  p.say("mu) ");
  auto out = s->run("stop", soon());
  REQUIRE(out.has_value());
  CHECK(*out == "");
}

TEST_CASE("HmpSession: the banner split from its prompt is read whole") {
  PeerSocket p;
  p.say(banner.substr(0, 10));
  p.say(banner.substr(10));
  auto s = HmpSession::start(p.take_client(), soon());
  REQUIRE(s.has_value());
}

TEST_CASE("HmpSession: failures") {
  SUBCASE("no banner at all") {
    PeerSocket p;
    auto s = HmpSession::start(p.take_client(), Deadline::after(Milliseconds(50)));
    REQUIRE_FALSE(s.has_value());
    CHECK(s.error().kind == ErrorKind::timeout);
    CHECK(s.error().message ==
          "no greeting: QEMU is stopped, or another client (libvirt?) holds this monitor "
          "(timed out after 50 ms awaiting the HMP prompt '(qemu) ')");
  }
  SUBCASE("banner but no prompt") {
    PeerSocket p;
    p.say("QEMU 7.2.22 monitor - type 'help' for more information\r\n");
    auto s = HmpSession::start(p.take_client(), Deadline::after(Milliseconds(50)));
    REQUIRE_FALSE(s.has_value());
    CHECK(s.error().message ==
          "timed out after 50 ms awaiting the HMP prompt '(qemu) ' (received 56 bytes without "
          "a prompt)");
  }
  SUBCASE("no prompt after a command") {
    PeerSocket p;
    p.say(banner);
    auto s = HmpSession::start(p.take_client(), soon());
    REQUIRE(s.has_value());
    p.say("info status\x1b[K\r\nVM status: running\r\n");
    auto out = s->run("info status", Deadline::after(Milliseconds(50)));
    REQUIRE_FALSE(out.has_value());
    CHECK(out.error().kind == ErrorKind::timeout);
    CHECK(out.error().message.starts_with(
        "timed out after 50 ms awaiting the HMP prompt after 'info status'"));
  }
  SUBCASE("an unsafe line is refused before anything is sent") {
    PeerSocket p;
    p.say(banner);
    auto s = HmpSession::start(p.take_client(), soon());
    REQUIRE(s.has_value());
    auto out = s->run("stop\nquit", soon());
    REQUIRE_FALSE(out.has_value());
    CHECK(out.error().kind == ErrorKind::invalid);
    CHECK(p.heard() == "");
  }
}

TEST_CASE("detect_protocol: QMP greets with JSON, HMP with a banner") {
  {
    PeerSocket p;
    p.say(greeting.substr(0, 5));
    auto d = detect_protocol(p.take_client(), soon());
    REQUIRE(d.has_value());
    CHECK(d->protocol == Protocol::qmp);
    CHECK(d->already_read == greeting.substr(0, 5));
  }
  {
    PeerSocket p;
    p.say(banner);
    auto d = detect_protocol(p.take_client(), soon());
    REQUIRE(d.has_value());
    CHECK(d->protocol == Protocol::hmp);
    auto s = HmpSession::start(std::move(d->connection), soon(), d->already_read);
    REQUIRE(s.has_value());
  }
  {
    PeerSocket p;
    auto d = detect_protocol(p.take_client(), Deadline::after(Milliseconds(20)));
    REQUIRE_FALSE(d.has_value());
    CHECK(d.error().message.starts_with("no greeting: QEMU is stopped"));
  }
}
