#include <doctest/doctest.h>

#include <unistd.h>

#include <chrono>
#include <string>

#include "migration/channel.h"

using namespace qsock;

// This process has no TCP socket to port 1: inject_options never finds one.
TEST_CASE("inject_options gives up at once when the migration is over, not at the deadline") {
  int asked = 0;
  auto over = [&asked] { return ++asked >= 3; };
  auto start = std::chrono::steady_clock::now();
  auto r = migration::inject_options(::getpid(), {1, std::nullopt}, {},
                                     Deadline::after(Milliseconds(5000)), over);
  auto took = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == qmp::ErrorKind::invalid);
  CHECK(r.error().message.find("the migration ended before") != std::string::npos);
  CHECK(asked == 3);  // one more look after it said so, no more questions
  CHECK(took < std::chrono::milliseconds(1000));
}

TEST_CASE("inject_options without a way to know waits out its deadline") {
  auto r = migration::inject_options(::getpid(), {1, std::nullopt}, {},
                                     Deadline::after(Milliseconds(50)));
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == qmp::ErrorKind::timeout);
}
