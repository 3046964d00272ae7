// The schema of the QEMU at the other end of a session: query-qmp-schema,
// loaded into the schema model (see introspect.h). This is what
// `qsock check --schema-from SOCK` validates against, and what `qsock caps`
// reads features from.
#pragma once

#include "base/deadline.h"
#include "qmp/error.h"
#include "qmp/features.h"
#include "qmp/session.h"
#include "schema/model.h"

namespace qsock::qmp {

// Runs query-qmp-schema within `deadline`, with the embedded schema's
// sizes adopted (adopt_embedded_sizes). The schema's origin is
// "QEMU 7.2.22" (the greeting's version). Errors: those of execute(), and a
// reply that is not a SchemaInfo list (kind protocol).
Result<schema::Schema> live_schema(Session& session, Deadline deadline);

// live_schema, then detect_features with the greeting's version.
Result<Features> live_features(Session& session, Deadline deadline);

}  // namespace qsock::qmp
