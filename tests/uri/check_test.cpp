#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "schema/loader.h"
#include "uri/check.h"

using namespace qsock;
using namespace qsock::uri;
using namespace qsock::schema;

namespace {

const Schema& embedded_test_schema() { return embedded_schema(); }

struct CheckCase {
  std::string input;
  std::string version;  // "" = default target
  bool valid;
  std::string message;  // first error (invalid) or some warning (valid); "" = not checked
  std::string hint;     // part of that diagnostic's hint; "" = not checked
};

Target target_of(const std::string& version) {
  if (version.empty()) return Target::newest();
  return Target::release(*parse_qemu_version(version));
}

void run(const std::vector<CheckCase>& cases, std::optional<InputKind> kind = std::nullopt) {
  for (const CheckCase& c : cases) {
    CAPTURE(c.input);
    CAPTURE(c.version);
    CheckResult r = check_input(c.input, kind, target_of(c.version), embedded_test_schema());
    std::string all;
    for (const auto& e : r.diags.errors) all += "\n error: " + e.message + " | " + e.hint;
    for (const auto& w : r.diags.warnings) all += "\n warning: " + w.message + " | " + w.hint;
    CAPTURE(all);
    REQUIRE(r.valid() == c.valid);
    if (c.message.empty()) continue;
    const auto& list = c.valid ? r.diags.warnings : r.diags.errors;
    const Diagnostic* found = nullptr;
    for (const Diagnostic& d : list)
      if (d.message.find(c.message) != std::string::npos) found = &d;
    REQUIRE_MESSAGE(found != nullptr, "expected diagnostic: " << c.message);
    if (!c.hint.empty()) CHECK(found->hint.find(c.hint) != std::string::npos);
  }
}

}  // namespace

TEST_CASE("-netdev stream: the addr. prefix, members, types and releases") {
  const std::string inet = "stream,id=n0,addr.type=inet,addr.host=127.0.0.1,addr.port=4444";
  run(
      {
          {inet, "7.2", true, "", ""},
          {inet + ",server=on", "7.2", true, "", ""},
          {inet + ",keep-alive=on", "", false, "Parameter 'keep-alive' is unexpected",
           "write addr.keep-alive"},
          {inet + ",to=4450", "", false, "Parameter 'to' is unexpected", "addr.to"},
          {inet + ",addr.kep-alive=on", "", false, "Parameter 'addr.kep-alive' is unexpected",
           "did you mean 'addr.keep-alive'?"},
          {"stream,id=n0,addr.type=inet,addr.host=h", "", false, "Parameter 'addr.port' is missing",
           ""},
          {inet + ",addr.to=x", "", false, "Parameter 'addr.to' expects integer", ""},
          {inet + ",addr.keep-alive=maybe", "", false,
           "Parameter 'addr.keep-alive' expects 'on' or 'off'", ""},
          {inet + ",addr.keep-alive=on,addr.keep-alive-count=5", "7.2", false,
           "Parameter 'addr.keep-alive-count' is unexpected", "needs QEMU 10.1 or newer"},
          {inet + ",addr.keep-alive=on,addr.keep-alive-count=5", "10.1", true, "", ""},
          {inet + ",addr.user-timeout=30000", "", true, "proposed", ""},
          {inet + ",addr.user-timeout=30000", "10.2", false,
           "Parameter 'addr.user-timeout' is unexpected", "no released QEMU"},
          {inet + ",addr.keep-alive-idle=60", "10.1", true, "no effect without keep-alive=on", ""},
          // -netdev stream opens its socket asynchronously: QEMU accepts these and
          // the link never comes up, so they are warnings (errors with --strict).
          {inet + ",addr.ipv4=off,addr.ipv6=off", "", true,
           "Cannot disable IPv4 and IPv6 at same time", ""},
          {inet + ",server=on,addr.to=4000", "", true, "port range 4444..4000 is empty", ""},
          {inet + ",server=on,reconnect-ms=1000", "", false,
           "'reconnect-ms' option is incompatible with socket in server mode", ""},
          {inet + ",reconnect-ms=1000", "9.2", true, "", ""},
          {inet + ",reconnect-ms=1000", "9.1", false, "Parameter 'reconnect-ms' is unexpected",
           "9.2"},
          {inet + ",reconnect=5", "10.2", false, "Parameter 'reconnect' is unexpected",
           "removed in QEMU 10.2"},
          {inet + ",server=on,addr.keep-alive=on", "10.0", true, "never listens", ""},
          {inet + ",server=on,addr.keep-alive=on", "10.1", true, "", ""},
          {"stream,id=n0,addr.type=unix,addr.path=/tmp/s", "7.2", true, "", ""},
          {"stream,id=n0,addr.type=fd,addr.str=3", "7.2", true, "", ""},
          {"stream,id=n0,addr.type=vsock,addr.cid=3,addr.port=1", "", true,
           "does not support vsock", ""},
          {"stream,id=n0,addr.type=tcp,addr.host=h,addr.port=1", "", false,
           "Parameter 'addr.type' does not accept value 'tcp'", "inet"},
          {R"({"type":"stream","id":"n0","addr":{"type":"inet","host":"h","port":"1"}})", "7.2",
           true, "", ""},
          {R"({"type":"stream","id":"n0","addr":{"type":"inet","host":"h","port":1}})", "7.2",
           false, "Invalid parameter type for 'addr.port', expected: string", ""},
      },
      InputKind::netdev);
}

