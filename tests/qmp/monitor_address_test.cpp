#include <doctest/doctest.h>

#include "base/deadline.h"
#include "qmp/monitor_address.h"

using namespace qsock;
using namespace qsock::qmp;

TEST_CASE("parse_monitor_address accepts PATH, unix:PATH, tcp:HOST:PORT") {
  struct Case {
    const char* text;
    const char* described;
  };
  Case cases[] = {
      {"/run/qmp.sock", "unix:/run/qmp.sock"},
      {"qmp.sock", "unix:qmp.sock"},
      {"unix:/run/qmp.sock", "unix:/run/qmp.sock"},
      {"tcp:localhost:4444", "tcp:localhost:4444"},
      {"tcp:127.0.0.1:4444", "tcp:127.0.0.1:4444"},
      {"tcp:[::1]:4444", "tcp:[::1]:4444"},
      {"tcp:[fe80::1%eth0]:4444", "tcp:[fe80::1%eth0]:4444"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    auto a = parse_monitor_address(c.text);
    REQUIRE_MESSAGE(a.has_value(), a.error().message);
    CHECK(a->describe() == c.described);
  }
  auto v6 = parse_monitor_address("tcp:[::1]:4444");
  CHECK(v6->host == "::1");
  CHECK(v6->port == "4444");
}

TEST_CASE("parse_monitor_address refuses") {
  struct Case {
    const char* text;
    const char* message;
  };
  Case cases[] = {
      {"", "no monitor socket: give -s/--socket or set QSOCK_SOCKET"},
      {"unix:", "monitor address 'unix:': path is empty"},
      {"tcp:4444", "monitor address 'tcp:4444': expected tcp:HOST:PORT"},
      {"tcp::4444", "monitor address 'tcp::4444': host is empty"},
      {"tcp:host", "monitor address 'tcp:host': expected tcp:HOST:PORT"},
      {"tcp:host:", "monitor address 'tcp:host:': port is empty"},
      {"tcp:::1:4444",
       "monitor address 'tcp:::1:4444': put an IPv6 host in brackets, "
       "tcp:[::1]:PORT"},
      {"tcp:[::1:4444", "monitor address 'tcp:[::1:4444': missing ']'"},
      {"tcp:[::1]4444", "monitor address 'tcp:[::1]4444': expected ':PORT' after ']'"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    auto a = parse_monitor_address(c.text);
    REQUIRE_FALSE(a.has_value());
    CHECK(a.error().kind == ErrorKind::invalid);
    CHECK(a.error().message == c.message);
  }
  auto too_long = parse_monitor_address("/" + std::string(200, 'x'));
  REQUIRE_FALSE(too_long.has_value());
  CHECK(too_long.error().message.find("limited to 107 bytes") != std::string::npos);
}

TEST_CASE("Deadline") {
  CHECK(Deadline::after(Milliseconds(10000)).describe_budget() == "10 s");
  CHECK(Deadline::after(Milliseconds(1500)).describe_budget() == "1.5 s");
  CHECK(Deadline::after(Milliseconds(250)).describe_budget() == "250 ms");
  CHECK(Deadline::never().poll_timeout() == -1);
  CHECK_FALSE(Deadline::never().expired());
  CHECK(Deadline::after(Milliseconds(0)).expired());
  CHECK(Deadline::after(Milliseconds(0)).poll_timeout() == 0);
  auto d = Deadline::after(Milliseconds(5000));
  CHECK(d.poll_timeout() > 4000);
  CHECK(d.poll_timeout() <= 5000);
  CHECK(Deadline::never().min(d).budget() == d.budget());
  CHECK(d.min(Deadline::after(Milliseconds(10))).budget() == Milliseconds(10));
}
