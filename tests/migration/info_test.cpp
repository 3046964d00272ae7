#include <doctest/doctest.h>

#include <string>

#include "migration/info.h"

using namespace qsock;

TEST_CASE("migration info: HMP 'info migrate' of QEMU 7.2") {
  const char* completed =
      "globals:\n"
      "store-global-state: on\n"
      "only-migratable: off\n"
      "clear-bitmap-shift: 18\n"
      "Migration status: completed\n"
      "total time: 13 ms\n"
      "downtime: 3 ms\n"
      "setup: 2 ms\n"
      "transferred ram: 589 kbytes\n"
      "throughput: 520.11 mbps\n"
      "remaining ram: 0 kbytes\n"
      "total ram: 66056 kbytes\n"
      "duplicate: 16403 pages\n"
      "normal: 111 pages\n"
      "dirty sync count: 2\n"
      "page size: 4 kbytes\n"
      "precopy ram: 589 kbytes\n";
  auto info = migration::migration_info_from_hmp(completed);
  REQUIRE(info.has_value());
  CHECK(info->status == "completed");
  CHECK(info->total_time == Milliseconds(13));
  CHECK(info->downtime == Milliseconds(3));
  CHECK(info->setup_time == Milliseconds(2));
  REQUIRE(info->ram.has_value());
  CHECK(info->ram->transferred.count == 589u * 1024);
  CHECK(info->ram->total.count == 66056u * 1024);
  CHECK(info->ram->mbps == doctest::Approx(520.11));
  CHECK(info->ram->dirty_sync_count == 2);
  CHECK(info->ram->precopy_bytes->count == 589u * 1024);
  CHECK(!info->ram->postcopy_bytes.has_value());

  struct Row {
    const char* text;
    const char* status;
    const char* error;
  };
  const Row rows[] = {
      // Before any migration QEMU prints only the globals.
      {"globals:\nstore-global-state: on\n", "none", ""},
      {"", "none", ""},
      {"Migration status: active\nexpected downtime: 300 ms\n", "active", ""},
      {"Migration status: failed (Unable to write to socket: Connection reset by peer)\n", "failed",
       "Unable to write to socket: Connection reset by peer"},
      {"Migration status: failed\nError: Unable to write to socket: Broken pipe\n", "failed",
       "Unable to write to socket: Broken pipe"},
  };
  for (const Row& r : rows) {
    auto i = migration::migration_info_from_hmp(r.text);
    REQUIRE(i.has_value());
    CHECK(i->status == r.status);
    CHECK(i->error_desc == r.error);
  }
  CHECK(!migration::migration_info_from_hmp("unknown command: 'info migrat'\n").has_value());
}

TEST_CASE("migration info: query-migrate JSON") {
  auto info = migration::migration_info_from_json(Json::parse(
      R"({"status":"completed","setup-time":2,"downtime":3,"total-time":13,"ram":{"total":67641344,
          "transferred":603263,"remaining":0,"mbps":520.1,"dirty-sync-count":2,"precopy-bytes":603263,
          "downtime-bytes":0,"postcopy-bytes":0,"page-size":4096,"dirty-pages-rate":0},"x-new":1})"));
  REQUIRE(info.has_value());
  CHECK(info->status == "completed");
  CHECK(info->ram->downtime_bytes->count == 0);
  CHECK(info->raw.contains("x-new"));
  auto failed = migration::migration_info_from_json(
      Json::parse(R"({"status":"failed","error-desc":"Unable to write to socket: Broken pipe"})"));
  CHECK(failed->error_desc == "Unable to write to socket: Broken pipe");
  CHECK(!failed->ram.has_value());
  CHECK(!migration::migration_info_from_json(Json::array()).has_value());
  CHECK(migration::is_terminal("cancelled"));
  CHECK(!migration::is_terminal("active"));
}
