// The scripted outgoing migration of tests/peers/fake_qemu: a timeline of
// states driven by elapsed time, and the statistics query-migrate reports at
// any point of it. Pure: the caller passes the elapsed milliseconds and
// applies the steps (events, run state) it returns.
//
// Timeline, for a migration of D ms (--migration-ms):
//   0          setup
//   D/10       active, MIGRATION_PASS 1, 2 and 3 at thirds of the precopy phase
//   D - D/10   switchover: the source stops (STOP), device, MIGRATION_PASS 4
//   D          completed
// --hang: active forever (passes continue, remaining never reaches 0).
// --fail-after-ms N: failed at N instead of completing (if N lies after the
// switchover the source stopped first and resumes on failure).
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/json.h"

namespace fake_qemu {

struct MigrationScript {
  std::int64_t duration_ms = 2000;
  std::optional<std::int64_t> fail_after_ms;
  std::string error_desc = "fake_qemu: scripted migration failure";
  bool hang = false;
  std::uint64_t ram_bytes = 1ull << 30;
};

// One thing that happened on the timeline, in order.
struct Step {
  enum Kind { changed, passed, stop_vm, resume_vm } kind;
  std::string status;  // for kind == changed
  int pass = 0;        // for kind == passed
};

class Migration {
 public:
  explicit Migration(MigrationScript script) : s_(std::move(script)) {}

  const std::string& status() const { return status_; }
  bool incoming() const { return incoming_; }
  bool in_progress() const {
    return status_ == "setup" || status_ == "active" || status_ == "device" ||
           status_ == "cancelling";
  }

  // Starts at elapsed 0 (the caller keeps the clock). `vm_running`: whether
  // the source runs now, so failure and cancel know whether to resume it.
  // `incoming`: the destination side instead (setup, active at D/10,
  // completed at D, then the VM runs if `vm_running`, QEMU's autostart; no
  // passes, no statistics).
  std::vector<Step> start(bool vm_running, bool incoming = false) {
    incoming_ = incoming;
    status_ = "setup";
    passes_ = 0;
    stopped_vm_ = false;
    was_running_ = vm_running;
    end_ms_ = -1;
    cancel_at_ = -1;
    return {{Step::changed, "setup"}};
  }

  // migrate_cancel at `now`: cancelling at once, cancelled 10 ms later.
  std::vector<Step> cancel(std::int64_t now) {
    if (!in_progress() || status_ == "cancelling") return {};
    status_ = "cancelling";
    cancel_at_ = now + 10;
    return {{Step::changed, "cancelling"}};
  }

  // Milliseconds of elapsed time at which the next step falls, or -1 when
  // nothing more happens by itself.
  std::int64_t next_at() const {
    std::int64_t t = -1;
    auto consider = [&t](std::int64_t c) {
      if (c >= 0 && (t < 0 || c < t)) t = c;
    };
    if (status_ == "setup") consider(setup_ms());
    if (incoming_) {
      if (status_ == "active") consider(s_.fail_after_ms ? -1 : s_.duration_ms);
      if (s_.fail_after_ms && (status_ == "setup" || status_ == "active"))
        consider(*s_.fail_after_ms);
      return t;
    }
    if (status_ == "active") {
      consider(next_pass_ms());
      if (!s_.hang && (!s_.fail_after_ms || *s_.fail_after_ms >= switchover_ms()))
        consider(switchover_ms());
    }
    if (status_ == "device" && !s_.fail_after_ms) consider(s_.duration_ms);
    if (status_ == "cancelling") consider(cancel_at_);
    if (s_.fail_after_ms && (status_ == "setup" || status_ == "active" || status_ == "device"))
      consider(*s_.fail_after_ms);
    return t;
  }

  // Everything due by `now`, in order.
  std::vector<Step> advance(std::int64_t now) {
    std::vector<Step> steps;
    for (std::int64_t t = next_at(); t >= 0 && t <= now; t = next_at()) step(t, steps);
    return steps;
  }

  // The MigrationInfo members for query-migrate at `now` (status none: {}).
  // `stats_members` lists MigrationStats members (from the schema): each gets a
  // value, 0 for those this script does not model.
  qsock::Json info(std::int64_t now, const std::vector<std::string>& stats_members) const {
    qsock::Json out = qsock::Json::object();
    if (status_ == "none") return out;
    out["status"] = status_;
    if (incoming_) return out;
    std::int64_t t = end_ms_ >= 0 ? end_ms_ : now;
    if (status_ == "failed") {
      out["error-desc"] = s_.error_desc;
      return out;
    }
    if (status_ == "cancelled" || status_ == "cancelling") return out;
    out["total-time"] = t;
    if (status_ == "setup") return out;
    out["setup-time"] = setup_ms();
    if (status_ == "completed")
      out["downtime"] = s_.duration_ms - switchover_ms();
    else
      out["expected-downtime"] = expected_downtime(t);
    qsock::Json ram = qsock::Json::object();
    qsock::Json modelled = ram_stats(t);
    for (const auto& m : stats_members)
      ram[m] = modelled.contains(m) ? modelled[m] : qsock::Json(0);
    out["ram"] = ram;
    return out;
  }

