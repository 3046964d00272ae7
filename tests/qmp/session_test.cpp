#include <doctest/doctest.h>

#include <sys/socket.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <string_view>
#include <thread>
#include <vector>

#include "peer_socket.h"
#include "qmp/fd_passing.h"
#include "qmp/session.h"

using namespace qsock;
using namespace qsock::qmp;
using namespace qsock::qmp::testing;

namespace {
Deadline short_deadline() { return Deadline::after(Milliseconds(100)); }

Session ready_session(PeerSocket& p) {
  p.say(greeting);
  p.say(negotiated);
  auto s = Session::start(p.take_client(), soon());
  REQUIRE_MESSAGE(s.has_value(), s.error().message);
  (void)p.heard();
  return std::move(*s);
}
}  // namespace

TEST_CASE("Session: greeting, negotiation, a command matched by id") {
  PeerSocket p;
  p.say(greeting);
  p.say(negotiated);
  p.say("{\"return\": {\"status\": \"prelaunch\", \"x-new\": 1}, \"id\": \"qsock-2\"}\r\n");
  auto s = Session::start(p.take_client(), soon());
  REQUIRE_MESSAGE(s.has_value(), s.error().message);
  CHECK(s->greeting().version_string() == "7.2.22");
  CHECK(s->greeting().capabilities == std::vector<std::string>{"oob"});
  CHECK(p.heard() == "{\"execute\":\"qmp_capabilities\",\"id\":\"qsock-1\"}\n");
  auto r = s->execute("query-status", Json(), soon());
  REQUIRE(r.has_value());
  CHECK(r->dump() == R"({"status":"prelaunch","x-new":1})");
  CHECK(p.heard() == "{\"execute\":\"query-status\",\"id\":\"qsock-2\"}\n");
}

TEST_CASE("Session: arguments are sent; empty arguments are left out") {
  PeerSocket p;
  Session s = ready_session(p);
  p.say("{\"return\": {}, \"id\": \"qsock-2\"}\r\n{\"return\": {}, \"id\": \"qsock-3\"}\r\n");
  Json args = Json::object();
  args["fdname"] = "mig";
  CHECK(s.execute("closefd", args, soon()).has_value());
  CHECK(s.execute("cont", Json::object(), soon()).has_value());
  CHECK(p.heard() ==
        "{\"execute\":\"closefd\",\"arguments\":{\"fdname\":\"mig\"},\"id\":\"qsock-2\"}\n"
        "{\"execute\":\"cont\",\"id\":\"qsock-3\"}\n");
}

TEST_CASE("Session: events before the reply are queued in order with timestamps") {
  PeerSocket p;
  Session s = ready_session(p);
  std::string flood;
  for (int i = 0; i < 1000; ++i)
    flood += "{\"timestamp\": {\"seconds\": 1, \"microseconds\": " + std::to_string(i) +
             "}, \"event\": \"" + (i % 2 ? "RESUME" : "STOP") + "\"}\r\n";
  p.say(flood);
  p.say("{\"return\": {}, \"id\": \"qsock-2\"}\r\n");
  REQUIRE(s.execute("stop", Json(), soon()).has_value());
  REQUIRE(s.queued_events().size() == 1000);
  CHECK(s.queued_events()[0].name == "STOP");
  CHECK(s.queued_events()[0].data == Json::object());
  CHECK(s.queued_events()[999].timestamp["microseconds"] == 999);
  auto e = s.next_event(short_deadline());
  REQUIRE(e.has_value());
  CHECK(e->name == "STOP");
  CHECK(s.queued_events().size() == 999);
}

TEST_CASE("Session: next_event waits for an event, and times out naming it") {
  PeerSocket p;
  Session s = ready_session(p);
  p.say("{\"event\": \"SHUTDOWN\", \"data\": {\"guest\": false}, \"timestamp\": {}}\r\n");
  auto e = s.next_event(short_deadline());
  REQUIRE(e.has_value());
  CHECK(e->data["guest"] == false);
  auto none = s.next_event(Deadline::after(Milliseconds(50)));
  REQUIRE_FALSE(none.has_value());
  CHECK(none.error().kind == ErrorKind::timeout);
  CHECK(none.error().message == "timed out after 50 ms awaiting an event");
}

