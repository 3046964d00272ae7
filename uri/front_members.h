// What each front (the syntax around an address) can carry, read from the
// schema, so a member the schema gains is carried without a code change.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "schema/model.h"

namespace qsock::uri {

// The members a front keeps besides its address, `server` and `id`
// (Endpoint::extras), in schema order:
//   netdev:   NetdevStreamOptions
//   incoming: MigrationChannel
//   chardev:  ChardevSocket and its base, where the flat -chardev socket
//             form (chardev_options()) has an option of that name
// A front whose type the schema lacks keeps nothing.
struct FrontMembers {
  std::vector<std::string> netdev;
  std::vector<std::string> incoming;
  std::vector<std::string> chardev;
};
FrontMembers front_members(const schema::Schema& schema);

// A member of a SocketAddress branch and the flat -chardev socket option that
// sets it (qemu_chr_parse_socket).
struct FlatOption {
  std::string member;
  std::string option;
};

// The flat options for a SocketAddress of `type` (inet, unix, ...), in schema
// order. Empty when the flat form cannot write such an address: a required
// member has no flat option (vsock's cid), or the schema has no such branch.
std::vector<FlatOption> chardev_flat_options(const schema::Schema& schema, std::string_view type);

}  // namespace qsock::uri
