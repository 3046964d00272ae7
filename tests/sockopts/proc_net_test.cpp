#include <doctest/doctest.h>

#include "sockopts/proc_net.h"

using namespace qsock::sockopts;

TEST_CASE("parse_proc_net_tcp: IPv4 rows") {
  const char* table =
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
      "timeout inode\n"
      "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0   "
      "     0 1586 1 000000001320a8d1 100 0 0 10 0\n"
      "   1: 0200000A:D431 0100000A:115C 01 00000000:00000000 02:000AFD2A 00000000  1000   "
      "     0 97376 1 00000000bb43d57e 20 4 30 10 -1\n";
  auto rows = parse_proc_net_tcp(table, false);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].local.text() == "127.0.0.1:8080");
  CHECK(rows[0].remote.text() == "0.0.0.0:0");
  CHECK(rows[0].state == TcpState::listen);
  CHECK(rows[0].inode == 1586);
  CHECK(rows[1].local.text() == "10.0.0.2:54321");
  CHECK(rows[1].remote.text() == "10.0.0.1:4444");
  CHECK(rows[1].state == TcpState::established);
  CHECK(rows[1].inode == 97376);
}

TEST_CASE("parse_proc_net_tcp: IPv6 rows, IPv4-mapped peers print as IPv4") {
  const char* table =
      "  sl  local_address                         remote_address                        st "
      "tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
      "   0: 00000000000000000000000001000000:B5E9 00000000000000000000000000000000:0000 0A "
      "00000000:00000000 00:00000000 00000000     0        0 97377 1 0000000069d9a264 100 0 0 "
      "10 0\n"
      "   1: 0000000000000000FFFF00000100007F:115C 0000000000000000FFFF00000100007F:9C40 01 "
      "00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000069d9a264 100 0 0 "
      "10 0\n"
      "   2: garbage\n";
  auto rows = parse_proc_net_tcp(table, true);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].local.text() == "[::1]:46569");
  CHECK(rows[0].state == TcpState::listen);
  CHECK(rows[1].local.text() == "127.0.0.1:4444");
  CHECK(rows[1].remote.text() == "127.0.0.1:40000");
  CHECK(rows[1].remote == *parse_host_port("127.0.0.1:40000"));
}

TEST_CASE("parse_host_port") {
  CHECK(parse_host_port("10.0.0.1:4444")->text() == "10.0.0.1:4444");
  CHECK(parse_host_port("[::1]:80")->text() == "[::1]:80");
  CHECK(parse_host_port("[::ffff:10.0.0.1]:4444")->text() == "10.0.0.1:4444");
  CHECK(*parse_host_port("[::ffff:10.0.0.1]:4444") == *parse_host_port("10.0.0.1:4444"));
  for (const char* bad : {"", "10.0.0.1", "host:1", "10.0.0.1:99999", "[::1:80", "1.2.3.4:x"}) {
    CAPTURE(bad);
    auto r = parse_host_port(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().key == "peer");
  }
}

TEST_CASE("socket_inode") {
  CHECK(socket_inode("socket:[1234]") == 1234u);
  CHECK_FALSE(socket_inode("pipe:[1234]"));
  CHECK_FALSE(socket_inode("socket:[]"));
  CHECK_FALSE(socket_inode("socket:[12x]"));
  CHECK_FALSE(socket_inode("/dev/null"));
}