TEST_CASE("Session: a monitor that never stops sending events still times out") {
  PeerSocket p;
  Session s = ready_session(p);
  // Events keep coming (there is always data to read), the reply never does:
  // the deadline ends the wait all the same. The flood stops after 10 s so
  // that a regression fails on the time taken instead of hanging.
  std::atomic<bool> stop{false};
  std::thread flood([&] {
    std::string events;
    for (int i = 0; i < 100; ++i) events += "{\"event\": \"RESUME\", \"timestamp\": {}}\r\n";
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!stop && std::chrono::steady_clock::now() < until) {
      // Non-blocking: once qsock stops reading, the buffer stays full.
      if (::send(p.peer, events.data(), events.size(), MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  auto started = std::chrono::steady_clock::now();
  auto r = s.execute("query-status", Json(), Deadline::after(Milliseconds(200)));
  auto took = std::chrono::steady_clock::now() - started;
  stop = true;
  flood.join();
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().kind == ErrorKind::timeout);
  CHECK(r.error().message == "timed out after 200 ms awaiting the reply to 'query-status'");
  CHECK(took < std::chrono::seconds(5));
}

TEST_CASE("Session: a QMP error carries class and desc") {
  PeerSocket p;
  Session s = ready_session(p);
  p.say(
      "{\"id\": \"qsock-2\", \"error\": {\"class\": \"GenericError\", \"desc\": "
      "\"File descriptor named 'x' not found\"}}\r\n");
  auto r = s.execute("closefd", Json(), soon());
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().kind == ErrorKind::qemu);
  CHECK(r.error().message == "GenericError: File descriptor named 'x' not found");
  CHECK(r.error().qemu_error["class"] == "GenericError");
  CHECK(s.usable());
}

TEST_CASE("Session: an error without id answers the command in flight") {
  PeerSocket p;
  Session s = ready_session(p);
  p.say(
      "{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error, expecting "
      "value\"}}\r\n");
  auto r = s.execute("query-status", Json(), soon());
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().kind == ErrorKind::qemu);
  CHECK(r.error().message ==
        "QEMU rejected 'query-status' before reading its id: GenericError: JSON parse error, "
        "expecting value");
}

TEST_CASE("Session: protocol errors") {
  struct Case {
    const char* said;
    const char* message;
  };
  Case cases[] = {
      {"{\"return\": {}, \"id\": \"other\"}\r\n",
       "a reply with unexpected id \"other\" while awaiting the reply to 'query-status' (id "
       "\"qsock-2\")"},
      {"{\"return\": {}}\r\n",
       "a reply without id while awaiting the reply to 'query-status' (id \"qsock-2\")"},
      {"{\"hello\": 1}\r\n",
       "unexpected monitor message while awaiting the reply to 'query-status': {\"hello\":1}"},
      {"{\"return\": {}, \"id\"\r\n",
       "invalid JSON from the monitor: '{\"return\": {}, \"id\"\\x0d'"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.said);
    PeerSocket p;
    Session s = ready_session(p);
    p.say(c.said);
    auto r = s.execute("query-status", Json(), soon());
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().kind == ErrorKind::protocol);
    CHECK(r.error().message == c.message);
    CHECK_FALSE(s.usable());
  }
}

TEST_CASE("Session: a late reply to a timed-out command is skipped") {
  PeerSocket p;
  Session s = ready_session(p);
  auto r = s.execute("query-status", Json(), Deadline::after(Milliseconds(50)));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message == "timed out after 50 ms awaiting the reply to 'query-status'");
  CHECK(s.usable());
  p.say("{\"return\": 1, \"id\": \"qsock-2\"}\r\n{\"return\": 2, \"id\": \"qsock-3\"}\r\n");
  auto again = s.execute("query-status", Json(), soon());
  REQUIRE(again.has_value());
  CHECK(*again == 2);
}

TEST_CASE("Session: no greeting says why that happens") {
  PeerSocket p;
  auto start = std::chrono::steady_clock::now();
  auto s = Session::start(p.take_client(), Deadline::after(Milliseconds(100)));
  REQUIRE_FALSE(s.has_value());
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(500));
  CHECK(s.error().kind == ErrorKind::timeout);
  CHECK(s.error().message ==
        "no greeting: QEMU is stopped, or another client (libvirt?) holds this monitor "
        "(timed out after 100 ms awaiting the QMP greeting)");
}

