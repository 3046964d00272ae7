// A point in time an operation must finish by, with the budget it was given
// so that a timeout message can say "after 10 s".
#pragma once

#include <chrono>
#include <string>

#include "base/units.h"

namespace qsock {

class Deadline {
 public:
  using Clock = std::chrono::steady_clock;

  static Deadline after(Milliseconds budget);
  static Deadline never();

  bool is_never() const { return never_; }
  bool expired() const;
  Milliseconds remaining() const;  // zero once expired; large when never
  Milliseconds budget() const { return budget_; }
  // The timeout argument for poll(2): -1 for never, else the remaining ms rounded up.
  int poll_timeout() const;
  // "10 s", "1.5 s", "250 ms": the budget as a user reads it.
  std::string describe_budget() const;
  // The earlier of this deadline and `other`.
  Deadline min(const Deadline& other) const;

 private:
  Clock::time_point end_{};
  Milliseconds budget_{0};
  bool never_ = false;
};

}  // namespace qsock
