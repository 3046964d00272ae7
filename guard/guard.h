// The guard: each tick, every QEMU on the host, every established TCP
// connection of theirs, and the policy's options on each new one.
//
// A tick: the process table (new pids at once; a process that exec()s into
// QEMU after its fork is caught by re-reading young and, each second, all
// processes' names); one sock_diag dump per network namespace that holds a
// QEMU; for inodes not seen before, the QEMUs' /proc/PID/fd links of that
// namespace name the owner; each new connection is classified, decided,
// set through pidfd_getfd and read back. Connections and QEMUs that are gone
// are forgotten. Every verify interval the bounded connections are read back
// to notice options someone else changed.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <vector>

#include "base/fd.h"
#include "base/units.h"
#include "guard/event.h"
#include "guard/metrics.h"
#include "guard/netns.h"
#include "guard/permission.h"
#include "guard/policy.h"
#include "guard/qemu_process.h"
#include "guard/roles.h"

namespace qsock::guard {

struct GuardSettings {
  Milliseconds interval{100};
  Milliseconds verify_interval{2000};
};

// Reads a pid file: the first number in it.
std::optional<pid_t> read_pid_file(const std::string& path);

class Guard {
 public:
  using Clock = std::chrono::steady_clock;

  Guard(Policy policy, GuardSettings settings);

  // A new policy, for every connection: the next tick puts it on the
  // connections it decides differently for (options, or ignore).
  void set_policy(Policy policy);
  const Policy& policy() const { return policy_; }

  // One scan. The events say what it did, in order.
  std::vector<Event> tick();

  Counters& counters() { return counters_; }
  std::size_t connections() const { return tracked_.size(); }

 private:
  enum class State { bounded, already_bounded, ignored, failed };
  struct Tracked {
    pid_t pid = 0;
    ConnectionRef ref;
    State state = State::failed;
    ConnectionFacts facts;
    Decision decision;
    bool redecided = false;  // a reload changed its decision: settle it again
    std::optional<sockopts::SocketOptions> last_changed;  // last "changed" reported
    std::uint16_t channel_port = 0;
  };
  struct Qemu {
    QemuProcess process;
    DeclaredPorts declared;
    Fd pidfd;
    std::string pidfd_error;
    std::string access_error;  // /proc/PID/fd unreadable
  };
  struct Namespace {
    std::unique_ptr<NetnsSockets> sockets;
    // The last look that found nothing new: a dump, or counters that stood still.
    std::optional<Clock::time_point> previous_look;
    Clock::time_point last_dump{};
    std::optional<std::uint64_t> opens;      // tcp_opens() at the last dump
    bool pending = false;                    // the last dump saw a connection still being made
    std::vector<std::uint64_t> established;  // inodes of the last dump
  };
  struct Other {  // a process that is not QEMU (yet: it may exec QEMU)
    Clock::time_point first_seen;
  };

  void refresh_processes(Clock::time_point now, std::vector<Event>& events);
  void add_qemu(QemuProcess p, std::vector<Event>& events);
  void scan_namespace(std::uint64_t netns, Namespace& ns, Clock::time_point now,
                      std::set<std::uint64_t>& alive, std::vector<Event>& events);
  void handle_new(const Qemu& q, int fd, const sockopts::TcpDiagRow& row, bool accepted,
                  const std::optional<Clock::time_point>& previous_look,
                  std::vector<Event>& events);
  Event settle(const Qemu& q, Tracked& t);
  void verify(std::vector<Event>& events);
  void forget(std::uint64_t inode);
  QemuRef ref_of(const Qemu& q) const;

  Policy policy_;
  GuardSettings settings_;
  Credentials credentials_;
  std::map<pid_t, Qemu> qemus_;
  std::map<pid_t, Other> others_;
  std::map<std::uint64_t, Namespace> namespaces_;  // by netns inode
  std::map<std::uint64_t, Tracked> tracked_;       // by socket inode
  std::map<std::uint64_t, int> foreign_;           // inode -> looks without an owner
  std::map<std::pair<pid_t, std::uint16_t>, int> migration_channels_;  // open, per port
  Clock::time_point last_full_refresh_{};
  bool unowned_ = false;  // the last scan saw a connection no known QEMU owns
  Clock::time_point last_verify_{};
  bool first_tick_ = true;
  Counters counters_;
};

}  // namespace qsock::guard
