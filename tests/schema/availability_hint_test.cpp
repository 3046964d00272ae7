#include <doctest/doctest.h>

#include <string>

#include "base/settable_members.h"
#include "schema/availability_hint.h"

using namespace qsock;
using namespace qsock::schema;

namespace {

const Availability since_10_1 = Availability::released_in({10, 1});
const Availability proposed = Availability::proposed_only();
Availability removed_in(QemuVersion v) {
  Availability a;
  a.removed = v;
  return a;
}

struct HintCase {
  const char* what;
  const char* member;
  Availability avail;
  QemuVersion target;
  const char* hint;
};

}  // namespace

TEST_CASE("availability_hint: a member qsock can set says so, others do not") {
  const std::string how =
      "; qsock can apply it itself: qsock migrate --sockopts fd|inject, "
      "qsock sockets --set";
  const HintCase cases[] = {
      {"keep-alive-count",
       "keep-alive-count",
       since_10_1,
       {7, 2},
       "keep-alive-count needs QEMU 10.1 or newer (checking for 7.2)"},
      {"addr.keep-alive-idle",
       "keep-alive-idle",
       since_10_1,
       {10, 0},
       "addr.keep-alive-idle needs QEMU 10.1 or newer (checking for 10.0)"},
      {"keep-alive-interval",
       "keep-alive-interval",
       since_10_1,
       {7, 2},
       "keep-alive-interval needs QEMU 10.1 or newer (checking for 7.2)"},
      {"user-timeout",
       "user-timeout",
       proposed,
       {10, 2},
       "user-timeout is in no released QEMU (proposed upstream)"},
      {"addr.user-timeout",
       "user-timeout",
       proposed,
       {7, 2},
       "addr.user-timeout is in no released QEMU (proposed upstream)"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.what);
    CHECK(availability_hint(c.what, c.member, c.avail, Target::release(c.target)) == c.hint + how);
  }
  // Not settable on an open socket, an enum value, or nothing to say.
  const HintCase plain[] = {
      {"numeric",
       "numeric",
       Availability::released_in({10, 1}),
       {7, 2},
       "numeric needs QEMU 10.1 or newer (checking for 7.2)"},
      {"mptcp", "mptcp", proposed, {7, 2}, "mptcp is in no released QEMU (proposed upstream)"},
      {"reconnect",
       "reconnect",
       removed_in({10, 2}),
       {10, 2},
       "reconnect was removed in QEMU 10.2"},
      {"addr.type=user-timeout",
       "",
       proposed,
       {7, 2},
       "addr.type=user-timeout is in no released QEMU (proposed upstream)"},
      {"keep-alive-count", "keep-alive-count", since_10_1, {10, 1}, ""},
  };
  for (const auto& c : plain) {
    CAPTURE(c.what);
    CHECK(availability_hint(c.what, c.member, c.avail, Target::release(c.target)) == c.hint);
  }
  CHECK(availability_hint("reconnect", "reconnect", removed_in({10, 2}), Target::release({10, 2}),
                          "reconnect-ms") ==
        "reconnect was removed in QEMU 10.2; use reconnect-ms");
}

TEST_CASE("proposed_warning: a member qsock can set says so") {
  CHECK(proposed_warning("addr.user-timeout", "user-timeout") ==
        "addr.user-timeout is proposed and in no released QEMU; qsock can apply it itself to any "
        "QEMU: qsock migrate --sockopts fd|inject, qsock sockets --set");
  CHECK(proposed_warning("addr.mptcp", "mptcp") ==
        "addr.mptcp is proposed and in no released QEMU");
  CHECK(proposed_warning("type=x", "") == "type=x is proposed and in no released QEMU");
}

TEST_CASE("qsock_can_set: the members set on an open socket") {
  for (const char* m :
       {"keep-alive", "keep-alive-count", "keep-alive-idle", "keep-alive-interval", "user-timeout"})
    CHECK(qsock_can_set(m));
  for (const char* m : {"mptcp", "numeric", "to", "ipv4", "ipv6", "host", "port", ""})
    CHECK_FALSE(qsock_can_set(m));
}
