// What the user asked a migration to do, before anything is checked or sent:
// capabilities, parameters, the knobs qsock names itself, the target address
// and how socket options reach the migration socket. A value type; preflight
// checks it against the live schemas, the driver carries it out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"
#include "base/units.h"

namespace qsock::migration {

// How socket options (user-timeout, keep-alive-*) reach the migration socket.
enum class SockoptsMode {
  automatic,  // native, else fd, else inject
  native,     // in the address, where the QEMU's schema has the member
  fd,         // qsock opens the connection, applies them, passes it (getfd)
  inject,     // QEMU opens it; qsock applies them through pidfd_getfd
};
std::string_view mode_name(SockoptsMode m);  // "auto", "native", "fd", "inject"
std::optional<SockoptsMode> parse_mode(std::string_view name);

struct CapabilityRequest {
  std::string name;
  bool state = true;
  std::string why;  // "" when the user asked; else what turned it on ("--netpass")
};

struct MigrationPlan {
  std::vector<CapabilityRequest> capabilities;  // --cap NAME=on|off, in order
  std::vector<std::string> parameters;          // --param NAME=VALUE, typed by the schema later
  // The target as a MigrationAddress ({"transport":"socket","type":"inet",...}),
  // from the check pipeline; `target_text` as the user wrote it.
  Json target;
  std::string target_text;
  SockoptsMode sockopts = SockoptsMode::automatic;

  bool netpass = false;
  std::vector<std::string> backend_transfer;  // --backend-transfer TARGET...
  bool local_char_socket = false;
  std::optional<Milliseconds> downtime_limit;
  std::optional<BytesPerSecond> max_bandwidth;
  // --postcopy: switch to postcopy once this many precopy passes are done
  // (0: as soon as the migration is active).
  std::optional<std::uint64_t> postcopy_after_passes;

  // Whether the target is a socket of that type ("inet", "unix", "fd", ...).
  bool target_socket_is(std::string_view type) const;
  // The MigrationAddress transport ("socket", "file", "exec", "rdma").
  std::string transport() const;
};

}  // namespace qsock::migration
