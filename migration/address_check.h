// The --to address of a migration, checked as `qsock check` checks it for the
// source QEMU's release, before anything changes on either QEMU: check's
// warnings, and as errors what cannot work there.
#pragma once

#include <string>
#include <string_view>

#include "base/deadline.h"
#include "base/diagnostics.h"
#include "qmp/error.h"
#include "qmp/monitor_address.h"
#include "schema/model.h"
#include "schema/versions.h"

namespace qsock::migration {

// Pure: `to` for one release. Warnings are check's. Errors refuse the address:
//  - check's errors, except on members qsock sets on the socket itself
//    (base/settable_members.h), which stay warnings;
//  - check's warnings that QEMU would fail to open the socket;
//  - a path that carries an address option after a comma
//    (unix:/p,user-timeout=5000): QEMU takes it all as the path.
Diagnostics check_migration_address(std::string_view to, schema::QemuVersion release,
                                    const schema::Schema& schema);

struct SourceAddressCheck {
  std::string release;  // the source QEMU's, as it says: "7.2.22"
  Diagnostics diags;
};

// Reads the source QEMU's release from its monitor's greeting (QMP) or
// banner (HMP), changing nothing there, and checks `to` for it against the
// embedded schema. A release newer than qsock knows is checked as the newest.
qmp::Result<SourceAddressCheck> check_address_for_source(const qmp::MonitorAddress& source,
                                                         std::string_view to, Deadline deadline);

}  // namespace qsock::migration
