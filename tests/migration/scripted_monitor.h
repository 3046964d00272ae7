// A scripted QEMU behind migration::Monitor, for the driver's tests: a
// timeline of query-migrate answers (each with the events that arrive before
// it and the VM's run state from then on), what query-migrate says once
// migrate_cancel was sent, and a record of every call the driver made.
#pragma once

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "migration/monitor.h"
#include "qmp/fixtures.h"

namespace qsock::test {

// One step of the timeline: the events delivered before the answer, the
// answer itself (or QEMU's error), and the VM's run state from then on.
struct Poll {
  std::vector<qmp::Event> events;
  qmp::Result<migration::MigrationInfo> answer;
  std::optional<std::string> vm_state;
};

// query-migrate's answer: `status`, and ram with `transferred` bytes when given.
inline migration::MigrationInfo info(std::string status,
                                     std::optional<std::uint64_t> transferred = {},
                                     std::uint64_t passes = 0) {
  migration::MigrationInfo i;
  i.status = std::move(status);
  if (transferred) {
    migration::RamStats ram;
    ram.transferred = Bytes{*transferred};
    ram.total = Bytes{std::uint64_t{64} * 1024 * 1024};
    ram.dirty_sync_count = passes;
    i.ram = ram;
  }
  return i;
}

// An event as QEMU sends it, at `seconds` wall-clock time.
inline qmp::Event event(std::string name, Json data = Json::object(), double seconds = 0) {
  auto whole = static_cast<long long>(seconds);
  auto micro = std::llround((seconds - static_cast<double>(whole)) * 1e6);
  Json ts = {{"seconds", whole}, {"microseconds", micro}};
  return {std::move(name), std::move(data), ts, Json{{"event", "x"}}};
}

class ScriptedMonitor final : public migration::Monitor {
 public:
  std::vector<Poll> timeline;                     // query-migrate in order; the last repeats
  std::optional<Poll> after_cancel;               // query-migrate once migrate_cancel was sent
  std::string vm_state = "running";               // what query-status says now
  std::string machine = "pc-i440fx-7.2";          // qom-get /machine type, without "-machine"
  std::map<std::string, bool> caps;               // query-migrate-capabilities
  std::vector<std::string> calls;                 // "query-migrate", "migrate tcp:...", "cont", ...
  std::function<void(std::string_view)> on_call;  // runs after each call is recorded
  std::optional<qmp::Error> fail_migrate;         // migrate's answer, when it fails

  ScriptedMonitor() : features_(qmp::detect_features(test::qemu72_schema(), "7.2.22")) {}

  // How many calls began with `prefix`.
  std::size_t count(std::string_view prefix) const {
    return static_cast<std::size_t>(std::count_if(
        calls.begin(), calls.end(),
        [&](const std::string& c) { return std::string_view(c).starts_with(prefix); }));
  }
  // Index of the first call that began with `prefix`, or calls.size().
  std::size_t first(std::string_view prefix) const {
    for (std::size_t i = 0; i < calls.size(); ++i)
      if (std::string_view(calls[i]).starts_with(prefix)) return i;
    return calls.size();
  }

  migration::MonitorProtocol protocol() const override { return migration::MonitorProtocol::qmp; }
  std::string version() const override { return "7.2.22"; }
  std::optional<pid_t> pid() const override { return std::nullopt; }
  bool can_pass_fds() const override { return false; }
  bool supports_events() const override { return true; }
  bool supports_channels() const override { return false; }
  std::string cannot_set_parameter(const std::string&, const Json&) const override { return ""; }

  qmp::Result<void> load_schema(Deadline) override { return {}; }
  const schema::Schema& schema() const override { return test::qemu72_schema(); }
  const qmp::Features& features() const override { return features_; }
  std::optional<schema::QemuVersion> schema_release() const override { return std::nullopt; }
  bool has_inet_member(std::string_view member) const override {
    return migration::schema_has_inet_member(schema(), member, std::nullopt);
  }
  qmp::Result<std::optional<Milliseconds>> downtime_limit(Deadline) override {
    record("query-migrate-parameters");
    return std::optional<Milliseconds>(Milliseconds(300));
  }