 private:
  std::int64_t setup_ms() const { return std::max<std::int64_t>(1, s_.duration_ms / 10); }
  std::int64_t switchover_ms() const {
    return std::max(setup_ms(), s_.duration_ms - std::max<std::int64_t>(1, s_.duration_ms / 10));
  }
  std::int64_t pass_interval() const {
    return std::max<std::int64_t>(1, (switchover_ms() - setup_ms()) / 3);
  }
  std::int64_t next_pass_ms() const {
    // Three precopy passes, then one at the switchover (or passes forever: --hang).
    if (!s_.hang && passes_ >= 3) return -1;
    return setup_ms() + passes_ * pass_interval();
  }
  // Precopy bytes per ms: the RAM once and a quarter over the active phase.
  double rate() const {
    return 1.25 * static_cast<double>(s_.ram_bytes) /
           static_cast<double>(std::max<std::int64_t>(1, switchover_ms() - setup_ms()));
  }
  double precopy_bytes(std::int64_t t) const {
    std::int64_t active =
        std::clamp<std::int64_t>(t - setup_ms(), 0, s_.hang ? t : switchover_ms() - setup_ms());
    return rate() * static_cast<double>(active);
  }
  double remaining(std::int64_t t) const {
    if (status_ == "completed") return 0;
    double total = static_cast<double>(s_.ram_bytes);
    double left = total - precopy_bytes(t) / 1.25;
    // Dirtied pages keep a tenth of the RAM pending until the switchover.
    return std::max(left, status_ == "device" ? total / 100 : total / 10);
  }
  std::int64_t expected_downtime(std::int64_t t) const {
    return static_cast<std::int64_t>(remaining(t) / rate());
  }

  qsock::Json ram_stats(std::int64_t t) const {
    constexpr std::int64_t page = 4096;
    auto precopy = static_cast<std::int64_t>(precopy_bytes(t));
    std::int64_t downtime_bytes = (status_ == "completed" || status_ == "device" || stopped_vm_)
                                      ? static_cast<std::int64_t>(s_.ram_bytes / 100)
                                      : 0;
    std::int64_t transferred = precopy + downtime_bytes;
    bool moving = status_ == "active" || status_ == "device";
    double mbps = rate() * 8.0 / 1000.0;  // bytes/ms -> Mbit/s
    return {
        {"transferred", transferred},
        {"remaining", static_cast<std::int64_t>(remaining(t))},
        {"total", static_cast<std::int64_t>(s_.ram_bytes)},
        {"duplicate", static_cast<std::int64_t>(s_.ram_bytes) / page / 4},
        {"normal", transferred / page},
        {"normal-bytes", transferred / page * page},
        {"dirty-pages-rate", moving ? 2000 : 0},
        {"mbps", moving || status_ == "completed" ? mbps : 0.0},
        {"dirty-sync-count", passes_},
        {"page-size", page},
        {"pages-per-second", moving ? static_cast<std::int64_t>(rate() * 1000 / page) : 0},
        {"precopy-bytes", precopy},
        {"downtime-bytes", downtime_bytes},
    };
  }

  void set(std::string status, std::vector<Step>& steps) {
    status_ = std::move(status);
    steps.push_back({Step::changed, status_});
  }

  void step(std::int64_t t, std::vector<Step>& steps) {
    bool fail_now = s_.fail_after_ms && t == *s_.fail_after_ms && status_ != "cancelling";
    if (fail_now) {
      end_ms_ = t;
      set("failed", steps);
      if (stopped_vm_ && was_running_) steps.push_back({Step::resume_vm, "", 0});
      return;
    }
    if (status_ == "cancelling") {
      end_ms_ = t;
      set("cancelled", steps);
      if (stopped_vm_ && was_running_) steps.push_back({Step::resume_vm, "", 0});
    } else if (status_ == "setup") {
      set("active", steps);
    } else if (incoming_) {  // active: everything has arrived
      end_ms_ = t;
      set("completed", steps);
      if (was_running_) steps.push_back({Step::resume_vm, "", 0});
    } else if (status_ == "active" && t == next_pass_ms()) {
      steps.push_back({Step::passed, "", ++passes_});
    } else if (status_ == "active") {  // the switchover
      stopped_vm_ = true;
      if (was_running_) steps.push_back({Step::stop_vm, "", 0});
      set("device", steps);
      steps.push_back({Step::passed, "", ++passes_});
    } else if (status_ == "device") {
      end_ms_ = t;
      set("completed", steps);
    }
  }

  MigrationScript s_;
  std::string status_ = "none";
  int passes_ = 0;
  bool stopped_vm_ = false;
  bool was_running_ = false;
  bool incoming_ = false;
  std::int64_t end_ms_ = -1;
  std::int64_t cancel_at_ = -1;
};

}  // namespace fake_qemu
