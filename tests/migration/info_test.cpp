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
      "precopy ram: 589 kbytes\n"
      "postcopy request count: 12\n";
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
  CHECK(info->ram->postcopy_requests == 12u);

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

TEST_CASE("migration info: HMP 'info migrate' since QEMU 10.1 (sections of name=value)") {
  // As QEMU 11.1.3 prints it during a migration (tabs as printed).
  const char* active =
      "Status: \t\tactive\n"
      "Time (ms): \t\ttotal=2062, setup=18, exp_down=300\n"
      "Remaining: \t\t111 MiB\n"
      "RAM info:\n"
      "  Throughput (Mbps): \t45.19\n"
      "  Sizes: \t\tpagesize=4 KiB, total=129 MiB\n"
      "  Transfers: \t\ttransferred=17 MiB, remain=110 MiB\n"
      "    Channels: \t\tprecopy=17 MiB, multifd=0 B, postcopy=0 B\n"
      "    Page Types: \tnormal=4352, zero=477\n"
      "  Page Rates (pps): \ttransfer=1376\n"
      "  Others: \t\tdirty_syncs=1, postcopy_req=57\n";
  auto info = migration::migration_info_from_hmp(active);
  REQUIRE(info.has_value());
  CHECK(info->status == "active");
  CHECK(info->total_time == Milliseconds(2062));
  CHECK(info->setup_time == Milliseconds(18));
  CHECK(info->expected_downtime == Milliseconds(300));
  CHECK(!info->downtime.has_value());
  REQUIRE(info->ram.has_value());
  CHECK(info->ram->transferred.count == 17u * 1024 * 1024);
  CHECK(info->ram->remaining.count == 110u * 1024 * 1024);  // Transfers' figure, read last
  CHECK(info->ram->total.count == 129u * 1024 * 1024);
  CHECK(info->ram->page_size.count == 4096);
  CHECK(info->ram->mbps == doctest::Approx(45.19));
  CHECK(info->ram->dirty_sync_count == 1);
  CHECK(info->ram->precopy_bytes->count == 17u * 1024 * 1024);
  CHECK(info->ram->postcopy_bytes->count == 0);
  CHECK(info->ram->postcopy_requests == 57u);

  auto done = migration::migration_info_from_hmp(
      "Status: \t\tcompleted\nTime (ms): \t\ttotal=287, setup=14, down=5\n");
  REQUIRE(done.has_value());
  CHECK(done->status == "completed");
  CHECK(done->downtime == Milliseconds(5));
  CHECK(!done->ram.has_value());

  auto failed = migration::migration_info_from_hmp(
      "Status: \t\tfailed (Unable to write to socket: Connection timed out)\n");
  REQUIRE(failed.has_value());
  CHECK(failed->status == "failed");
  CHECK(failed->error_desc == "Unable to write to socket: Connection timed out");
  // A name no release prints is passed over, not an error.
  auto newer = migration::migration_info_from_hmp("Status: active\nFuture: x=1, y=2 MiB\n");
  REQUIRE(newer.has_value());
  CHECK(!newer->ram.has_value());
}

TEST_CASE("migration info: query-migrate JSON") {
  auto info = migration::migration_info_from_json(Json::parse(
      R"({"status":"completed","setup-time":2,"downtime":3,"total-time":13,"ram":{"total":67641344,
          "transferred":603263,"remaining":0,"mbps":520.1,"dirty-sync-count":2,"precopy-bytes":603263,
          "downtime-bytes":0,"postcopy-bytes":0,"page-size":4096,"dirty-pages-rate":0,
          "postcopy-requests":7},"x-new":1})"));
  REQUIRE(info.has_value());
  CHECK(info->ram->postcopy_requests == 7u);
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

TEST_CASE("migration info: QEMU's INT64_MAX means unknown, not 292 million years") {
  // QEMU 11.1 during the device phase, before any bandwidth was measured.
  auto info = migration::migration_info_from_json(Json::parse(
      R"({"status":"device","expected-downtime":9223372036854775807,"total-time":1200})"));
  REQUIRE(info.has_value());
  CHECK_FALSE(info->expected_downtime.has_value());
  CHECK(info->total_time == Milliseconds(1200));
  auto hmp = migration::migration_info_from_hmp(
      "Status: \t\tdevice\nTime (ms): \t\ttotal=1200, setup=18, exp_down=9223372036854775807\n");
  REQUIRE(hmp.has_value());
  CHECK_FALSE(hmp->expected_downtime.has_value());
  CHECK(hmp->total_time == Milliseconds(1200));
}

TEST_CASE("migration info: the port an incoming migration listens on") {
  auto port_of = [](const char* reply) {
    auto info = migration::migration_info_from_json(Json::parse(reply));
    REQUIRE(info.has_value());
    return migration::listening_port(*info);
  };
  CHECK(port_of(R"({"status":"setup","socket-address":[{"type":"inet","host":"10.0.0.2",
                    "port":"49152"}]})") == std::uint16_t{49152});
  CHECK(port_of(R"({"status":"setup","socket-address":[{"type":"unix","path":"/m"},
                    {"type":"inet","host":"::","port":"4444"}]})") == std::uint16_t{4444});
  CHECK_FALSE(port_of(R"({"status":"active"})").has_value());
  CHECK_FALSE(port_of(R"({"socket-address":[{"type":"inet","port":"x"}]})").has_value());
  CHECK_FALSE(port_of(R"({"socket-address":[{"type":"inet","port":"70000"}]})").has_value());
}
