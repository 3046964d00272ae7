#include <doctest/doctest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "schema/loader.h"
#include "uri/address_completion.h"

using namespace qsock::uri;
using namespace qsock::schema;

namespace {

struct AddressCase {
  std::string text;
  std::optional<InputKind> kind;
  std::string version;             // "" = the default target
  std::vector<std::string> has;    // candidates that must be offered
  std::vector<std::string> lacks;  // candidates that must not be
};

std::vector<std::string> offered(const AddressCase& c) {
  Target t = c.version.empty() ? Target::newest() : Target::release(*parse_qemu_version(c.version));
  std::vector<std::string> out;
  for (const AddressCandidate& a : complete_address(c.text, c.kind, t, embedded_schema()))
    out.push_back(a.text);
  return out;
}

bool offers(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

TEST_CASE("address completion offers the schema's names for the syntax at the cursor") {
  const std::vector<AddressCase> cases = {
      // Legacy URI: InetSocketAddress options after ',', never host/port.
      {"tcp:h:1,ke",
       {},
       "",
       {"tcp:h:1,keep-alive=", "tcp:h:1,keep-alive-count=", "tcp:h:1,keep-alive-idle="},
       {"tcp:h:1,host=", "tcp:h:1,ipv4="}},
      {"h:1,", {}, "", {"h:1,ipv4=", "h:1,to=", "h:1,keep-alive="}, {"h:1,port="}},
      // Version-aware: 7.2 has keep-alive but not keep-alive-count.
      {"tcp:h:1,ke", {}, "7.2", {"tcp:h:1,keep-alive="}, {"tcp:h:1,keep-alive-count="}},
      // Already given: not offered again.
      {"tcp:h:1,keep-alive=on,ke",
       {},
       "",
       {"tcp:h:1,keep-alive=on,keep-alive-idle="},
       {"tcp:h:1,keep-alive=on,keep-alive="}},
      // Values of a bool member.
      {"tcp:h:1,ipv6=o", {}, "", {"tcp:h:1,ipv6=on", "tcp:h:1,ipv6=off"}, {}},
      // A UNIX path takes no options.
      {"unix:/tmp/s,", {}, "", {}, {"unix:/tmp/s,keep-alive="}},
      {"tcp:h:1", {}, "", {}, {"tcp:h:1,keep-alive="}},
      // Keyval: the implied type, then members under addr. of every branch.
      {"-netdev str", {}, "", {"-netdev stream"}, {"-netdev dgram"}},
      {"-netdev stream,addr.",
       {},
       "",
       {"-netdev stream,addr.host=", "-netdev stream,addr.port=", "-netdev stream,addr.type=",
        "-netdev stream,addr.path="},
       {"-netdev stream,addr.local."}},
      {"stream,id=n0,",
       InputKind::netdev,
       "",
       {"stream,id=n0,addr.", "stream,id=n0,server="},
       {"stream,id=n0,id=", "stream,id=n0,type=", "stream,id=n0,remote."}},
      // The discriminator given narrows the branch.
      {"stream,addr.type=unix,addr.",
       {},
       "",
       {"stream,addr.type=unix,addr.path="},
       {"stream,addr.type=unix,addr.host=", "stream,addr.type=unix,addr.type="}},
      {"stream,addr.type=",
       {},
       "",
       {"stream,addr.type=inet", "stream,addr.type=unix", "stream,addr.type=fd"},
       {}},
      {"dgram,", {}, "", {"dgram,local.", "dgram,remote."}, {"dgram,addr."}},
      {"-netdev stream,addr.keep-alive-c",
       {},
       "7.2",
       {},
       {"-netdev stream,addr.keep-alive-count="}},
      // -incoming: a channel since 10.0, a URI before and always with ':'.
      {"-incoming main,addr.",
       {},
       "",
       {"-incoming main,addr.transport=", "-incoming main,addr.host="},
       {}},
      {"-incoming m", {}, "", {"-incoming main"}, {}},
      {"-incoming main,", {}, "7.2", {}, {"-incoming main,addr."}},
      {"-incoming tcp:h:1,ke", {}, "7.2", {"-incoming tcp:h:1,keep-alive="}, {}},
      // -chardev socket: the flat QemuOpts of the release.
      {"-chardev socket,id=c0,ho", {}, "", {"-chardev socket,id=c0,host="}, {}},
      {"socket,server=", InputKind::chardev, "", {"socket,server=on", "socket,server=off"}, {}},
      {"-chardev socket,reconnect-", {}, "7.2", {}, {"-chardev socket,reconnect-ms="}},
      // JSON is not completed.
      {"{\"type\":\"inet\",", {}, "", {}, {}},
  };
  for (const AddressCase& c : cases) {
    CAPTURE(c.text);
    CAPTURE(c.version);
    std::vector<std::string> got = offered(c);
    std::string all;
    for (const std::string& g : got) all += "\n  " + g;
    CAPTURE(all);
    for (const std::string& h : c.has) CHECK_MESSAGE(offers(got, h), "missing " << h);
    for (const std::string& l : c.lacks) CHECK_MESSAGE(!offers(got, l), "unexpected " << l);
    for (const std::string& g : got)
      CHECK(g.rfind(c.text, 0) == 0);  // every candidate extends the text
    if (c.has.empty()) CHECK(got.empty());
  }
}

TEST_CASE("each legacy option offered for a release is one that release's check accepts") {
  for (const char* version : {"7.2", "10.1"}) {
    CAPTURE(version);
    Target t = Target::release(*parse_qemu_version(version));
    auto got = complete_address("tcp:localhost:4444,", std::nullopt, t, embedded_schema());
    REQUIRE(!got.empty());
    for (const AddressCandidate& a : got) {
      CAPTURE(a.text);
      CHECK(a.text.back() == '=');
      CHECK(a.text.find("host=") == std::string::npos);
    }
  }
}
