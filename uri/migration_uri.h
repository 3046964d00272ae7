// Migration URIs as migrate, migrate-incoming and -incoming take them
// (QEMU's migrate_uri_parse()): tcp:, unix:, vsock:, fd: (socket_parse),
// exec:CMD, rdma:HOST:PORT, file:PATH[,offset=N], and -incoming's "defer".
#pragma once

#include <string_view>

#include "schema/model.h"
#include "schema/versions.h"
#include "uri/parsed.h"

namespace qsock::uri {

// Releases where a scheme changed.
inline constexpr schema::QemuVersion migration_file_since{8, 2};
inline constexpr schema::QemuVersion rdma_deprecated_since{9, 1};

// The value is a QMP MigrationAddress ({"transport":"socket",...flat
// SocketAddress}, {"transport":"exec","args":[...]}, {"transport":"rdma",
// "host":..,"port":..}, {"transport":"file","filename":..,"offset":N}) or,
// for "defer", the JSON string "defer".
Parsed parse_migration_uri(std::string_view text, const schema::Target& target,
                           const schema::Schema& schema);

}  // namespace qsock::uri
