#include "base/deadline.h"

#include <algorithm>
#include <climits>

#include <fmt/format.h>

namespace qsock {

Deadline Deadline::after(Milliseconds budget) {
  Deadline d;
  d.budget_ = std::max(budget, Milliseconds(0));
  d.end_ = Clock::now() + d.budget_;
  return d;
}

Deadline Deadline::never() {
  Deadline d;
  d.never_ = true;
  return d;
}

bool Deadline::expired() const { return !never_ && Clock::now() >= end_; }

Milliseconds Deadline::remaining() const {
  if (never_) return Milliseconds(INT_MAX);
  auto left = std::chrono::ceil<Milliseconds>(end_ - Clock::now());
  return std::max(left, Milliseconds(0));
}

int Deadline::poll_timeout() const {
  if (never_) return -1;
  auto left = remaining().count();
  return static_cast<int>(std::min<long long>(left, INT_MAX));
}

std::string Deadline::describe_budget() const {
  if (never_) return "no limit";
  auto ms = budget_.count();
  if (ms < 1000) return fmt::format("{} ms", ms);
  if (ms % 1000 == 0) return fmt::format("{} s", ms / 1000);
  return fmt::format("{:.3g} s", static_cast<double>(ms) / 1000.0);
}

Deadline Deadline::min(const Deadline& other) const {
  if (never_) return other;
  if (other.never_) return *this;
  return end_ <= other.end_ ? *this : other;
}

}  // namespace qsock
