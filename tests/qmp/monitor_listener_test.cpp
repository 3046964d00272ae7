#include <doctest/doctest.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
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

TEST_CASE("monitor listener: the socket bound to the file, whom it serves, who waits") {
  // A QEMU monitor as sock_diag shows it: the listener (bound to inode 77 of
  // device 8:1, the kernel's encoding 8 << 20 | 1) with one connection in its
  // queue, the connection it serves (bound there too, a live peer), one whose
  // client has gone (peer 0), and another socket file's listener.
  const std::uint32_t dev = (8U << 20) | 1U;
  std::vector<UnixSocketRow> table = {
      {3001, 10, "/var/lib/libvirt/qemu/domain-1-vm/monitor.sock", 77, dev, 0, 1},
      {3002, 1, "/var/lib/libvirt/qemu/domain-1-vm/monitor.sock", 77, dev, 4001, 0},
      {3003, 1, "/var/lib/libvirt/qemu/domain-1-vm/monitor.sock", 77, dev, 0, 0},
      {4001, 1, "", std::nullopt, std::nullopt, 3002, 0},
      {5001, 10, "/run/other.sock", 78, dev, 0, 0},
  };
  auto l = monitor_listener(table, makedev(8, 1), 77);
  REQUIRE(l.has_value());
  CHECK(l->inode == 3001);
  CHECK(l->served == 1);
  CHECK(l->queued == 1);
  auto other = monitor_listener(table, makedev(8, 1), 78);
  REQUIRE(other.has_value());
  CHECK(other->served == 0);
  CHECK_FALSE(monitor_listener(table, makedev(8, 2), 77).has_value());  // another device
  CHECK_FALSE(monitor_listener(table, makedev(8, 1), 79).has_value());
}

TEST_CASE("monitor listener: libvirt's monitor paths name their domain") {
  CHECK(libvirt_domain_of("/var/lib/libvirt/qemu/domain-3-tiny/monitor.sock") == "tiny");
  CHECK(libvirt_domain_of("/var/lib/libvirt/qemu/domain-12-my-vm-1/monitor.sock") == "my-vm-1");
  CHECK(libvirt_domain_of("/var/lib/libvirt/qemu/domain-x-tiny/monitor.sock").empty());
  // A private libvirt root (another mount namespace's /var/lib/libvirt).
  CHECK(libvirt_domain_of("/tmp/lv/lib/qemu/domain-3-tiny/monitor.sock") == "tiny");
  CHECK(libvirt_domain_of("/run/qemu/domain-3-tiny/x/monitor.sock").empty());
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
  MonitorAddress address = MonitorAddress::unix_at(path);
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
