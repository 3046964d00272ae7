// A QMP session: the greeting, capabilities negotiation, commands matched to
// their replies by id, and the events that arrive in between, kept in order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/deadline.h"
#include "qmp/connection.h"
#include "qmp/error.h"
#include "qmp/libvirt_link.h"
#include "qmp/message_reader.h"
#include "qmp/monitor_address.h"

namespace qsock::qmp {

struct Greeting {
  Json version;  // as query-version: {"qemu": {"major", "minor", "micro"}, "package"}
  std::vector<std::string> capabilities;  // "oob", ...
  Json message;                           // the greeting as received
  std::string version_string() const;     // "7.2.22", or "" when absent
};

struct Event {
  std::string name;
  Json data;       // {} when the event has none
  Json timestamp;  // {"seconds": N, "microseconds": N}, as QEMU sent it
  Json message;    // the event as received, unknown members included
};

// What a missing greeting means, the same words for QMP and HMP.
inline constexpr std::string_view no_greeting_hint =
    "no greeting: QEMU is stopped, or another client (libvirt?) holds this monitor";

class Session {
 public:
  // Connects, reads the greeting and leaves capabilities negotiation: ready
  // for commands. Everything within `deadline`. A libvirt domain's address
  // goes through libvirt (libvirt_link.h): libvirt negotiated long ago, so
  // the greeting's version is query-version's answer.
  static Result<Session> connect(const MonitorAddress& address, Deadline deadline);

  // The same over a connected socket. `already_read` holds bytes read from it
  // before (while detecting the protocol). A monitor that greets with an HMP
  // banner is refused (kind protocol) with a message that says so.
  static Result<Session> start(Connection connection, Deadline deadline,
                               std::string_view already_read = {});

  const Greeting& greeting() const { return greeting_; }

  // Runs one command and returns its `return` value. A QMP error is an Error
  // of kind qemu carrying QEMU's error object. `arguments` may be null.
  // With `fd_to_pass` >= 0 that descriptor is sent by SCM_RIGHTS with the
  // command (getfd, add-fd). Events that arrive meanwhile are queued.
  Result<Json> execute(std::string_view command, const Json& arguments, Deadline deadline,
                       int fd_to_pass = -1);

  // The oldest queued event, else the next one to arrive before `deadline`.
  Result<Event> next_event(Deadline deadline);

  // Events received while waiting for replies, oldest first.
  std::deque<Event>& queued_events() { return events_; }
  // Events dropped because the queue was full (oldest go first).
  std::uint64_t dropped_events() const { return dropped_; }
  static constexpr std::size_t max_queued_events = 100000;

  bool usable() const { return !broken_; }
  // Through libvirt (a domain's QEMU), or null over a monitor socket.
  const LibvirtLink* libvirt() const { return libvirt_.get(); }

 private:
  explicit Session(Connection connection) : connection_(std::move(connection)) {}
  explicit Session(std::shared_ptr<LibvirtLink> link) : libvirt_(std::move(link)) {}
  static Result<Session> start_libvirt(const MonitorAddress& address, Deadline deadline);

  Result<void> read_greeting(Deadline deadline);
  // The next message from the monitor; a protocol error breaks the session.
  Result<Json> read_message(Deadline deadline, std::string_view awaiting);
  void queue_event(Json message);
  Result<Json> await_reply(const Json& id, std::string_view command, Deadline deadline);
  // A reply's return value, or QEMU's error as an Error of kind qemu.
  static Result<Json> reply_value(Json& reply, std::string_view command);

  std::optional<Connection> connection_;  // over a socket
  std::shared_ptr<LibvirtLink> libvirt_;  // or through libvirt
  MessageReader reader_;
  Greeting greeting_;
  std::deque<Event> events_;
  std::uint64_t dropped_ = 0;
  std::uint64_t next_id_ = 1;
  std::set<std::string> abandoned_ids_;  // commands whose reply we stopped waiting for
  bool broken_ = false;
};

// "GenericError: Parameter 'x' is missing": how a QMP error reads.
std::string describe_qemu_error(const Json& error);

}  // namespace qsock::qmp
