#include <doctest/doctest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <string>

#include "base/deadline.h"
#include "base/fd.h"
#include "qmp/connection.h"
#include "qmp/monitor_listener.h"

using namespace qsock;
using namespace qsock::qmp;

namespace {

// Three sockets of one QEMU monitor as Linux 6.1 lists them: the listener,
// the connection QEMU serves, and one still in the accept queue.
constexpr const char* kTable =
    "Num       RefCount Protocol Flags    Type St Inode Path\n"
    "00000000625c176f: 00000002 00000000 00000000 0001 02     0 /run/q/qmp.sock\n"
    "0000000082cefaed: 00000002 00000000 00010000 0001 01 3624938 /run/q/qmp.sock\n"
    "0000000045c4ab7a: 00000003 00000000 00000000 0001 03 3624940 /run/q/qmp.sock\n"
    "00000000aaaaaaaa: 00000003 00000000 00000000 0001 03 3624941\n"
    "00000000bbbbbbbb: 00000002 00000000 00010000 0001 01 3624950 /tmp/with space.sock\n"
    "not a row\n";

sockaddr_un unix_address(const std::string& path) {
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  std::memcpy(sa.sun_path, path.data(), path.size());
  return sa;
}

Fd connect_to(const std::string& path) {
  Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un sa = unix_address(path);
  REQUIRE(::connect(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
  return fd;
}

}  // namespace

TEST_CASE("monitor listener: /proc/net/unix rows, and what they say of one listener") {
  auto rows = parse_proc_net_unix(kTable);
  REQUIRE(rows.size() == 5);
  CHECK(rows[1].listening);
  CHECK(rows[1].inode == 3624938);
  CHECK(rows[1].state == 1);
  CHECK(rows[3].path.empty());
  CHECK(rows[4].path == "/tmp/with space.sock");

  auto l = monitor_listener(rows, "/run/q/qmp.sock");
  REQUIRE(l.has_value());
  CHECK(l->inode == 3624938);
  CHECK(l->served == 1);
  CHECK(l->queued == 1);
  CHECK_FALSE(monitor_listener(rows, "/run/q/other.sock").has_value());
  auto idle = monitor_listener(rows, "/tmp/with space.sock");
  REQUIRE(idle.has_value());
  CHECK(idle->served == 0);
  CHECK(idle->queued == 0);
}

TEST_CASE("monitor listener: libvirt's monitor paths name their domain") {
  CHECK(libvirt_domain_of("/var/lib/libvirt/qemu/domain-3-tiny/monitor.sock") == "tiny");
  CHECK(libvirt_domain_of("/var/lib/libvirt/qemu/domain-12-my-vm-1/monitor.sock") == "my-vm-1");
  CHECK(libvirt_domain_of("/var/lib/libvirt/qemu/domain-x-tiny/monitor.sock").empty());
  CHECK(libvirt_domain_of("/run/qemu/domain-3-tiny/monitor.sock").empty());
  CHECK(libvirt_domain_of("/var/lib/libvirt/qemu/domain-3-tiny/qmp.sock").empty());
}

TEST_CASE("monitor listener: a held monitor is refused at once, its queue left as it was") {
  std::string path = "/tmp/qsock-held-" + std::to_string(::getpid()) + ".sock";
  ::unlink(path.c_str());
  Fd listener(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un sa = unix_address(path);
  REQUIRE(::bind(listener.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
  REQUIRE(::listen(listener.get(), 1) == 0);  // as QEMU does

  // Free: a connection goes through (and is then accepted and closed).
  MonitorAddress address{MonitorAddress::Kind::unix_socket, path, "", ""};
  {
    auto free = Connection::open(address, Deadline::after(Milliseconds(1000)));
    REQUIRE_MESSAGE(free.has_value(), free.error().message);
    Fd served(::accept(listener.get(), nullptr, nullptr));
  }
  CHECK(listener_pid(path) == ::getpid());

  // Held: another client is served, and one earlier connection waits.
  Fd holder = connect_to(path);
  Fd served(::accept(listener.get(), nullptr, nullptr));
  REQUIRE(served.valid());
  Fd stale = connect_to(path);
  auto before = monitor_listener(path);
  REQUIRE(before.has_value());
  CHECK(before->served == 1);
  CHECK(before->queued == 1);

  for (int attempt = 0; attempt < 3; ++attempt) {
    auto t0 = std::chrono::steady_clock::now();
    auto held = Connection::open(address, Deadline::after(Milliseconds(10000)));
    auto took = std::chrono::steady_clock::now() - t0;
    REQUIRE_FALSE(held.has_value());
    CHECK(held.error().kind == ErrorKind::connect);
    CHECK(held.error().message.find("is held by another client") != std::string::npos);
    CHECK(held.error().message.find("1 earlier connection waits in its queue") !=
          std::string::npos);
    CHECK(took < std::chrono::seconds(1));
    auto after = monitor_listener(path);
    REQUIRE(after.has_value());
    CHECK(after->queued == before->queued);
  }
  // The pid is found without a connection, held or not.
  CHECK(listener_pid(path) == ::getpid());
  CHECK(monitor_listener(path)->queued == 1);
  ::unlink(path.c_str());
}
