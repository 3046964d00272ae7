// The rules QEMU checks only when it opens the socket or sets up the
// device, long after parsing: conflicting families, an empty port range,
// keep-alive tuning without keep-alive, reconnect-ms on a listener, dgram
// address combinations, and settings an old release accepts but ignores.
#pragma once

#include "base/diagnostics.h"
#include "base/json.h"
#include "schema/versions.h"

namespace qsock::uri {

// Whether the socket will listen, connect, or either (a bare URI).
enum class SocketRole { listen, connect, either };

// When QEMU opens the socket: at startup or when the command runs, so a
// problem makes QEMU refuse the option (an error); or later, asynchronously
// (-netdev stream), so QEMU accepts the option and the link never comes up
// (a warning that says so: `qsock check --strict` fails on it).
enum class Opened { at_once, later };

// A flat SocketAddress (typed QMP JSON) used in `role`; `path` prefixes keys
// in messages ("addr" for -netdev stream, "" for a URI).
Diagnostics socket_address_rules(const Json& address, SocketRole role, const schema::Target& target,
                                 std::string_view path, Opened opened = Opened::at_once);

// On a QEMU command line no monitor is current, so an fd address must be the
// decimal number of a descriptor QEMU inherited (names from getfd work only
// over the monitor). `message` is the front's own wording with one {} for the
// text given: "Invalid file descriptor number '{}'" (-incoming), "Unable to
// parse FD number {}" (-chardev).
Diagnostics command_line_fd_rules(const Json& address, std::string_view path,
                                  std::string_view message, Opened opened = Opened::at_once);

// A typed Netdev value ({"id":..,"type":"stream"|"dgram",...}).
Diagnostics netdev_rules(const Json& netdev, const schema::Target& target);

}  // namespace qsock::uri
