#include <doctest/doctest.h>

#include <algorithm>

#include <optional>
#include <string>
#include <vector>

#include "migration/preflight.h"
#include "qmp/fixtures.h"
#include "schema/loader.h"

using namespace qsock;
using migration::MigrationPlan;
using migration::MigrationSide;

namespace {

const qmp::Features& features72() {
  static const qmp::Features f = qmp::detect_features(test::qemu72_schema(), "7.2.22");
  return f;
}
const qmp::Features& features_proposed() {
  static const qmp::Features f = qmp::detect_features(test::proposed_schema(), "11.0.0");
  return f;
}
MigrationSide side72(const char* label = "source (QEMU 7.2.22)") {
  return {&test::qemu72_live_schema(), &features72(), label, {}, std::nullopt};
}
MigrationSide side_proposed(const char* label = "source (QEMU 11.0.0)") {
  return {&test::proposed_live_schema(), &features_proposed(), label, {}, std::nullopt};
}

Json tcp_target() {
  return Json::parse(R"({"transport":"socket","type":"inet","host":"127.0.0.1","port":"4444"})");
}
Json unix_target() {
  return Json::parse(R"({"transport":"socket","type":"unix","path":"/tmp/m.sock"})");
}

MigrationPlan plan_with(const std::vector<std::string>& caps, std::vector<std::string> params,
                        Json target = tcp_target()) {
  MigrationPlan p;
  for (const std::string& c : caps) {
    auto eq = c.find('=');
    p.capabilities.push_back({c.substr(0, eq), c.substr(eq + 1) == "on", ""});
  }
  p.parameters = std::move(params);
  p.target = std::move(target);
  return p;
}

std::string all_problems(const migration::Preflight& pf) {
  std::string s;
  for (const migration::Problem& p : pf.problems) s += p.message + " | " + p.hint + "\n";
  return s;
}

}  // namespace

TEST_CASE("preflight: problems against QEMU 7.2's schema, all listed at once") {
  struct Row {
    std::vector<std::string> caps;
    std::vector<std::string> params;
    std::vector<std::string> expected;  // substrings, one problem each
  };
  const Row rows[] = {
      {{"events=on"}, {"max-bandwidth=8M"}, {}},
      {{"multifd=on", "xbzrle=on"}, {}, {"Multifd is not compatible with xbzrle"}},
      {{"postcopy-preempt=on"}, {}, {"Postcopy preempt requires postcopy-ram"}},
      {{"x-colo=on"}, {}, {"Capability 'x-colo' requires capability 'return-path'"}},
      {{"x-colo=on", "return-path=on"}, {}, {}},
      {{"netpass=on"}, {}, {"has no migration capability 'netpass'"}},
      {{"events=on"}, {"max-bandwidth=1x"}, {"max-bandwidth"}},
      {{"xbzlre=on"}, {}, {"has no migration capability 'xbzlre'"}},
      {{}, {"downtime-limit=abc"}, {"downtime-limit"}},
      {{}, {"downtime-limit=3000000"}, {"expects an integer in the range of 0 to 2000 seconds"}},
      {{}, {"multifd-channels=0"}, {"multifd_channels"}},
      {{}, {"max-bandwith=1M"}, {"max-bandwith"}},
      // Several at once.
      {{"multifd=on", "xbzrle=on", "nosuch=on"},
       {"downtime-limit=-1"},
       {"nosuch", "downtime_limit", "Multifd is not compatible with xbzrle"}},
  };
  for (const Row& r : rows) {
    auto pf = migration::preflight(plan_with(r.caps, r.params), side72(), std::nullopt);
    CAPTURE(all_problems(pf));
    CHECK(pf.problems.size() == r.expected.size());
    for (const std::string& e : r.expected) CHECK(all_problems(pf).find(e) != std::string::npos);
  }
}

TEST_CASE("preflight: a typo gets a did-you-mean") {
  auto pf = migration::preflight(plan_with({"xbzlre=on"}, {}), side72(), std::nullopt);
  REQUIRE(pf.problems.size() == 1);
  CHECK(pf.problems[0].hint == "did you mean 'xbzrle'?");
}

TEST_CASE("preflight: parameters are typed by the schema") {
  auto pf = migration::preflight(plan_with({}, {"max-bandwidth=8M", "downtime-limit=500"}),
                                 side72(), std::nullopt);
  REQUIRE(pf.ok());
  CHECK(pf.source_parameters["max-bandwidth"] == 8 * 1024 * 1024);
  CHECK(pf.source_parameters["downtime-limit"] == 500);
}

