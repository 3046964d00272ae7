// Rendering an Endpoint in each syntax QEMU takes a socket address in.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "base/diagnostics.h"
#include "schema/model.h"
#include "uri/endpoint.h"

namespace qsock::uri {

enum class Syntax {
  uri,       // legacy URI: tcp:HOST:PORT,opt=..., unix:PATH, fd:NAME, vsock:CID:PORT, exec:, file:,
             // rdma:
  json,      // QMP JSON of the address: flat SocketAddress, or MigrationAddress
  netdev,    // -netdev stream,id=...,server=...,addr.type=...,addr.<member>=...
  incoming,  // -incoming MigrationChannel keyval (QEMU 10.0+): main,addr.transport=...
  chardev,   // -chardev socket,id=...,host=...,port=...,server=...,wait=... (QemuOpts flat form)
};

std::string_view syntax_name(Syntax syntax);
std::optional<Syntax> syntax_from_name(std::string_view name);

// Renders `endpoint` in `syntax`. Strict: whatever the syntax cannot express
// (a vsock address in -netdev, abstract UNIX sockets in a URI, keep-alive in
// the flat -chardev form, an extras member of another front, a comma where
// the syntax has no escape) is an error naming the member and the syntax,
// with a hint at a syntax that can express it.
//
// What is rendered: the address; for netdev and chardev also the id
// (default net0 / char0), `server` and the extras of that front; for
// incoming the extras member `channel-type` (default main). uri and json
// render the address alone: `server` and `id` describe how an address is
// used, not the address, and are not carried.
//
// Which extras each front keeps, and which address members the flat
// -chardev form has options for, come from `schema` (uri/front_members.h).
tl::expected<std::string, Diagnostic> render(const Endpoint& endpoint, Syntax syntax,
                                             const schema::Schema& schema);

}  // namespace qsock::uri