TEST_CASE("-netdev dgram: local/remote combinations") {
  const std::string remote = "remote.type=inet,remote.host=127.0.0.1,remote.port=1234";
  const std::string local = "local.type=inet,local.host=127.0.0.1,local.port=1235";
  run(
      {
          {"dgram,id=d0," + remote + "," + local, "7.2", true, "", ""},
          {"dgram,id=d0,remote.type=inet,remote.host=224.0.0.1,remote.port=1234", "7.2", true, "",
           ""},
          {"dgram,id=d0," + remote, "7.2", false, "dgram requires local= parameter", "multicast"},
          {"dgram,id=d0," + local, "7.2", false, "type=inet or type=unix requires remote parameter",
           ""},
          {"dgram,id=d0,local.type=fd,local.str=3", "7.2", true, "", ""},
          {"dgram,id=d0", "7.2", false, "dgram requires local= parameter", ""},
          {"dgram,id=d0,remote.type=unix,remote.path=/r,local.type=unix,local.path=/l", "7.2", true,
           "", ""},
          {"dgram,id=d0,remote.type=fd,remote.str=3," + local, "7.2", false,
           "remote and local types must be the same", ""},
          {"dgram,id=d0,remote.type=inet,remote.host=224.0.0.1,remote.port=1234,local.type=fd,"
           "local.str=3",
           "7.2", false, "multicast remote needs local.type=inet", ""},
      },
      InputKind::netdev);
}

TEST_CASE("the option word and the kind are detected") {
  struct Detect {
    std::string input;
    InputKind kind;
  };
  const std::vector<Detect> cases = {
      {"tcp:h:1", InputKind::uri},         {"h:1", InputKind::uri},
      {"unix:/p", InputKind::uri},         {"exec:cat", InputKind::migrate_uri},
      {"file:/p", InputKind::migrate_uri}, {"stream,id=n", InputKind::netdev},
      {"socket,id=c", InputKind::chardev}, {"main,addr.transport=socket", InputKind::incoming},
      {"defer", InputKind::incoming},      {"{\"type\":\"inet\"}", InputKind::json},
  };
  for (const Detect& d : cases) {
    CAPTURE(d.input);
    CHECK(detect_kind(d.input) == d.kind);
  }
  CHECK(check_input("-netdev stream,id=n0,addr.type=unix,addr.path=/s", std::nullopt,
                    Target::newest(), embedded_test_schema())
            .kind == InputKind::netdev);
  CHECK(
      check_input("-incoming defer", std::nullopt, Target::newest(), embedded_test_schema()).kind ==
      InputKind::incoming);
  CheckResult clash = check_input("-netdev stream,id=n0", InputKind::chardev, Target::newest(),
                                  embedded_test_schema());
  CHECK_FALSE(clash.valid());
}

