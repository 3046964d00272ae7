#include <doctest/doctest.h>

#include "migration/side_differences.h"

using namespace qsock;
using migration::side_differences;

namespace {
qmp::Features build(std::vector<std::string> caps, std::vector<std::string> params,
                    std::vector<qmp::Feature> features = {}) {
  qmp::Features f;
  f.capabilities = std::move(caps);
  f.parameters = std::move(params);
  f.features = std::move(features);
  return f;
}
}  // namespace

TEST_CASE("side_differences: each kind once, with the side that has it") {
  auto src = build({"events", "zero-blocks"}, {"max-bandwidth"},
                   {{"user-timeout", false, {}}, {"keep-alive-count", true, {}}});
  auto dst = build({"events", "mapped-ram"}, {"max-bandwidth", "zero-page-detection"},
                   {{"user-timeout", false, {}}, {"keep-alive-count", true, {}}});
  auto d = side_differences(src, dst);
  REQUIRE(d.size() == 2);
  CHECK(d[0].what == "migration capabilities");
  CHECK(d[0].only_source == std::vector<std::string>{"zero-blocks"});
  CHECK(d[0].only_destination == std::vector<std::string>{"mapped-ram"});
  CHECK(d[1].what == "migration parameters");
  CHECK(d[1].only_source.empty());
  CHECK(d[1].only_destination == std::vector<std::string>{"zero-page-detection"});
  CHECK(migration::describe(d[0]) ==
        "migration capabilities only on the destination: mapped-ram; only on the source: "
        "zero-blocks");
}

TEST_CASE("side_differences: probed features, and backend transfer by its spelling") {
  using qmp::BackendTransfer;
  auto src = build({}, {},
                   {{"user-timeout", true, {}}, {"backend-transfer", false, BackendTransfer::fds}});
  auto dst = build({}, {},
                   {{"user-timeout", false, {}},
                    {"backend-transfer", false, BackendTransfer::backend_transfer}});
  auto d = side_differences(src, dst);
  REQUIRE(d.size() == 1);
  CHECK(d[0].what == "features qsock probes");
  CHECK(d[0].only_source == std::vector<std::string>{"user-timeout", "backend-transfer=fds"});
  CHECK(d[0].only_destination == std::vector<std::string>{"backend-transfer=backend-transfer"});
  CHECK(side_differences(src, src).empty());
}
