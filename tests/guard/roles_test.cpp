#include <doctest/doctest.h>

#include "guard/roles.h"

using namespace qsock::guard;

namespace {
std::vector<std::string> words(std::initializer_list<const char*> w) {
  return {w.begin(), w.end()};
}
}  // namespace

TEST_CASE("declared_ports: the options that name a port declare its kind") {
  auto d = declared_ports(
      words({"qemu-system-x86_64", "-vnc", "127.0.0.1:3,websocket=5780", "-chardev",
             "socket,id=s,host=0.0.0.0,port=4555,server=on", "-netdev",
             "stream,id=n,addr.type=inet,addr.host=h,addr.port=7000", "-blockdev",
             R"({"driver":"nbd","server":{"type":"inet","host":"h","port":"10900"}})", "-drive",
             "file=nbd://storage:10901/disk,if=none", "-serial",
             "tcp:127.0.0.1:4600,server=on,wait=off", "-incoming", "tcp:0.0.0.0:4444"}));
  CHECK(d.incoming);
  CHECK(d.ports.at(5903) == Kind::vnc);
  CHECK(d.ports.at(5780) == Kind::vnc);
  CHECK(d.ports.at(4555) == Kind::chardev);
  CHECK(d.ports.at(7000) == Kind::netdev);
  CHECK(d.ports.at(10900) == Kind::block);
  CHECK(d.ports.at(10901) == Kind::block);
  CHECK(d.ports.at(4600) == Kind::chardev);
  CHECK(d.ports.at(4444) == Kind::migration);
}

TEST_CASE("declared_ports: libvirt's command line (-incoming defer, VNC on a UNIX socket)") {
  auto d =
      declared_ports(words({"/usr/bin/qemu-system-x86_64", "-name", "guest=vm1,debug-threads=on",
                            "-vnc", "unix:/run/vnc.sock", "-incoming", "defer"}));
  CHECK(d.incoming);
  CHECK(d.ports.empty());
}

TEST_CASE("classify: accepted connections by their local port, opened ones by the peer's") {
  DeclaredPorts d;
  d.ports = {{5901, Kind::vnc}, {4555, Kind::chardev}, {7000, Kind::netdev}};
  CHECK(classify(d, 5901, 40000, true) == Kind::vnc);
  CHECK(classify(d, 4555, 40001, true) == Kind::chardev);
  CHECK(classify(d, 41000, 7000, false) == Kind::netdev);
  CHECK(classify(d, 10809, 40002, true) == Kind::nbd);        // nbd-server-start's default port
  CHECK(classify(d, 41001, 10809, false) == Kind::block);     // a block device's NBD client
  CHECK(classify(d, 41002, 4444, false) == Kind::migration);  // QEMU connected on its own: migrate
  CHECK(classify(d, 4444, 41003, true) == Kind::other);       // accepted, no -incoming
  d.incoming = true;
  CHECK(classify(d, 4444, 41003, true) == Kind::migration);
}