TEST_CASE("-incoming: URIs, and channels from QEMU 10.0") {
  const std::string channel =
      "main,addr.transport=socket,addr.type=inet,addr.host=127.0.0.1,addr.port=4444";
  run(
      {
          {"defer", "7.2", true, "", ""},
          {"fd:11", "7.2", true, "", ""},
          {"fd:abc", "7.2", false, "Invalid file descriptor number 'abc'", "only over the monitor"},
          {"fd:-1", "7.2", false, "Invalid file descriptor number '-1'", ""},
          {"tcp:127.0.0.1:4444", "7.2", true, "", ""},
          {"tcp:127.0.0.1:4444,ipv4=off,ipv6=off", "7.2", false,
           "Cannot disable IPv4 and IPv6 at same time", ""},
          {"tcp:127.0.0.1:50000,to=40000", "7.2", false, "port range 50000..40000 is empty", ""},
          {"tcp:127.0.0.1:4444,keep-alive=on", "7.2", true,
           "does not set keep-alive on listening sockets", ""},
          {channel, "10.0", true, "", ""},
          {channel, "7.2", false, "", "needs 10.0"},
          {"main,addr.transport=socket,addr.type=unix,addr.path=/tmp/m", "10.0", true, "", ""},
          {"main,addr.transport=socket,addr.type=inet,addr.host=h", "10.0", false,
           "Parameter 'addr.port' is missing", ""},
          {"cpr,addr.transport=socket,addr.type=inet,addr.host=h,addr.port=1", "10.0", false,
           "must be a UNIX socket", ""},
          {R"({"channel-type":"main","addr":{"transport":"socket","type":"unix","path":"/tmp/m"}})",
           "10.0", true, "", ""},
      },
      InputKind::incoming);
}

TEST_CASE("QMP JSON: the type is recognised from its shape") {
  struct Shape {
    std::string input;
    std::string type;
    bool valid;
  };
  const std::vector<Shape> cases = {
      {R"({"type":"inet","host":"h","port":"1"})", "SocketAddress", true},
      {R"({"type":"inet","data":{"host":"h","port":"1"}})", "SocketAddressLegacy", true},
      {R"({"channel-type":"main","addr":{"transport":"socket","type":"unix","path":"/p"}})",
       "MigrationChannel", true},
      {R"({"transport":"exec","args":["cat"]})", "MigrationAddress", true},
      {R"({"type":"inet","host":"h"})", "SocketAddress", false},
      {R"({"type":"inet","host":"h","port":"1","keep-alive":"on"})", "SocketAddress", false},
  };
  for (const Shape& s : cases) {
    CAPTURE(s.input);
    CheckResult r = check_input(s.input, InputKind::json, Target::newest(), embedded_test_schema());
    CHECK(r.qapi_type == s.type);
    CHECK(r.valid() == s.valid);
  }
}

TEST_CASE("the --json record has the documented fields") {
  CheckResult r = check_input("tcp:h:1,ipv4=off,ipv6=off", InputKind::uri, Target::newest(),
                              embedded_test_schema());
  Json j = r.to_json();
  for (const char* key : {"input", "valid", "kind", "qemu_version", "value", "errors", "warnings"})
    CHECK_MESSAGE(j.contains(key), key);
  CHECK(j["valid"] == false);
  CHECK(j["value"].is_null());
  REQUIRE(j["errors"].size() >= 1);
  CHECK(j["errors"][0]["message"] == "Cannot disable IPv4 and IPv6 at same time");
  CHECK(j["errors"][0].contains("key"));
  CHECK(j["errors"][0].contains("hint"));
}

TEST_CASE("endpoints carry what converters need") {
  CheckResult r = check_input("stream,id=n7,server=on,addr.type=unix,addr.path=/s,reconnect-ms=0",
                              InputKind::netdev, Target::newest(), embedded_test_schema());
  REQUIRE_FALSE(r.valid());  // reconnect-ms with server=on
  r = check_input("stream,id=n7,server=off,addr.type=unix,addr.path=/s,reconnect-ms=10",
                  InputKind::netdev, Target::newest(), embedded_test_schema());
  REQUIRE(r.valid());
  auto e = endpoint_of(r);
  REQUIRE(e.has_value());
  CHECK(e->id == "n7");
  CHECK(e->server == false);
  CHECK(e->address.dump() == R"({"type":"unix","path":"/s"})");
  CHECK(e->extras.dump() == R"({"reconnect-ms":10})");
}