TEST_CASE("Session: greeting then silence times out in negotiation") {
  PeerSocket p;
  p.say(greeting);
  auto s = Session::start(p.take_client(), Deadline::after(Milliseconds(100)));
  REQUIRE_FALSE(s.has_value());
  CHECK(s.error().kind == ErrorKind::timeout);
  CHECK(s.error().message ==
        "capabilities negotiation failed: timed out after 100 ms awaiting the reply to "
        "'qmp_capabilities'");
}

TEST_CASE("Session: not a greeting") {
  PeerSocket p;
  p.say("{\"return\": {}}\r\n");
  auto s = Session::start(p.take_client(), soon());
  REQUIRE_FALSE(s.has_value());
  CHECK(s.error().kind == ErrorKind::protocol);
  CHECK(s.error().message == "expected the QMP greeting {\"QMP\": ...}, got {\"return\":{}}");
}

TEST_CASE("Session: an HMP monitor where QMP was expected says so") {
  struct Case {
    std::vector<std::string_view> pieces;  // what the monitor says, read by read
    std::string message;
  };
  const Case cases[] = {
      {{"QEMU 10.0.2 monitor - type 'help' for more information\r\n(qemu) "},
       "this is an HMP monitor, not QMP (it greets with 'QEMU 10.0.2 monitor - type 'help' for "
       "more information'): use 'qsock hmp' on it, or give the socket of QEMU's -qmp option"},
      {{"\r\n", "QEMU 7.2.22 monitor - type 'help' for more information\r\n"},
       "this is an HMP monitor, not QMP (it greets with 'QEMU 7.2.22 monitor - type 'help' for "
       "more information'): use 'qsock hmp' on it, or give the socket of QEMU's -qmp option"},
      {{"SSH-2.0-OpenSSH_9.2\r\n"},
       "expected the QMP greeting {\"QMP\": ...}, got 'SSH-2.0-OpenSSH_9.2'"},
  };
  for (const Case& c : cases) {
    PeerSocket p;
    for (auto piece : c.pieces) p.say(piece);
    auto s = Session::start(p.take_client(), soon());
    REQUIRE_FALSE(s.has_value());
    CHECK(s.error().kind == ErrorKind::protocol);
    CHECK(s.error().message == c.message);
    CHECK(p.heard().empty());  // not even qmp_capabilities reached it
  }
  SUBCASE("bytes read before (protocol detection) count too") {
    PeerSocket p;
    auto s = Session::start(p.take_client(), soon(), "QEMU 11.1.0 monitor - type 'help'");
    REQUIRE_FALSE(s.has_value());
    CHECK(s.error().message.starts_with("this is an HMP monitor, not QMP"));
  }
}

TEST_CASE("Session: the peer closes before greeting") {
  PeerSocket p;
  p.stop_talking();
  auto s = Session::start(p.take_client(), soon());
  REQUIRE_FALSE(s.has_value());
  CHECK(s.error().kind == ErrorKind::protocol);
  CHECK(s.error().message == "QEMU closed the monitor connection while awaiting the QMP greeting");
}

TEST_CASE("Session: the peer closes mid-reply") {
  PeerSocket p;
  Session s = ready_session(p);
  p.say("{\"return\": {\"stat");
  p.stop_talking();
  auto r = s.execute("query-status", Json(), soon());
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().kind == ErrorKind::protocol);
  CHECK(r.error().message ==
        "QEMU closed the monitor connection in the middle of a message (17 bytes received) "
        "while awaiting the reply to 'query-status'");
}

