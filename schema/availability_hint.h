// The hint for a name that exists in qsock's schema but not in the target QEMU.
#pragma once

#include <string>
#include <string_view>

#include "schema/versions.h"

namespace qsock::schema {

// "keep-alive-count needs QEMU 10.1 or newer (checking for 7.2); qsock can
// apply it itself: ...", "user-timeout is in no released QEMU (proposed
// upstream); qsock can apply it itself: ...", "reconnect was removed in QEMU
// 10.2; use reconnect-ms". `what` is the name as the user wrote it (a path,
// or path=value); `member` the schema member it names, "" for an enum value:
// a member qsock can set itself (base/settable_members.h) gets the "qsock can
// apply it" part. `replacement` is optional.
std::string availability_hint(std::string_view what, std::string_view member,
                              const Availability& avail, const Target& target,
                              std::string_view replacement = {});

// The warning for a proposed name accepted by the default target.
std::string proposed_warning(std::string_view what, std::string_view member);

}  // namespace qsock::schema