// "Rules that real command lines exercise": what QEMU takes and then cannot
// resolve or use. -incoming opens its socket at start (QEMU refuses: an
// error); -netdev stream opens it later (QEMU accepts: a warning).
TEST_CASE("addresses QEMU accepts and then cannot resolve or use") {
  run({
      {"tcp://10.0.0.2:4444", "11.1", false, "address resolution failed for //10.0.0.2:4444",
       "write tcp:HOST:PORT"},
      {"-incoming tcp://10.0.0.2:4444", "10.0", false, "address resolution failed",
       "tcp:10.0.0.2:4444"},
      {"-incoming tcp:127.0.0.1:0,", "11.1", true, "", ""},  // the empty item is skipped
      {"-incoming tcp:127.0.0.1:44 44", "11.1", false,
       "address resolution failed for 127.0.0.1:44 44", "service name"},
      {"-incoming tcp:127.0.0.1:http", "11.1", true, "", ""},  // a service name
      {"-incoming tcp:127.0.0.1:0,ipv4=off", "11.1", false, "address resolution failed",
       "only IPv6"},
      {"-incoming tcp:127.0.0.1:0,ipv6=on", "11.1", false, "address resolution failed",
       "only IPv6"},
      {"-incoming tcp:[::1]:0,ipv6=off", "11.1", false, "address resolution failed", "only IPv4"},
      {"-incoming tcp:[::1]:0,ipv4=on", "11.1", false, "address resolution failed", "only IPv4"},
      {"-incoming tcp:127.0.0.1:0,ipv4=on", "11.1", true, "", ""},
      {"-incoming tcp:127.0.0.1:4x", "7.2", false, "address resolution failed", "service name"},
      {"-incoming tcp:127.0.0.1:0,,", "11.1", false, "address resolution failed for 127.0.0.1:0,",
       ""},
      {"-incoming tcp:127.0.0.1:0,,", "10.0", true, "", ""},  // the scanf parser stops at ','
      {"-netdev "
       "stream,id=n,server=off,addr.type=inet,addr.host=127.0.0.1,addr.port=1,addr.ipv4=off",
       "10.0", true, "", ""},  // connecting asks for AI_V4MAPPED: QEMU 7.2 and 11.1 connect
      {"-netdev stream,id=n,server=on,addr.type=inet,addr.host=127.0.0.1,addr.port=1,addr.ipv4=off",
       "10.0", true, "QEMU accepts the option, then fails to open the socket", "only IPv6"},
  });
}

TEST_CASE("-chardev: port= alone, and JSON") {
  run({
      {"-chardev socket,id=c,port=4444,server=on,wait=off", "7.2", false,
       "Unable to parse FD number", "host=localhost"},
      {"-chardev socket,id=c,port=4444", "11.1", false, "Unable to parse FD number", ""},
      // An empty port on a listening chardev is one the kernel picks.
      {"-chardev socket,id=c,host=127.0.0.1,port=,server=on,wait=off", "7.2", true, "", ""},
      {"-chardev socket,id=c,host=127.0.0.1,port=,server=on,wait=off", "11.1", true, "", ""},
      {"-chardev {\"id\":\"c\",\"backend\":{\"type\":\"socket\"}}", "11.1", false,
       "-chardev does not take JSON", "--as json"},
  });
}

TEST_CASE("inputs qsock does not check are 'not checked', not invalid") {
  struct Case {
    const char* input;
    const char* reason;
  };
  const Case cases[] = {
      {"-netdev user,id=n0", "not 'user'"},
      {"-netdev {\"type\":\"socket\",\"id\":\"n\",\"listen\":\":1234\"}", "not 'socket'"},
      {"-netdev type=tap,id=n0", "not 'tap'"},
      {"-chardev pty,id=c", "not 'pty'"},
      {"-chardev backend=file,id=c,path=/tmp/x", "not 'file'"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.input);
    CheckResult r = check_input(c.input, std::nullopt, Target::newest(), embedded_test_schema());
    CHECK_FALSE(r.checked());
    CHECK(r.valid());
    CHECK(r.unchecked.find(c.reason) != std::string::npos);
    CHECK(r.to_json()["checked"] == false);
  }
  // An unknown back end is still invalid.
  CheckResult typo =
      check_input("-chardev sockett,id=c", std::nullopt, Target::newest(), test_schema());
  CHECK(typo.checked());
  CHECK_FALSE(typo.valid());
  for (const char* netdev : {"-netdev Stream,id=n0", "-netdev streams,id=n0"}) {
    CAPTURE(netdev);
    CheckResult wrong = check_input(netdev, std::nullopt, Target::newest(), embedded_test_schema());
    CHECK(wrong.checked());
    CHECK_FALSE(wrong.valid());
  }
}

