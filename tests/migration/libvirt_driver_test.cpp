#include <doctest/doctest.h>

#include "migration/libvirt_driver.h"

using namespace qsock;

TEST_CASE("libvirt job statistics read as a migration's progress, in qsock's units") {
  // virDomainGetJobStats during a migration, as libvirt 9.0 names its keys.
  Json stats = Json::parse(R"({"type":2,"operation":5,"time_elapsed":2062,"setup_time":18,
      "memory_total":69013504,"memory_processed":17825792,"memory_remaining":51187712,
      "memory_bps":1048576,"memory_dirty_rate":4000,"memory_iteration":2,
      "memory_page_size":4096,"memory_postcopy_requests":0})");
  auto info = migration::info_from_job_stats(stats, "active");
  CHECK(info.status == "active");
  CHECK(info.total_time == Milliseconds(2062));
  CHECK(info.setup_time == Milliseconds(18));
  CHECK_FALSE(info.downtime.has_value());
  REQUIRE(info.ram.has_value());
  CHECK(info.ram->transferred.count == 17825792);
  CHECK(info.ram->remaining.count == 51187712);
  CHECK(info.ram->total.count == 69013504);
  CHECK(info.ram->mbps == doctest::Approx(8.388608));  // 1 MiB/s in megabits
  CHECK(info.ram->dirty_pages_rate == 4000);
  CHECK(info.ram->dirty_sync_count == 2);
  CHECK(info.ram->postcopy_requests == 0u);

  auto bare = migration::info_from_job_stats(Json::parse(R"({"type":0})"), "none");
  CHECK_FALSE(bare.ram.has_value());
  CHECK_FALSE(bare.total_time.has_value());
}
