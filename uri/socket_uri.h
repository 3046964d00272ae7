// QEMU's socket_parse(): the legacy "URI" of a socket address, as taken by
// -incoming, migrate, nbd-server-start, -gdb and friends:
//   unix:PATH | fd:NAME-OR-NUMBER | vsock:CID:PORT | tcp:HOST:PORT[,opts] | HOST:PORT[,opts]
#pragma once

#include <string_view>

#include "schema/model.h"
#include "schema/versions.h"
#include "uri/parsed.h"

namespace qsock::uri {

// The value is a flat QMP SocketAddress: {"type":"unix","path":..},
// {"type":"fd","str":..}, {"type":"vsock","cid":..,"port":..} or the inet
// form of parse_inet().
Parsed parse_socket_address(std::string_view text, const schema::Target& target,
                            const schema::Schema& schema);

}  // namespace qsock::uri