TEST_CASE("Session: the fd rides with the command (SCM_RIGHTS)") {
  PeerSocket p;
  Session s = ready_session(p);
  int pipefd[2];
  REQUIRE(::pipe(pipefd) == 0);
  p.say("{\"return\": {}, \"id\": \"qsock-2\"}\r\n");
  REQUIRE(s.execute("getfd", Json{{"fdname", "mig"}}, soon(), pipefd[1]).has_value());

  char data[256];
  iovec iov{data, sizeof data};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  auto n = ::recvmsg(p.peer, &msg, MSG_DONTWAIT);
  REQUIRE(n > 0);
  CHECK(std::string(data, static_cast<std::size_t>(n)).starts_with("{\"execute\":\"getfd\""));
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  REQUIRE(c != nullptr);
  CHECK(c->cmsg_type == SCM_RIGHTS);
  int received;
  std::memcpy(&received, CMSG_DATA(c), sizeof received);
  struct stat a, b;
  ::fstat(received, &a);
  ::fstat(pipefd[1], &b);
  CHECK(a.st_ino == b.st_ino);
  ::close(received);
  ::close(pipefd[0]);
  ::close(pipefd[1]);
}

TEST_CASE("NamedFd: closefd unless kept; getfd without a reply is undone") {
  int pipefd[2];
  REQUIRE(::pipe(pipefd) == 0);
  SUBCASE("dropped: closefd") {
    PeerSocket p;
    Session s = ready_session(p);
    p.say("{\"return\": {}, \"id\": \"qsock-2\"}\r\n{\"return\": {}, \"id\": \"qsock-3\"}\r\n");
    {
      auto named = pass_fd(s, pipefd[1], "mig", soon());
      REQUIRE(named.has_value());
    }
    std::string sent = p.heard();
    CHECK(sent.find(
              "{\"execute\":\"closefd\",\"arguments\":{\"fdname\":\"mig\"},\"id\":\"qsock-3\"}") !=
          std::string::npos);
  }
  SUBCASE("kept: nothing more is sent") {
    PeerSocket p;
    Session s = ready_session(p);
    p.say("{\"return\": {}, \"id\": \"qsock-2\"}\r\n");
    {
      auto named = pass_fd(s, pipefd[1], "mig", soon());
      REQUIRE(named.has_value());
      named->keep();
    }
    CHECK(p.heard().find("closefd") == std::string::npos);
  }
  SUBCASE("getfd times out: closefd follows") {
    PeerSocket p;
    Session s = ready_session(p);
    auto named = pass_fd(s, pipefd[1], "mig", Deadline::after(Milliseconds(50)));
    REQUIRE_FALSE(named.has_value());
    CHECK(named.error().kind == ErrorKind::timeout);
    CHECK(p.heard().find("\"closefd\"") != std::string::npos);
  }
  ::close(pipefd[0]);
  ::close(pipefd[1]);
}

TEST_CASE("add_fd: returns QEMU's numbers; remove-fd unless kept") {
  int pipefd[2];
  REQUIRE(::pipe(pipefd) == 0);
  PeerSocket p;
  Session s = ready_session(p);
  p.say("{\"return\": {\"fd\": 15, \"fdset-id\": 3}, \"id\": \"qsock-2\"}\r\n");
  {
    auto entry = add_fd(s, pipefd[1], 3, "tap", soon());
    REQUIRE(entry.has_value());
    CHECK(entry->added().fd == 15);
    CHECK(entry->added().fdset_id == 3);
  }
  std::string sent = p.heard();
  CHECK(sent.find("\"arguments\":{\"fdset-id\":3,\"opaque\":\"tap\"}") != std::string::npos);
  CHECK(sent.find("{\"execute\":\"remove-fd\",\"arguments\":{\"fdset-id\":3,\"fd\":15}") !=
        std::string::npos);
  ::close(pipefd[0]);
  ::close(pipefd[1]);
}

TEST_CASE("Session: no descriptor leaks on any failure path") {
  int before = open_fd_count();
  for (int i = 0; i < 20; ++i) {
    {
      PeerSocket p;  // no greeting
      (void)Session::start(p.take_client(), Deadline::after(Milliseconds(1)));
    }
    {
      PeerSocket p;  // invalid JSON
      p.say("{]\r\n");
      (void)Session::start(p.take_client(), soon());
    }
    {
      PeerSocket p;  // closed
      p.hang_up();
      (void)Session::start(p.take_client(), soon());
    }
    (void)Session::connect(MonitorAddress::unix_at("/nonexistent/q"), soon());
  }
  CHECK(open_fd_count() == before);
}
