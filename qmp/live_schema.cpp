#include "qmp/live_schema.h"

#include "qmp/introspect.h"
#include "schema/loader.h"

namespace qsock::qmp {

Result<schema::Schema> live_schema(Session& session, Deadline deadline) {
  auto reply = session.execute("query-qmp-schema", Json(), deadline);
  if (!reply) return tl::unexpected(reply.error());
  std::string version = session.greeting().version_string();
  auto schema =
      schema_from_introspection(*reply, version.empty() ? "a live QEMU" : "QEMU " + version);
  if (!schema) return fail(ErrorKind::protocol, schema.error());
  adopt_embedded_sizes(*schema, schema::embedded_schema());
  return std::move(*schema);
}

Result<Features> live_features(Session& session, Deadline deadline) {
  auto schema = live_schema(session, deadline);
  if (!schema) return tl::unexpected(schema.error());
  return detect_features(*schema, session.greeting().version_string());
}

}  // namespace qsock::qmp
