#include <doctest/doctest.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/app.h"

using namespace qsock;
using namespace qsock::cli;

namespace {

// The commands configure_app builds for a command line (without argv[0]).
std::vector<std::string> built(const std::vector<std::string_view>& words) {
  CLI::App app{"qsock"};
  Context ctx;
  std::function<ExitCode()> action;
  configure_app(app, ctx, action, words);
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    names.push_back(sub->get_name());
  return names;
}

}  // namespace

TEST_CASE("configure_app builds only the commands a command line can choose") {
  const std::vector<std::string> every = built({});
  REQUIRE(every.size() >= 14);
  CHECK(every.front() == "check");  // the order of qsock --help

  CHECK(built({"check", "tcp:h:1"}) == std::vector<std::string>{"check"});
  CHECK(built({"--json", "migrate", "-s", "x"}) == std::vector<std::string>{"migrate"});
  // A word that names a command as an argument of another: both, in --help order.
  CHECK(built({"explain", "check"}) == std::vector<std::string>{"check", "explain"});

  // No command named, help, and completion see the whole app.
  CHECK(built({"chekc"}) == every);
  CHECK(built({"--version"}) == every);
  CHECK(built({"--help", "check"}) == every);
  CHECK(built({"check", "-h"}) == every);
  CHECK(built({"__complete", "qsock", "mi"}) == every);
}
