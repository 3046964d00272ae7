#include <doctest/doctest.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "cli/app.h"
#include "cli/completion.h"
#include "schema/loader.h"

using namespace qsock;
using namespace qsock::cli;

namespace {

struct CommandLineCase {
  std::vector<std::string> words;  // after "qsock"; the last is being completed
  std::vector<std::string> has;
  std::vector<std::string> lacks;
};

std::vector<std::string> offered(const std::vector<std::string>& words) {
  CLI::App app{"qsock"};
  Context ctx;
  std::function<ExitCode()> action;
  configure_app(app, ctx, action);
  std::vector<std::string> out;
  for (const Candidate& c : complete_words(app, words, schema::embedded_schema()))
    out.push_back(c.value);
  return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

TEST_CASE("completion candidates come from the CLI11 app and the schema") {
  const std::vector<CommandLineCase> cases = {
      {{""}, {"check", "convert", "explain", "completion", "sockets"}, {"__complete", "--json"}},
      {{"c"}, {"check", "convert", "caps", "completion"}, {"qmp", "explain"}},
      {{"--"}, {"--json", "--version", "--help"}, {}},
      {{"check", "--s"}, {"--strict", "--schema", "--schema-from"}, {"--as", "--to"}},
      // Global options fall through to the command.
      {{"check", "--j"}, {"--json"}, {}},
      // Choices of an option, from its CLI::IsMember check.
      {{"check", "--as", ""},
       {"uri", "migrate-uri", "netdev", "incoming", "chardev", "json"},
       {"check"}},
      {{"check", "--as", "n"}, {"netdev"}, {"uri"}},
      {{"check", "--as=ch"}, {"--as=chardev"}, {"--as=uri"}},
      {{"convert", "--to", ""}, {"uri", "json", "netdev", "incoming", "chardev"}, {"migrate-uri"}},
      {{"check", "--qemu-version", ""}, {"7.2", "8.0", "9.2", "10.0", "10.2"}, {"7.1", "10.3"}},
      {{"completion", ""}, {"bash", "zsh"}, {}},
      // Inside an address: schema member names for the syntax in front.
      {{"check", "tcp:h:1,ke"}, {"tcp:h:1,keep-alive=", "tcp:h:1,keep-alive-count="}, {}},
      {{"check", "--qemu-version", "7.2", "tcp:h:1,ke"},
       {"tcp:h:1,keep-alive="},
       {"tcp:h:1,keep-alive-count="}},
      {{"check", "--qemu-version=7.2", "tcp:h:1,ke"},
       {"tcp:h:1,keep-alive="},
       {"tcp:h:1,keep-alive-count="}},
      {{"check", "--", "-netdev stream,addr."},
       {"-netdev stream,addr.host=", "-netdev stream,addr.port="},
       {}},
      // The option word as its own word after --.
      {{"check", "--", "-netdev", "stream,addr."}, {"stream,addr.host=", "stream,addr.port="}, {}},
      {{"convert", "--as", "netdev", "stream,addr.t"},
       {"stream,addr.type=", "stream,addr.to="},
       {}},
      {{"check", "--as", "chardev", "socket,id=c0,ho"}, {"socket,id=c0,host="}, {}},
      // Commands that take no address offer no members.
      {{"qmp", "tcp:h:1,ke"}, {}, {"tcp:h:1,keep-alive="}},
      {{"check", "--json", "--qemu-version", "10.1", "h:1,keep-alive-c"},
       {"h:1,keep-alive-count="},
       {}},
  };
  for (const CommandLineCase& c : cases) {
    std::string line;
    for (const std::string& w : c.words) line += " [" + w + "]";
    CAPTURE(line);
    std::vector<std::string> got = offered(c.words);
    std::string all;
    for (const std::string& g : got) all += "\n  " + g;
    CAPTURE(all);
    for (const std::string& h : c.has) CHECK_MESSAGE(contains(got, h), "missing " << h);
    for (const std::string& l : c.lacks) CHECK_MESSAGE(!contains(got, l), "unexpected " << l);
    for (const std::string& g : got) CHECK(g.rfind(c.words.back(), 0) == 0);
  }
}

TEST_CASE("every visible command and long flag of the app is offered") {
  CLI::App app{"qsock"};
  Context ctx;
  std::function<ExitCode()> action;
  configure_app(app, ctx, action);
  std::vector<std::string> commands = offered({""});
  for (CLI::App* sub : app.get_subcommands([](CLI::App* a) { return !a->get_group().empty(); })) {
    CAPTURE(sub->get_name());
    CHECK(contains(commands, sub->get_name()));
    std::vector<std::string> flags = offered({sub->get_name(), "--"});
    for (CLI::Option* opt : sub->get_options())
      if (!opt->get_positional())
        for (const std::string& l : opt->get_lnames())
          CHECK_MESSAGE(contains(flags, "--" + l), "--" << l);
  }
}
