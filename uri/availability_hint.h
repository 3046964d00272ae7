// The hint for a name that exists in qsock's schema but not in the target QEMU.
#pragma once

#include <string>
#include <string_view>

#include "uri/qemu_version.h"

namespace qsock::uri {

// "keep-alive-count needs QEMU 10.1 or newer",
// "user-timeout is in no released QEMU; qsock migrate can still apply it",
// "reconnect was removed in QEMU 10.2; use reconnect-ms". `what` is the name
// as the user wrote it; `replacement` is optional.
std::string availability_hint(std::string_view what, const Availability& avail,
                              const Target& target, std::string_view replacement = {});

// The warning for a proposed name accepted by the default target.
std::string proposed_warning(std::string_view what);

}  // namespace qsock::uri
