// What a QEMU connection is for, told from the QEMU's command line and the
// connection's ports, without QEMU's monitor (libvirt may hold it).
//
// A QEMU option that names a TCP port declares that port's kind:
//   -vnc [HOST]:D (port 5900+D, websocket=P), -spice port=P   display (vnc)
//   -incoming tcp:HOST:P                                      migration
//   -chardev/-serial/-monitor/-qmp ...port=P or tcp:HOST:P    chardev
//   -netdev/-nic/-net ...port=P, connect=/listen=HOST:P       netdev
//   -drive/-blockdev ...port=P or nbd://HOST:P/                block
// An accepted connection (its local port is listening) takes the kind of its
// local port; then NBD's port 10809 is the NBD server (nbd-server-start);
// then, in a QEMU started with -incoming (defer too), migration. A connection
// QEMU opened takes the kind of its peer's port; then 10809 is a block
// device's NBD client; then migration: QEMU opens no other TCP connection of
// its own accord (a chardev, netdev or block device added later over QMP is
// the exception, and a [[rule]] by port tells it).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "guard/policy.h"

namespace qsock::guard {

struct DeclaredPorts {
  std::map<std::uint16_t, Kind> ports;
  bool incoming = false;  // started with -incoming (tcp:, defer, ...)
};

DeclaredPorts declared_ports(const std::vector<std::string>& argv);

inline constexpr std::uint16_t kNbdPort = 10809;

Kind classify(const DeclaredPorts& declared, std::uint16_t local_port, std::uint16_t peer_port,
              bool accepted);

}  // namespace qsock::guard