TEST_CASE("preflight: qsock's own knobs go as typed values, checked by the schema") {
  MigrationPlan p = plan_with({}, {"multifd-channels=4"});
  p.downtime_limit = Milliseconds(300);
  p.max_bandwidth = BytesPerSecond{(std::uint64_t{1} << 33) + 1};  // past 2^32: no text round trip
  auto pf = migration::preflight(p, side72(), std::nullopt);
  CAPTURE(all_problems(pf));
  REQUIRE(pf.ok());
  CHECK(dump_json(pf.source_parameters) ==
        R"({"max-bandwidth":8589934593,"downtime-limit":300,"multifd-channels":4})");
  // QEMU's range checks apply to them as to --param.
  p.downtime_limit = Milliseconds(2000001);
  pf = migration::preflight(p, side72(), std::nullopt);
  CHECK(all_problems(pf).find("downtime_limit") != std::string::npos);
}

TEST_CASE("preflight: --param words are one keyval tree; every bad key is named") {
  auto pf = migration::preflight(
      plan_with({}, {"max-bandwith=1M", "downtime-limit=soon", "multifd-compression=zlb"}),
      side72(), std::nullopt);
  CHECK(all_problems(pf) ==
        "the source (QEMU 7.2.22): Parameter 'downtime-limit' expects integer | \n"
        "the source (QEMU 7.2.22): Parameter 'multifd-compression' does not accept value 'zlb' | "
        "did you mean 'zlib'?\n"
        "the source (QEMU 7.2.22): Parameter 'max-bandwith' is unexpected | did you mean "
        "'max-bandwidth'?\n");
  pf = migration::preflight(plan_with({}, {"max-bandwidth"}), side72(), std::nullopt);
  CHECK(all_problems(pf) ==
        "the source (QEMU 7.2.22): --param: argument 'max-bandwidth' is not KEY=VALUE | write "
        "max-bandwidth=VALUE\n");
}

TEST_CASE("preflight: the knobs, against the proposed schema") {
  MigrationPlan netpass = plan_with({}, {});
  netpass.netpass = true;
  auto pf = migration::preflight(netpass, side_proposed(), std::nullopt);
  CAPTURE(all_problems(pf));
  CHECK(pf.ok());
  REQUIRE(pf.source_capabilities.size() == 2);
  CHECK(pf.source_capabilities[0].name == "return-path");
  CHECK(pf.source_capabilities[1].name == "netpass");
  CHECK(pf.notes.at(0).find("return-path") != std::string::npos);

  // Turning return-path off explicitly breaks the rule, in QEMU's words.
  MigrationPlan off = plan_with({"return-path=off"}, {});
  off.netpass = true;
  pf = migration::preflight(off, side_proposed(), std::nullopt);
  CHECK(all_problems(pf).find("Capability 'netpass' requires capability 'return-path'") !=
        std::string::npos);

  // On 7.2 netpass does not exist.
  pf = migration::preflight(netpass, side72(), std::nullopt);
  CHECK(all_problems(pf).find("no migration capability 'netpass'") != std::string::npos);

  MigrationPlan bt = plan_with({}, {});
  bt.backend_transfer = {"virtio-net-tap"};
  pf = migration::preflight(bt, side_proposed(), std::nullopt);
  CHECK(all_problems(pf).find("needs a UNIX-socket channel") != std::string::npos);
  bt.target = unix_target();
  pf = migration::preflight(bt, side_proposed(), std::nullopt);
  CAPTURE(all_problems(pf));
  CHECK(pf.ok());
  CHECK(dump_json(pf.source_parameters) == R"({"backend-transfer":["virtio-net-tap"]})");
  bt.backend_transfer = {"virtio-net"};  // the fds spelling's name is translated
  pf = migration::preflight(bt, side_proposed(), std::nullopt);
  CHECK(dump_json(pf.source_parameters) == R"({"backend-transfer":["virtio-net-tap"]})");
  pf = migration::preflight(bt, side72(), std::nullopt);
  CHECK(all_problems(pf).find("no backend transfer parameter") != std::string::npos);

  MigrationPlan lcs = plan_with({}, {});
  lcs.local_char_socket = true;
  pf = migration::preflight(lcs, side_proposed(), std::nullopt);
  CHECK(all_problems(pf).find("local-char-socket") != std::string::npos);
  lcs.target = unix_target();
  pf = migration::preflight(lcs, side_proposed(), std::nullopt);
  CHECK(pf.ok());
  bool reminded = false;
  for (const std::string& n : pf.notes)
    reminded = reminded || n.find("support-local-migration=on") != std::string::npos;
  CHECK(reminded);
}

TEST_CASE("preflight: mapped-ram needs a file target") {
  // 7.2 has no mapped-ram: the proposed schema (from 7.2) neither; the rule still reads as data.
  auto pf = migration::preflight(plan_with({"mapped-ram=on"}, {}), side72(), std::nullopt);
  CHECK(all_problems(pf).find("mapped-ram") != std::string::npos);
}

