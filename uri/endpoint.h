// One socket endpoint, independent of the syntax it was written in: what the
// check pipeline extracts from any input and what the converters render.
#pragma once

#include <optional>
#include <string>

#include "base/json.h"

namespace qsock::uri {

struct Endpoint {
  // The address as typed QMP JSON: a flat SocketAddress
  // ({"type":"inet","host":"::1","port":"4444","keep-alive":true}) or, for
  // migration URIs, a MigrationAddress ({"transport":"exec","args":[...]}).
  Json address;
  // Listen (true) or connect (false), where the input said so
  // (-netdev stream server=, -chardev server=). Absent for bare URIs.
  std::optional<bool> server;
  // The id of a -netdev or -chardev, where the input had one.
  std::string id;
  // Front-specific members other than addr/server/id, typed, in input order
  // (reconnect-ms, wait, nodelay, ...). A converter to the same front keeps
  // them; a converter to another front reports those it cannot express.
  Json extras = Json::object();
};

}  // namespace qsock::uri
