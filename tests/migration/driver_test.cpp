// The migration driver against scripted QEMUs: each case is a timeline of
// what the source (and destination) answer, and the calls and report that
// must come of it.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <string>
#include <vector>

#include "migration/driver.h"
#include "scripted_monitor.h"

using namespace qsock;
using test::event;
using test::info;
using test::Poll;
using test::ScriptedMonitor;

namespace {

migration::MigrationPlan tcp_plan() {
  migration::MigrationPlan p;
  p.target =
      Json::parse(R"({"transport":"socket","type":"inet","host":"127.0.0.1","port":"4444"})");
  p.target_text = "tcp:127.0.0.1:4444";
  return p;
}

// Fast polls, so that a case takes milliseconds.
migration::DriverOptions fast() {
  migration::DriverOptions o;
  o.poll_interval = Milliseconds(2);
  o.command_timeout = Milliseconds(2000);
  return o;
}

// Every progress update the driver gave, in order.
struct Recorded {
  std::vector<migration::ProgressUpdate> progress;
  std::vector<std::string> notes;
  migration::DriverSinks sinks() {
    return {[this](const migration::ProgressUpdate& u) { progress.push_back(u); },
            [this](const std::string& n) { notes.push_back(n); }};
  }
};

migration::MigrationInfo failed(std::string desc, std::optional<std::uint64_t> bytes = {}) {
  auto i = info("failed", bytes);
  i.error_desc = std::move(desc);
  return i;
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("driver: a completed migration, its times and bytes from QEMU, its downtime observed") {
  ScriptedMonitor src, dst;
  auto done = info("completed", 3'000'000, 2);
  done.total_time = Milliseconds(50);
  done.downtime = Milliseconds(5);
  done.setup_time = Milliseconds(2);
  src.timeline = {
      {{}, info("setup"), {}},
      {{event("MIGRATION_PASS", {{"pass", 1}})}, info("active", 1'000'000, 1), {}},
      {{event("MIGRATION_PASS", {{"pass", 2}}), event("STOP", {}, 100.0)}, done, "postmigrate"},
  };
  dst.vm_state = "inmigrate";
  dst.timeline = {{{event("RESUME", {}, 100.020)}, info("none"), {}}};
  Recorded rec;
  auto out = migration::run_migration(src, &dst, tcp_plan(), fast(), rec.sinks());

  REQUIRE(out.kind == migration::DriverOutcome::Kind::report);
  CHECK(out.started);
  CHECK_FALSE(out.interrupted);
  const migration::MigrationReport& r = out.report;
  CHECK(r.status == "completed");
  CHECK(r.total_time == Milliseconds(50));
  CHECK(r.downtime == Milliseconds(5));
  CHECK(r.setup_time == Milliseconds(2));
  CHECK(r.observed_downtime == Milliseconds(20));
  CHECK(r.downtime_limit == Milliseconds(300));
  REQUIRE(r.ram);
  CHECK(r.ram->transferred.count == 3'000'000);
  CHECK(r.passes == 2);
  CHECK(r.source_state == "postmigrate");
  CHECK_FALSE(r.source_resumed);
  CHECK(r.error.empty());
  CHECK(r.fired.empty());
  CHECK_FALSE(r.sockopts_via);
  CHECK_FALSE(r.source_socket);

  // The destination listens first, then the source is told where to send.
  CHECK(dst.count("migrate-incoming tcp:127.0.0.1:4444") == 1);
  CHECK(src.count("migrate tcp:127.0.0.1:4444") == 1);
  CHECK(src.count("migrate-set-capabilities events=on") == 1);  // qsock follows MIGRATION events
  CHECK(src.count("migrate_cancel") == 0);
  CHECK(src.count("cont") == 0);
  // Progress: polls and events, the statuses as QEMU gave them.
  REQUIRE_FALSE(rec.progress.empty());
  CHECK(rec.progress.front().info.status == "setup");
}

TEST_CASE("driver: a failed migration reports QEMU's error and puts a running source back") {
  ScriptedMonitor src;
  src.timeline = {
      {{}, info("active", 1'000'000), {}},
      {{}, failed("Unable to write to socket: Connection reset by peer"), "paused"},
  };
  Recorded rec;
  auto out = migration::run_migration(src, nullptr, tcp_plan(), fast(), rec.sinks());

  REQUIRE(out.kind == migration::DriverOutcome::Kind::report);
  const migration::MigrationReport& r = out.report;
  CHECK(r.status == "failed");
  CHECK(r.error == "Unable to write to socket: Connection reset by peer");
  CHECK(r.fired.empty());  // QEMU ended it, no bound of qsock's
  CHECK(src.count("migrate_cancel") == 0);
  // It was running before: qsock sends cont, and says so.
  CHECK(src.count("cont") == 1);
  CHECK(src.first("cont") > src.first("migrate "));
  CHECK(r.source_resumed);
  CHECK(r.source_state == "running");
  CHECK(std::any_of(r.notes.begin(), r.notes.end(), [](const std::string& n) {
    return contains(n, "the source was 'paused' after the migration ended 'failed': sent cont");
  }));
}

TEST_CASE("driver: a source paused before the migration is not resumed after it fails") {
  ScriptedMonitor src;
  src.vm_state = "paused";
  src.timeline = {{{}, failed("Unable to write to socket: Broken pipe"), {}}};
  Recorded rec;
  auto out = migration::run_migration(src, nullptr, tcp_plan(), fast(), rec.sinks());

  CHECK(out.report.status == "failed");
  CHECK(src.count("cont") == 0);
  CHECK_FALSE(out.report.source_resumed);
  CHECK(out.report.source_state == "paused");
}

TEST_CASE("driver: a migration that has to be cancelled, and what it says of it") {
  struct Row {
    const char* name;
    void (*configure)(migration::DriverOptions&);
    const char* fired;  // how the report names the bound
    const char* note;   // a note the operator saw
  };
  const Row rows[] = {
      {"--stall with --cancel-on-stall: no bytes moved for 30 ms",
       [](migration::DriverOptions& o) {
         o.stall = Milliseconds(30);
         o.cancel_on_stall = true;
       },
       "--stall 0.03 s: no progress for 0.03 s (socket state unknown", "cancelling the migration"},
      {"--timeout: the whole migration took longer than 40 ms",
       [](migration::DriverOptions& o) { o.timeout = Milliseconds(40); }, "--timeout ",
       "cancelling the migration"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.name);
    ScriptedMonitor src;
    src.timeline = {{{}, info("active", 1'000'000), {}}};  // stuck: the same bytes forever
    src.after_cancel = Poll{{}, info("cancelled", 1'000'000), {}};
    auto options = fast();
    row.configure(options);
    Recorded rec;
    auto started = std::chrono::steady_clock::now();
    auto out = migration::run_migration(src, nullptr, tcp_plan(), options, rec.sinks());
    auto took = std::chrono::steady_clock::now() - started;

    REQUIRE(out.kind == migration::DriverOutcome::Kind::report);
    CHECK(out.report.status == "cancelled");
    CHECK(contains(out.report.fired, row.fired));
    CHECK(src.count("migrate_cancel") == 1);
    CHECK(src.count("cont") == 0);  // it was running, and still is
    CHECK(std::any_of(rec.notes.begin(), rec.notes.end(),
                      [&](const std::string& n) { return contains(n, row.note); }));
    CHECK(took < std::chrono::milliseconds(1000));
  }
}

TEST_CASE("driver: --stall without --cancel-on-stall only says so; the migration goes on") {
  ScriptedMonitor src;
  src.timeline.assign(40, Poll{{}, info("active", 1'000'000), {}});
  src.timeline.push_back({{}, info("completed", 2'000'000), "postmigrate"});
  auto options = fast();
  options.stall = Milliseconds(20);
  Recorded rec;
  auto out = migration::run_migration(src, nullptr, tcp_plan(), options, rec.sinks());

  CHECK(out.report.status == "completed");
  CHECK(src.count("migrate_cancel") == 0);
  CHECK(out.report.fired.empty());
  CHECK(std::any_of(rec.notes.begin(), rec.notes.end(), [](const std::string& n) {
    return n.starts_with("stalled: no progress for 0.02 s");
  }));
}

TEST_CASE("driver: a signal mid-run cancels the migration and puts the source back") {
  InterruptFlag flag{0};
  ScriptedMonitor src;
  src.timeline = {{{}, info("active", 1'000'000), {}},
                  {{}, info("active", 2'000'000), {}},
                  {{}, info("active", 3'000'000), {}},
                  {{}, info("active", 4'000'000), {}}};
  // Cancelled at the switchover: the source is left paused.
  src.after_cancel = Poll{{}, info("cancelled", 4'000'000), "paused"};
  int polls = 0;
  src.on_call = [&](std::string_view call) {
    if (call == "query-migrate" && ++polls == 2) flag = SIGINT;
  };
  auto options = fast();
  options.interrupted = &flag;
  Recorded rec;
  auto out = migration::run_migration(src, nullptr, tcp_plan(), options, rec.sinks());

  CHECK(out.interrupted);
  CHECK(out.report.status == "cancelled");
  CHECK(out.report.fired == "interrupted (SIGINT)");
  CHECK(src.count("migrate_cancel") == 1);
  REQUIRE(src.count("cont") == 1);
  CHECK(src.first("cont") > src.first("migrate_cancel"));
  CHECK(out.report.source_resumed);
  CHECK(out.report.source_state == "running");
}

TEST_CASE("driver: a signal before the migration starts sends nothing that starts it") {
  InterruptFlag flag{SIGTERM};
  ScriptedMonitor src;
  src.timeline = {{{}, info("none"), {}}};
  auto options = fast();
  options.interrupted = &flag;
  Recorded rec;
  auto out = migration::run_migration(src, nullptr, tcp_plan(), options, rec.sinks());

  CHECK(out.kind == migration::DriverOutcome::Kind::error);
  CHECK(out.interrupted);
  CHECK_FALSE(out.started);
  CHECK(src.count("migrate ") == 0);
}

TEST_CASE("driver: QEMU refusing migrate is an error, and nothing was started") {
  ScriptedMonitor src;
  src.timeline = {{{}, info("none"), {}}};
  src.fail_migrate =
      qmp::Error{qmp::ErrorKind::qemu, "There's a migration process in progress", Json()};
  Recorded rec;
  auto out = migration::run_migration(src, nullptr, tcp_plan(), fast(), rec.sinks());

  CHECK(out.kind == migration::DriverOutcome::Kind::error);
  CHECK(out.error.message == "There's a migration process in progress");
  CHECK_FALSE(out.started);
  CHECK(std::count(src.calls.begin(), src.calls.end(), "query-migrate") == 0);  // never followed
}

TEST_CASE("driver: watch follows a migration someone else started; a signal stops only qsock") {
  InterruptFlag flag{0};
  ScriptedMonitor src;
  src.timeline = {{{}, info("active", 1'000'000), {}}, {{}, info("active", 2'000'000), {}}};
  int polls = 0;
  src.on_call = [&](std::string_view call) {
    if (call == "query-migrate" && ++polls == 3) flag = SIGINT;
  };
  auto options = fast();
  options.interrupted = &flag;
  Recorded rec;
  auto out = migration::watch_migration(src, nullptr, options, rec.sinks());

  CHECK(out.interrupted);
  CHECK(src.count("migrate_cancel") == 0);
  CHECK(src.count("migrate ") == 0);
  CHECK(src.count("cont") == 0);
  CHECK(contains(out.report.fired, "stopped watching, the migration goes on"));
}

TEST_CASE(
    "driver: a source a manager owns (watch --domain) is never cancelled nor resumed by qsock") {
  ScriptedMonitor src;
  src.timeline = {
      {{}, info("active", 1'000'000), {}},
      {{}, info("active", 1'000'000), {}},
      {{}, failed("Unable to write to socket: Connection timed out"), "paused"},
  };
  auto options = fast();
  options.source_managed = true;
  options.timeout = Milliseconds(1);  // would cancel an unmanaged one at once
  Recorded rec;
  auto out = migration::watch_migration(src, nullptr, options, rec.sinks());
  REQUIRE(out.kind == migration::DriverOutcome::Kind::report);
  CHECK(out.report.status == "failed");
  CHECK(src.count("migrate_cancel") == 0);
  CHECK(src.count("cont") == 0);
  CHECK_FALSE(out.report.source_resumed);
  std::string notes;
  for (const auto& n : out.report.notes) notes += n + "\n";
  CHECK(contains(notes, "the migration belongs to libvirt"));
}

TEST_CASE("driver: watch --bound without a port to match is refused before following") {
  ScriptedMonitor src;
  src.timeline = {{{}, info("active", 1'000'000), {}}};
  auto options = fast();
  options.bound = sockopts::SocketOptions{};
  options.bound->user_timeout = Milliseconds(2000);
  Recorded rec;
  auto out = migration::watch_migration(src, nullptr, options, rec.sinks());
  REQUIRE(out.kind == migration::DriverOutcome::Kind::error);
  CHECK(contains(out.error.message, "--bound needs the migration's TCP port"));
  CHECK(src.count("migrate_cancel") == 0);
}

TEST_CASE("driver: after a failure the report keeps the bytes and passes last seen") {
  // QEMU drops "ram" from query-migrate once the migration has failed.
  ScriptedMonitor src;
  src.timeline = {{{}, info("active", 5'000'000, 3), {}},
                  {{}, failed("Unable to write to socket: Connection timed out"), {}}};
  Recorded rec;
  auto out = migration::run_migration(src, nullptr, tcp_plan(), fast(), rec.sinks());

  CHECK(out.report.status == "failed");
  REQUIRE(out.report.ram);
  CHECK(out.report.ram->transferred.count == 5'000'000);
  CHECK(out.report.passes == 3);
}

TEST_CASE("driver: no progress line after the one with the final status") {
  // The events of a fast migration arrive with its last replies, after the
  // poll that saw it completed.
  ScriptedMonitor src;
  src.timeline = {
      {{}, info("active", 1'000'000, 1), {}},
      {{}, info("completed", 2'000'000, 2), "postmigrate"},
      {{event("MIGRATION", {{"status", "active"}}), event("MIGRATION_PASS", {{"pass", 2}}),
        event("STOP", {}, 10.0), event("MIGRATION", {{"status", "completed"}})},
       info("completed", 2'000'000, 2),
       {}},
  };
  Recorded rec;
  auto out = migration::run_migration(src, nullptr, tcp_plan(), fast(), rec.sinks());

  CHECK(out.report.status == "completed");
  CHECK(out.report.passes == 2);  // the late MIGRATION_PASS still counts
  REQUIRE_FALSE(rec.progress.empty());
  auto final = std::find_if(
      rec.progress.begin(), rec.progress.end(),
      [](const migration::ProgressUpdate& u) { return migration::is_terminal(u.info.status); });
  REQUIRE(final != rec.progress.end());
  CHECK(final + 1 == rec.progress.end());
}

TEST_CASE("driver: two machine types are refused in preflight, before anything changes") {
  test::ScriptedMonitor src;
  test::ScriptedMonitor dst;
  src.machine = "pc-i440fx-10.0";
  dst.machine = "pc-i440fx-11.1";
  dst.vm_state = "inmigrate";
  Recorded rec;
  auto out = migration::run_migration(src, &dst, tcp_plan(), fast(), rec.sinks());
  CHECK(out.kind == migration::DriverOutcome::Kind::preflight_failed);
  std::string problems;
  for (const auto& p : out.preflight.problems) problems += p.message + " | " + p.hint + "\n";
  CHECK(problems.find("the source runs machine type pc-i440fx-10.0 and the destination "
                      "pc-i440fx-11.1") != std::string::npos);
  CHECK(problems.find("-machine pc-i440fx-10.0") != std::string::npos);
  CHECK(src.count("migrate") == 0);
  CHECK(src.count("migrate-set") == 0);
  CHECK(dst.count("migrate-set") == 0);
}

TEST_CASE("machine_type_from_qom: QOM's type name, from QMP or HMP") {
  CHECK(migration::machine_type_from_qom("pc-i440fx-10.0-machine") == "pc-i440fx-10.0");
  CHECK(migration::machine_type_from_qom("\"pc-q35-11.1-machine\"\r\n") == "pc-q35-11.1");
  CHECK(migration::machine_type_from_qom("none-machine") == "none");
}

TEST_CASE(
    "driver: --postcopy switches after the passes asked, and a paused postcopy is left alone") {
  ScriptedMonitor src;
  src.timeline = {
      {{}, info("active", 1'000'000, 1), {}},
      {{}, info("active", 2'000'000, 2), {}},  // the first pass is done
      {{}, info("postcopy-active", 3'000'000, 2), "postmigrate"},
      {{}, info("postcopy-paused", 3'100'000, 2), "postmigrate"},
  };
  auto plan = tcp_plan();
  plan.postcopy_after_passes = 1;
  auto options = fast();
  options.timeout = Milliseconds(1);  // expires at once: in postcopy it must not cancel
  Recorded rec;
  auto out = migration::run_migration(src, nullptr, plan, options, rec.sinks());

  REQUIRE(out.kind == migration::DriverOutcome::Kind::report);
  CHECK(src.count("migrate-set-capabilities postcopy-ram=on") == 1);
  CHECK(src.count("migrate-start-postcopy") == 1);
  CHECK(src.first("migrate-start-postcopy") > src.first("migrate "));
  const migration::MigrationReport& r = out.report;
  CHECK(r.status == "postcopy-paused");
  CHECK(r.postcopy);
  // The guest runs on the destination: the source is neither cancelled nor resumed.
  CHECK(src.count("cont") == 0);
  CHECK_FALSE(r.source_resumed);
  std::string notes;
  for (const auto& n : r.notes) notes += n + "\n";
  CHECK(contains(notes, "switching to postcopy after 1 precopy pass"));
  CHECK(contains(notes, "qsock migrate --resume"));
}

TEST_CASE(
    "driver: a failure while postcopy's device state is on its way (postcopy-device, 10.2+) "
    "puts the source back: the guest never ran on the destination") {
  ScriptedMonitor src;
  src.timeline = {
      {{}, info("active", 1'000'000, 1), {}},
      {{}, info("active", 2'000'000, 2), {}},
      {{}, info("postcopy-device", 2'500'000, 2), "finish-migrate"},
      {{}, info("failed", 2'600'000, 2), "postmigrate"},
  };
  auto plan = tcp_plan();
  plan.postcopy_after_passes = 1;
  Recorded rec;
  auto out = migration::run_migration(src, nullptr, plan, fast(), rec.sinks());
  REQUIRE(out.kind == migration::DriverOutcome::Kind::report);
  CHECK(src.count("migrate-start-postcopy") == 1);
  CHECK(out.report.status == "failed");
  CHECK_FALSE(out.report.postcopy);
  CHECK(src.count("cont") == 1);
  CHECK(out.report.source_resumed);
  CHECK(out.report.source_state == "running");
}

TEST_CASE("driver: --timeout before the switch cancels a precopy; no postcopy is started after") {
  ScriptedMonitor src;
  src.timeline = {{{}, info("active", 1'000'000, 1), {}}};
  src.after_cancel = Poll{{}, info("cancelled", 1'000'000), "running"};
  auto plan = tcp_plan();
  plan.postcopy_after_passes = 5;
  auto options = fast();
  options.timeout = Milliseconds(20);
  Recorded rec;
  auto out = migration::run_migration(src, nullptr, plan, options, rec.sinks());
  CHECK(out.report.status == "cancelled");
  CHECK(src.count("migrate_cancel") == 1);
  CHECK(src.count("migrate-start-postcopy") == 0);
  CHECK_FALSE(out.report.postcopy);
}

TEST_CASE("driver: --resume recovers a paused postcopy, and only a paused one") {
  ScriptedMonitor src;
  ScriptedMonitor dst;
  src.timeline = {{{}, info("active", 1'000'000), {}}};
  dst.timeline = {{{}, info("postcopy-paused"), {}}};
  Recorded rec;
  auto refused = migration::resume_migration(src, dst, tcp_plan(), fast(), rec.sinks());
  REQUIRE(refused.kind == migration::DriverOutcome::Kind::error);
  CHECK(
      contains(refused.error.message, "the source's migration is 'active', not 'postcopy-paused'"));
  CHECK(dst.count("migrate-recover") == 0);
  CHECK(src.count("migrate resume") == 0);

  ScriptedMonitor paused_src;
  paused_src.vm_state = "postmigrate";
  paused_src.timeline = {{{}, info("postcopy-paused", 3'000'000), {}},
                         {{}, info("postcopy-recover", 3'000'000), {}},
                         {{}, info("postcopy-active", 5'000'000), {}},
                         {{}, info("completed", 9'000'000), {}}};
  // One log of both sides' calls: the destination listens before the source connects.
  std::vector<std::string> both;
  dst.on_call = [&](std::string_view c) { both.push_back("dst " + std::string(c)); };
  paused_src.on_call = [&](std::string_view c) { both.push_back("src " + std::string(c)); };
  auto resumed = migration::resume_migration(paused_src, dst, tcp_plan(), fast(), rec.sinks());
  REQUIRE(resumed.kind == migration::DriverOutcome::Kind::report);
  CHECK(dst.count("migrate-recover tcp:127.0.0.1:4444") == 1);
  CHECK(paused_src.count("migrate resume tcp:127.0.0.1:4444") == 1);
  auto at = [&](std::string_view call) {
    return std::find(both.begin(), both.end(), call) - both.begin();
  };
  CHECK(at("dst migrate-recover tcp:127.0.0.1:4444") < at("src migrate resume tcp:127.0.0.1:4444"));
  CHECK(resumed.report.status == "completed");
  CHECK(paused_src.count("cont") == 0);
}
