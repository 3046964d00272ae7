// Completion inside an address string: the option names (and values) that
// can follow the text typed so far, read from the schema for one release.
// What is offered depends on the syntax in front of the cursor:
//   legacy URI  "tcp:h:1,ke"         -> InetSocketAddress options ("tcp:h:1,keep-alive=")
//   keyval      "stream,addr."       -> members under the path ("stream,addr.host=")
//   -chardev    "socket,id=c0,re"    -> the socket backend's QemuOpts ("...,reconnect-ms=")
// and after "NAME=" the values of a bool or enum member.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "schema/model.h"
#include "schema/versions.h"
#include "uri/check.h"

namespace qsock::uri {

struct AddressCandidate {
  std::string text;  // the whole input with the completion applied
  std::string doc;   // one line about it, "" when the schema has none
};

// `kind` nullopt: as check_input would detect it (a leading "-netdev " etc.
// decides it). Offers only what `target` has; never a member already given.
std::vector<AddressCandidate> complete_address(std::string_view text, std::optional<InputKind> kind,
                                               const schema::Target& target,
                                               const schema::Schema& schema);

}  // namespace qsock::uri
