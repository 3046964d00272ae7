#include <doctest/doctest.h>

#include "base/suggest.h"

using namespace qsock;

TEST_CASE("edit_distance") {
  CHECK(edit_distance("", "") == 0);
  CHECK(edit_distance("kep-alive", "keep-alive") == 1);
  CHECK(edit_distance("abc", "") == 3);
  CHECK(edit_distance("ipv4", "ipv6") == 1);
}

TEST_CASE("nearest_name offers only plausible typos") {
  std::vector<std::string> names = {"keep-alive", "keep-alive-count", "ipv4", "ipv6", "numeric"};
  CHECK(nearest_name("kep-alive", names) == "keep-alive");
  CHECK(nearest_name("keepalive", names) == "keep-alive");
  CHECK(nearest_name("numerc", names) == "numeric");
  CHECK_FALSE(nearest_name("bogus", names).has_value());
  CHECK_FALSE(nearest_name("", names).has_value());
}
