#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "schema/versions.h"

using namespace qsock;
using namespace qsock::schema;

TEST_CASE("parse_qemu_version accepts X.Y and X.Y.Z") {
  struct Case {
    const char* text;
    bool ok;
    int major, minor;
  };
  const Case cases[] = {
      {"7.2", true, 7, 2}, {"10.1", true, 10, 1},    {"7.2.22", true, 7, 2}, {"10", false, 0, 0},
      {"", false, 0, 0},   {"a.b", false, 0, 0},     {"7.2.x", false, 0, 0}, {"7.", false, 0, 0},
      {".2", false, 0, 0}, {"99999.1", false, 0, 0}, {"7.-2", false, 0, 0},
  };
  for (const Case& c : cases) {
    std::string text = c.text;
    CAPTURE(text);
    auto v = parse_qemu_version(c.text);
    REQUIRE(v.has_value() == c.ok);
    if (c.ok) {
      CHECK(v->major == c.major);
      CHECK(v->minor == c.minor);
    }
  }
}

TEST_CASE("Availability decides presence per release") {
  auto keepcnt = Availability::released_in({10, 1});
  CHECK_FALSE(keepcnt.in_release({10, 0}));
  CHECK(keepcnt.in_release({10, 1}));
  CHECK(keepcnt.in_release({11, 0}));

  Availability reconnect = Availability::released_in({8, 0});
  reconnect.removed = QemuVersion{10, 2};
  CHECK_FALSE(reconnect.in_release({7, 2}));
  CHECK(reconnect.in_release({10, 1}));
  CHECK_FALSE(reconnect.in_release({10, 2}));
  CHECK(reconnect.describe() == "8.0 (removed in 10.2)");

  auto proposed_only = Availability::proposed_only();
  CHECK_FALSE(proposed_only.in_release({99, 0}));
  CHECK(Target::newest().has(proposed_only));
  CHECK_FALSE(Target::release({10, 2}).has(proposed_only));
  CHECK(Target::release({10, 2}).has(keepcnt));
  CHECK_FALSE(Target::release({7, 2}).has(keepcnt));
}

TEST_CASE("the releases qsock knows run from 7.2 to 11.1") {
  CHECK(newest_known_qemu == QemuVersion{11, 1});
  std::vector<QemuVersion> all = known_releases();
  REQUIRE(all.size() == 12);  // 7.2, 8.0-8.2, 9.0-9.2, 10.0-10.2, 11.0, 11.1
  CHECK(all.front() == QemuVersion{7, 2});
  CHECK(all[all.size() - 2] == QemuVersion{11, 0});
  CHECK(all.back() == QemuVersion{11, 1});
}