  qmp::Result<std::map<std::string, bool>> capabilities(Deadline) override {
    record("query-migrate-capabilities");
    return caps;
  }
  qmp::Result<void> set_capabilities(const std::vector<migration::CapabilityRequest>& list,
                                     Deadline) override {
    std::string line = "migrate-set-capabilities";
    for (const auto& c : list) line += fmt::format(" {}={}", c.name, c.state ? "on" : "off");
    record(line);
    return {};
  }
  qmp::Result<void> set_parameters(const Json& params, Deadline) override {
    record("migrate-set-parameters " + dump_json(params));
    return {};
  }
  qmp::Result<migration::MigrationInfo> query_migrate(Deadline) override {
    record("query-migrate");
    if (cancelled_ && after_cancel) return answer(*after_cancel);
    if (timeline.empty()) return qmp::fail(qmp::ErrorKind::protocol, "no scripted answer");
    const Poll& p = timeline[std::min(next_, timeline.size() - 1)];
    ++next_;
    return answer(p);
  }
  qmp::Result<void> migrate(const std::string& uri, const Json&, bool, Deadline) override {
    record("migrate " + uri);
    if (fail_migrate) return tl::unexpected(*fail_migrate);
    return {};
  }
  qmp::Result<void> migrate_incoming(const std::string& uri, Deadline) override {
    record("migrate-incoming " + uri);
    return {};
  }
  qmp::Result<void> start_postcopy(Deadline) override {
    record("migrate-start-postcopy");
    return {};
  }
  qmp::Result<void> recover(const std::string& uri, Deadline) override {
    record("migrate-recover " + uri);
    return {};
  }
  qmp::Result<void> resume(const std::string& uri, const Json&, bool, Deadline) override {
    record("migrate resume " + uri);
    return {};
  }
  qmp::Result<void> cancel(Deadline) override {
    record("migrate_cancel");
    cancelled_ = true;
    return {};
  }
  qmp::Result<std::string> run_state(Deadline) override {
    record("query-status");
    return vm_state;
  }
  qmp::Result<std::string> machine_type(Deadline) override {
    record("qom-get /machine type");
    return machine;
  }
  qmp::Result<void> cont(Deadline) override {
    record("cont");
    vm_state = "running";
    return {};
  }
  qmp::Result<void> pass_fd(int, const std::string& name, Deadline) override {
    record("getfd " + name);
    return {};
  }
  void consume_fd() override {}
  void release_fd() override {}
  // The events of every poll answered so far (and of the next one), once;
  // none: waits out the deadline as QMP does.
  std::vector<qmp::Event> events(Deadline deadline) override {
    std::vector<qmp::Event> out;
    if (!timeline.empty()) {
      std::size_t upto = std::min(next_, timeline.size() - 1);
      for (; events_given_ <= upto; ++events_given_)
        for (const qmp::Event& e : timeline[events_given_].events) out.push_back(e);
    }
    if (cancelled_ && after_cancel && !cancel_events_given_) {
      cancel_events_given_ = true;
      for (const qmp::Event& e : after_cancel->events) out.push_back(e);
    }
    if (out.empty()) std::this_thread::sleep_for(deadline.remaining());
    return out;
  }

 private:
  void record(std::string call) {
    calls.push_back(std::move(call));
    if (on_call) on_call(calls.back());
  }
  qmp::Result<migration::MigrationInfo> answer(const Poll& p) {
    if (p.vm_state) vm_state = *p.vm_state;
    return p.answer;
  }

  qmp::Features features_;
  std::size_t next_ = 0;
  std::size_t events_given_ = 0;
  bool cancelled_ = false;
  bool cancel_events_given_ = false;
};

}  // namespace qsock::test
