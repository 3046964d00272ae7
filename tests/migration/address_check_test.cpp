#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "migration/address_check.h"
#include "schema/loader.h"

using namespace qsock;

namespace {
bool mentions(const std::vector<Diagnostic>& ds, std::string_view text) {
  for (const Diagnostic& d : ds)
    if (d.message.find(text) != std::string::npos) return true;
  return false;
}
}  // namespace

TEST_CASE("check_migration_address: what cannot work is refused, the rest warned about") {
  struct Case {
    std::string_view to;
    schema::QemuVersion release;
    bool refused;
    std::string_view says;  // in an error when refused, else in a warning ("" for none)
  };
  const Case cases[] = {
      // Options after a UNIX path become part of the path: QEMU would connect
      // to '/run/m.sock,user-timeout=5000'.
      {"unix:/run/m.sock,user-timeout=5000",
       {7, 2},
       true,
       "would take 'user-timeout=5000' as part of the path '/run/m.sock,user-timeout=5000'"},
      {"unix:/run/m.sock,keep-alive", {10, 1}, true, "would take 'keep-alive' as part of the path"},
      // A comma that is just part of a file name is only QEMU's way.
      {"unix:/run/a,b.sock", {10, 0}, false, "everything after unix: as the path"},
      {"unix:/run/m.sock", {10, 0}, false, ""},
      // QEMU 10.0 ignores keep-alive-idle in a URI: a warning (qsock can set it).
      {"tcp:10.0.0.2:4444,keep-alive=on,keep-alive-idle=30",
       {10, 0},
       false,
       "QEMU 10.0 does not take keep-alive-idle"},
      {"tcp:10.0.0.2:4444,keep-alive=on,keep-alive-idle=30", {10, 1}, false, ""},
      // user-timeout is only proposed; on 7.2 QEMU ignores it and qsock sets it.
      {"tcp:10.0.0.2:4444,user-timeout=5000", {7, 2}, false, "QEMU 7.2 does not take user-timeout"},
      // QEMU accepts numeric=on with a host name and then cannot resolve it.
      {"tcp:example.org:4444,numeric=on", {10, 1}, true, "fail to open the socket"},
  };
  const schema::Schema& schema = schema::embedded_schema();
  // What QEMU ignores and qsock sets itself says so, whatever the release.
  for (schema::QemuVersion release : {schema::QemuVersion{7, 2}, schema::QemuVersion{10, 0}}) {
    CAPTURE(release.str());
    Diagnostics d =
        migration::check_migration_address("tcp:10.0.0.2:4444,user-timeout=5000", release, schema);
    REQUIRE(d.warnings.size() == 1);
    CHECK(d.warnings[0].hint.find("qsock sets it on the migration socket itself") !=
          std::string::npos);
  }
  for (const Case& c : cases) {
    CAPTURE(c.to);
    CAPTURE(c.release.str());
    Diagnostics d = migration::check_migration_address(c.to, c.release, schema);
    CHECK(d.ok() == !c.refused);
    if (c.refused)
      CHECK(mentions(d.errors, c.says));
    else if (c.says.empty())
      CHECK(d.warnings.empty());
    else
      CHECK(mentions(d.warnings, c.says));
  }
}
