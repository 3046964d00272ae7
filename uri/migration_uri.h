// Migration URIs as migrate, migrate-incoming and -incoming take them
// (QEMU's migrate_uri_parse()): tcp:, unix:, vsock:, fd: (socket_parse),
// exec:CMD, rdma:HOST:PORT, file:PATH[,offset=N], and -incoming's "defer".
#pragma once

#include <string_view>

#include "uri/parsed.h"
#include "uri/qemu_version.h"
#include "uri/schema.h"

namespace qsock::uri {

// Releases where a scheme changed.
inline constexpr QemuVersion migration_file_since{8, 2};
inline constexpr QemuVersion rdma_deprecated_since{9, 1};

// The value is a QMP MigrationAddress ({"transport":"socket",...flat
// SocketAddress}, {"transport":"exec","args":[...]}, {"transport":"rdma",
// "host":..,"port":..}, {"transport":"file","filename":..,"offset":N}) or,
// for "defer", the JSON string "defer".
Parsed parse_migration_uri(std::string_view text, const Target& target, const Schema& schema);

}  // namespace qsock::uri