TEST_CASE("preflight: socket options in the target, native where the schema has them") {
  MigrationPlan p = plan_with({}, {});
  p.target["keep-alive"] = true;
  p.target["user-timeout"] = 5000;
  auto pf = migration::preflight(p, side72(), std::nullopt);
  CHECK(pf.ok());
  CHECK(dump_json(pf.socket_options) == R"({"keep-alive":true,"user-timeout":5000})");
  CHECK(pf.native_missing == std::vector<std::string>{"user-timeout"});
  pf = migration::preflight(p, side_proposed(), std::nullopt);
  CHECK(pf.native_missing.empty());
}

TEST_CASE("preflight: both sides") {
  // Must-match capabilities go to the destination; a destination without one is a problem.
  auto pf = migration::preflight(plan_with({"return-path=on", "events=on"}, {"multifd-channels=4"}),
                                 side72(), side72("destination (QEMU 7.2.22)"));
  CAPTURE(all_problems(pf));
  CHECK(pf.ok());
  CHECK(pf.destination_capabilities.size() == 2);
  CHECK(dump_json(pf.destination_parameters) == R"({"multifd-channels":4})");

  MigrationPlan np = plan_with({}, {});
  np.netpass = true;
  pf = migration::preflight(np, side_proposed(), side72("destination (QEMU 7.2.22)"));
  CHECK(all_problems(pf).find("destination (QEMU 7.2.22) has no migration capability 'netpass'") !=
        std::string::npos);

  // Without -d: a note that qsock cannot check the destination.
  pf = migration::preflight(plan_with({"postcopy-ram=on"}, {}), side72(), std::nullopt);
  CHECK(pf.ok());
  REQUIRE(!pf.notes.empty());
  CHECK(pf.notes[0].find("capability postcopy-ram must be set the same") != std::string::npos);
}

TEST_CASE("preflight: two different builds, what differs between their schemas") {
  // Same schema on both ends: nothing to say.
  auto same =
      migration::preflight(plan_with({}, {}), side72(), side72("destination (QEMU 7.2.22)"));
  CHECK(same.differences.empty());

  // 7.2 to a build with the proposed features: each kind that differs is
  // listed once, with the side that has it, and said as a note.
  auto pf =
      migration::preflight(plan_with({}, {}), side72(), side_proposed("destination (QEMU 11.0.0)"));
  REQUIRE_FALSE(pf.differences.empty());
  const migration::SideDifference* caps = nullptr;
  for (const auto& d : pf.differences)
    if (d.what == "migration capabilities") caps = &d;
  REQUIRE(caps);
  CHECK(std::find(caps->only_destination.begin(), caps->only_destination.end(), "netpass") !=
        caps->only_destination.end());
  for (const std::string& c : caps->only_destination) {
    CAPTURE(c);
    CHECK(std::find(features72().capabilities.begin(), features72().capabilities.end(), c) ==
          features72().capabilities.end());
  }
  std::string notes;
  for (const std::string& n : pf.notes) notes += n + "\n";
  CHECK(notes.find("the source (QEMU 7.2.22) and the destination (QEMU 11.0.0) differ in "
                   "migration capabilities only on the destination:") != std::string::npos);
  CHECK(pf.ok());  // a difference alone is no problem
}

TEST_CASE("preflight: the target") {
  MigrationPlan none;
  auto pf = migration::preflight(none, side72(), std::nullopt);
  CHECK(all_problems(pf).find("no migration target") != std::string::npos);
  MigrationPlan fd =
      plan_with({}, {}, Json::parse(R"({"transport":"socket","type":"fd","str":"x"})"));
  pf = migration::preflight(fd, side72(), std::nullopt);
  CHECK(all_problems(pf).find("qsock opens and passes the socket itself") != std::string::npos);
}

TEST_CASE("preflight: an HMP monitor's embedded schema counts only members of its release") {
  MigrationPlan p = plan_with({}, {});
  p.target["keep-alive"] = true;
  p.target["user-timeout"] = 5000;
  const schema::Schema& embedded = schema::embedded_schema();
  qmp::Features f = qmp::detect_features(embedded, "7.2.22");
  f.capabilities = features72().capabilities;
  f.parameters = features72().parameters;
  MigrationSide hmp{&embedded, &f, "source (QEMU 7.2.22)", {}, schema::QemuVersion{7, 2}};
  auto pf = migration::preflight(p, hmp, std::nullopt);
  CHECK(pf.native_missing == std::vector<std::string>{"user-timeout"});
  // A parameter the embedded schema knows but this QEMU does not list.
  pf = migration::preflight(plan_with({}, {"direct-io=on"}), hmp, std::nullopt);
  CHECK(all_problems(pf).find("has no migration parameter 'direct-io'") != std::string::npos);
}
