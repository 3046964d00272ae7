// -chardev socket,... (QemuOpts, implied key "backend") turned into the
// arguments of QMP chardev-add, the way QEMU's qemu_chr_parse_socket() does:
//   {"id":"c0","backend":{"type":"socket","data":{"addr":{"type":"inet",
//    "data":{...}},"server":true,"wait":false,...}}}
// The option names are QEMU's qemu_chardev_opts list of the target release;
// it is shared by all backends, so options of other backends are accepted
// (and ignored by the socket backend), exactly as QEMU does.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "schema/model.h"
#include "schema/versions.h"
#include "uri/parsed.h"
#include "uri/qemu_opts.h"

namespace qsock::uri {

struct ChardevOption {
  std::string_view name;
  QemuOptType type;
  schema::QemuVersion since;  // {0,0}: older than any supported release
  std::optional<schema::QemuVersion> removed;
  bool socket;  // read by the socket backend
};

// qemu_chardev_opts across the releases qsock knows, in QEMU's order.
const std::vector<ChardevOption>& chardev_options();

// Whether QEMU has a chardev back end of that name (socket among them).
bool is_chardev_backend(std::string_view name);

Parsed parse_chardev(std::string_view text, const schema::Target& target,
                     const schema::Schema& schema);

}  // namespace qsock::uri
