// QEMU's inet_parse(): "host:port[,option...]" as in tcp:, -incoming, nbd and
// -chardev's compat forms. Two generations, chosen by the target release:
// before QEMU 10.1 a sscanf/strstr parser that silently ignores what it does
// not know; since 10.1 QemuOpts, whose option set qsock derives from the
// schema's InetSocketAddress members.
#pragma once

#include <string_view>

#include "schema/model.h"
#include "schema/versions.h"
#include "uri/parsed.h"

namespace qsock::uri {

enum class InetGeneration { scanf_era, qemu_opts };

// The first release whose inet_parse() is the QemuOpts one.
inline constexpr schema::QemuVersion inet_qemu_opts_since{10, 1};

InetGeneration inet_generation(const schema::Target& target);

// Parses "host:port,opts" (no "tcp:" prefix). The value is a flat QMP
// SocketAddress: {"type":"inet","host":..,"port":..,<options typed>} with the
// options in the schema's member order.
Parsed parse_inet(std::string_view text, const schema::Target& target,
                  const schema::Schema& schema);

// A NUL byte cannot reach QEMU through argv or QMP strings; every legacy
// parser refuses it with this diagnostic.
bool reject_nul(std::string_view text, Parsed& out);

}  // namespace qsock::uri
