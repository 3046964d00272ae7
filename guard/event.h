// What the guard did, one value per action: cli/ prints each as a line
// (text or JSON); the metrics count them.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/units.h"
#include "guard/policy.h"
#include "sockopts/apply.h"
#include "sockopts/options.h"
#include "sockopts/proc_net.h"

namespace qsock::guard {

enum class EventType {
  qemu_found,
  qemu_gone,
  bounded,          // options applied and read back as wanted
  already_bounded,  // the connection already had them: nothing set
  ignored,          // the policy leaves it alone
  failed,           // could not apply or read back (error, hint)
  changed,          // someone else changed a bounded connection's options
  reapplied,        // ... and the policy says enforce: set again
};
std::string_view event_name(EventType t);  // "qemu-found", "bounded", ...

struct QemuRef {
  pid_t pid = 0;
  std::string process;
  std::optional<std::string> domain;
};

struct ConnectionRef {
  int fd = -1;  // in the QEMU
  std::uint64_t inode = 0;
  sockopts::SockAddr local;
  sockopts::SockAddr peer;
  Kind kind = Kind::other;
  Channel channel = Channel::none;
};

struct Event {
  EventType type = EventType::bounded;
  QemuRef qemu;
  std::optional<ConnectionRef> connection;
  std::string rule;                                // why these options (Decision::because)
  std::optional<sockopts::SocketOptions> wanted;   // what the policy asks
  std::optional<sockopts::SocketOptions> options;  // as read back
  std::vector<sockopts::Difference> differences;   // wanted vs read back, when they differ
  // From the last scan that did not show the connection to its read-back:
  // an upper bound of how long it went unbounded. None when it was there
  // at the guard's first look.
  std::optional<Microseconds> latency;
  std::string error;
  std::string hint;
};

}  // namespace qsock::guard
