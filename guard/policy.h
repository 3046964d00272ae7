// The guard's policy: which QEMU connections get which socket options.
// A TOML file (man qsock(1), GUARD POLICY):
//
//   enforce = false                 # re-apply when someone else changes a bounded connection
//   [defaults]                      # every QEMU TCP connection: the options `sockets --set` takes
//   user-timeout = 30000
//   keep-alive = true
//   [kind.migration]                # merged over [defaults] for one kind of connection
//   user-timeout = 20000
//   [kind.vnc]
//   ignore = true                   # leave these alone
//   [[rule]]                        # the first rule that matches wins, merged over the above
//   name = "storage"
//   peer = "10.1.0.0/16"            # address or CIDR prefix
//   local-port = "10809"            # a port or "FIRST-LAST"; peer-port likewise
//   process = "qemu-system-x86_64"  # executable name; pid-file, domain, cgroup, kind, channel
//   set = { user-timeout = 60000 }  # or "user-timeout=60000" as `sockets --set` writes it
//   enforce = true
//
// parse_policy checks everything it can without the host (types, ranges,
// unknown keys, contradictions) and reports each problem with its line.
#pragma once

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.h"
#include "sockopts/options.h"
#include "sockopts/proc_net.h"

namespace qsock::guard {

// What a connection is to its QEMU, as far as the guard can tell from the
// QEMU's command line and the connection's ports (guard/roles.h).
enum class Kind { migration, vnc, nbd, chardev, netdev, block, other };
inline constexpr std::array kAllKinds = {Kind::migration, Kind::vnc,   Kind::nbd,  Kind::chardev,
                                         Kind::netdev,    Kind::block, Kind::other};
std::string_view kind_name(Kind k);  // "migration", "vnc", ...
std::optional<Kind> kind_from_name(std::string_view name);

// Of a migration's connections: the first one is the main channel; later ones
// to (or on) the same port are multifd or postcopy-preempt channels, which
// the guard cannot tell apart without QEMU's monitor.
enum class Channel { none, main, extra };
std::string_view channel_name(Channel c);  // "", "main", "extra"

struct PortRange {
  std::uint16_t first = 0;
  std::uint16_t last = 0;
  bool contains(std::uint16_t port) const { return port >= first && port <= last; }
  bool operator==(const PortRange&) const = default;
};

// An address prefix, kept as sockopts::SockAddr keeps addresses (IPv4 as
// ::ffff:a.b.c.d, so "10.0.0.0/8" is /104 here).
struct AddressPrefix {
  std::array<std::uint8_t, 16> bytes{};
  unsigned bits = 128;
  bool contains(const sockopts::SockAddr& a) const;
  bool operator==(const AddressPrefix&) const = default;
};

// Every member given must hold for the rule to match.
struct Match {
  std::optional<PortRange> local_port;
  std::optional<PortRange> peer_port;
  std::optional<AddressPrefix> peer;
  std::optional<std::string> process;   // the executable's file name (or comm)
  std::optional<std::string> pid_file;  // the QEMU whose pid this file holds
  std::optional<std::string> domain;    // libvirt domain name (-name guest=NAME)
  std::optional<std::string> cgroup;    // prefix of the process's cgroup path
  std::optional<Kind> kind;
  std::optional<Channel> channel;
  bool operator==(const Match&) const = default;
};

struct Rule {
  std::string name;  // its name =, or "rule N"
  int line = 0;      // where it starts in the file
  Match match;
  bool ignore = false;
  sockopts::SocketOptions options;  // its set =
  std::optional<bool> enforce;
};

struct KindDefaults {
  sockopts::SocketOptions options;
  bool ignore = false;
};

struct Policy {
  std::string source;  // the file's path, or "--set"
  bool enforce = false;
  sockopts::SocketOptions defaults;
  std::map<Kind, KindDefaults> kinds;
  std::vector<Rule> rules;  // in file order: the first that matches wins
};

struct PolicyError {
  int line = 0;  // 1-based; 0 when the whole file is at fault (cannot read it)
  int column = 0;
  std::string message;
  std::string hint;
};

// The policy in `text`; `source` names it in the policy and in errors.
tl::expected<Policy, std::vector<PolicyError>> parse_policy(std::string_view text,
                                                            std::string_view source);
// The same, from a file.
tl::expected<Policy, std::vector<PolicyError>> load_policy(const std::string& path);

// --set OPTIONS: one rule for every QEMU connection.
Policy policy_for_all(const sockopts::SocketOptions& options);

// What the guard knows of one connection when it decides.
struct ConnectionFacts {
  sockopts::SockAddr local;
  sockopts::SockAddr peer;
  Kind kind = Kind::other;
  Channel channel = Channel::none;
  pid_t pid = 0;
  std::string process;                // executable file name
  std::optional<std::string> domain;  // libvirt domain name
  std::string cgroup;                 // the process's cgroup v2 path
};

struct Decision {
  bool ignore = false;  // leave the connection alone (also: nothing to set)
  sockopts::SocketOptions options;
  bool enforce = false;
  std::string because;  // "defaults", "kind.migration", "rule 'storage' (line 14)"
};

// The pid a pid file holds now, if any (pid-file matches read it at decision time).
using PidFileReader = std::function<std::optional<pid_t>(const std::string& path)>;

Decision decide(const Policy& policy, const ConnectionFacts& connection,
                const PidFileReader& read_pid_file);

// "FILE:LINE:COLUMN: message (hint)" lines, for --check-policy and reloads.
std::string format_errors(std::string_view source, const std::vector<PolicyError>& errors);

}  // namespace qsock::guard