TEST_CASE("file: offsets are read as qemu_strtosz reads them; '~' is not expanded") {
  run({
      {"file:/tmp/vm,offset=010", "11.1", true, "", ""},
      {"file:/tmp/vm,offset=1.5k", "11.1", true, "", ""},
      {"file:/tmp/vm,offset=0x20", "11.1", true, "", ""},
      {"file:/tmp/vm,offset=0x20M", "11.1", false,
       "file URI has bad offset 0x20M: Invalid argument", "0x"},
      {"file:/tmp/vm,offset=16E", "11.1", false,
       "file URI has bad offset 16E: Numerical result out of range", ""},
      {"file:~/vm", "11.1", true, "does not expand '~'", "home directory"},
      {"unix:~/mig.sock", "11.1", true, "does not expand '~'", "home directory"},
  });
  CheckResult r =
      check_input("file:/tmp/vm,offset=010", std::nullopt, Target::newest(), test_schema());
  CHECK(r.value["offset"] == 10);
}

// A member a newer QEMU has is named as such, whatever parser meets it first.
TEST_CASE("10.1-only keep-alive members on 10.0: 'needs QEMU 10.1 or newer'") {
  run({
      {"tcp:h:1,keep-alive-idle=30", "10.0", false, "error parsing 'keep-alive' flag '-idle=30'",
       "keep-alive-idle needs QEMU 10.1 or newer"},
      {"-incoming tcp:h:1,keep-alive-interval=5", "7.2", false, "error parsing 'keep-alive' flag",
       "keep-alive-interval needs QEMU 10.1 or newer"},
      {"tcp:h:1,keep-alive=on,keep-alive-count=3", "10.0", true,
       "QEMU 10.0 ignores 'keep-alive-count=3'", "keep-alive-count needs QEMU 10.1 or newer"},
      {"-netdev stream,id=n,addr.type=inet,addr.host=h,addr.port=1,addr.keep-alive-count=3", "10.0",
       false, "Parameter 'addr.keep-alive-count' is unexpected", "needs QEMU 10.1 or newer"},
      {"tcp:h:1,keep-alive=on,keep-alive-idle=30", "11.1", true, "", ""},
      {"tcp:h:1,keep-alive-idle=30", "11.1", true, "has no effect without keep-alive=on", ""},
  });
}

TEST_CASE("rules the differential corpus found: sun_path, dgram hosts and fds, fd:, rdma") {
  const std::string p108 = "/" + std::string(107, 'p');  // 108 bytes: sun_path is full
  run({
      {"-incoming unix:" + p108, "7.2", true, "", ""},
      {"-incoming unix:" + p108 + "p", "11.1", false, "is too long", "less than 108 bytes"},
      {"-chardev socket,id=c,path=" + p108.substr(1) + ",server=on,wait=off,abstract=on", "10.0",
       true, "", ""},
      {"-chardev socket,id=c,path=" + p108 + ",server=on,wait=off,abstract=on", "10.0", false,
       "is too long", "less than 107 bytes"},
      {"-netdev dgram,id=n0,local.type=fd,local.str=", "11.1", false,
       "Invalid file descriptor number ''", ""},
      {"-netdev dgram,id=n0,remote.type=inet,remote.host=::1,remote.port=1,local.type=inet,"
       "local.host=::1,local.port=0",
       "11.1", false, "can't resolve host address '::1'", "IPv4"},
      {"-incoming fd: 11", "7.2", true, "", ""},
      {"-incoming fd:+11", "11.1", true, "", ""},
      {"-incoming fd:-1", "11.1", false, "Invalid file descriptor number '-1'", ""},
      {"-incoming fd:11x", "11.1", false, "Invalid file descriptor number '11x'", ""},
      {"-incoming fd:4294967307", "11.1", false, "Invalid file descriptor number", ""},
      {"-incoming rdma::0", "11.1", false, "RDMA host is not set!", ""},
  });
}
