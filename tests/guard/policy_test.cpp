#include <doctest/doctest.h>

#include <string>

#include "guard/policy.h"

using namespace qsock;
using namespace qsock::guard;
using namespace std::chrono_literals;

namespace {

Policy policy_of(const char* text) {
  auto p = parse_policy(text, "policy.toml");
  if (!p) FAIL(format_errors("policy.toml", p.error()));
  return p ? *p : Policy{};
}

std::vector<PolicyError> policy_errors(const char* text) {
  auto p = parse_policy(text, "policy.toml");
  REQUIRE_FALSE(p);
  return p.error();
}

// A connection from 127.0.0.1:40000 to PEER, of a QEMU pid 1234.
ConnectionFacts facts_for(const char* peer, Kind kind = Kind::other) {
  ConnectionFacts c;
  c.local = *sockopts::parse_host_port("127.0.0.1:40000");
  c.peer = *sockopts::parse_host_port(peer);
  c.kind = kind;
  c.pid = 1234;
  c.process = "qemu-system-x86_64";
  c.cgroup = "/machine.slice/machine-qemu\\x2d1\\x2dguest.scope/libvirt";
  return c;
}

std::optional<pid_t> no_pid_files(const std::string&) { return std::nullopt; }

}  // namespace

TEST_CASE("policy: a full policy and its values") {
  Policy p = policy_of(R"(# bounds for every QEMU
enforce = true

[defaults]
user-timeout = 30000
keep-alive = "on"

[kind.migration]
user-timeout = 20000
keep-alive-idle = 5

[kind.vnc]
ignore = true

[[rule]]
name = "storage"
peer = "10.1.0.0/16"
local-port = "10809"
process = "qemu-system-x86_64"
set = { user-timeout = 60000, keep-alive-count = 4 }
enforce = false

[[rule]]
peer-port = 4444
kind = "migration"
channel = "extra"
set = "keep-alive-interval=2,user-timeout=9000"
)");
  CHECK(p.source == "policy.toml");
  CHECK(p.enforce);
  CHECK(p.defaults.user_timeout == 30'000ms);
  CHECK(p.defaults.keep_alive == true);
  REQUIRE(p.kinds.size() == 2);
  CHECK(p.kinds[Kind::migration].options.user_timeout == 20'000ms);
  CHECK(p.kinds[Kind::migration].options.keep_alive_idle == 5s);
  CHECK_FALSE(p.kinds[Kind::migration].ignore);
  CHECK(p.kinds[Kind::vnc].ignore);

  REQUIRE(p.rules.size() == 2);
  const Rule& storage = p.rules[0];
  CHECK(storage.name == "storage");
  CHECK(storage.line == 15);
  CHECK(storage.match.peer->bits == 96 + 16);
  CHECK(storage.match.local_port == PortRange{10809, 10809});
  CHECK(storage.match.process == "qemu-system-x86_64");
  CHECK(storage.options.user_timeout == 60'000ms);
  CHECK(storage.options.keep_alive_count == 4u);
  CHECK(storage.enforce == false);
  CHECK_FALSE(storage.ignore);

  const Rule& second = p.rules[1];
  CHECK(second.name == "rule 2");
  CHECK(second.line == 23);
  CHECK(second.match.peer_port == PortRange{4444, 4444});
  CHECK(second.match.kind == Kind::migration);
  CHECK(second.match.channel == Channel::extra);
  CHECK(second.options.keep_alive_interval == 2s);
  CHECK(second.options.user_timeout == 9'000ms);
  CHECK_FALSE(second.enforce);
}

TEST_CASE("policy: names of kinds and channels") {
  for (Kind k : kAllKinds) CHECK(kind_from_name(kind_name(k)) == k);
  CHECK(kind_name(Kind::migration) == "migration");
  CHECK_FALSE(kind_from_name("vnx"));
  CHECK(channel_name(Channel::none) == "");
  CHECK(channel_name(Channel::main) == "main");
  CHECK(channel_name(Channel::extra) == "extra");
}

TEST_CASE("policy: address prefixes keep IPv4 in its mapped form") {
  Policy p = policy_of(R"(
[[rule]]
peer = "10.0.0.0/8"
[[rule]]
peer = "fd00::/8"
[[rule]]
peer = "192.168.1.7"
[[rule]]
peer = "10.1.2.3/9"
)");
  REQUIRE(p.rules.size() == 4);
  const AddressPrefix& ten = *p.rules[0].match.peer;
  CHECK(ten.bits == 104);
  CHECK(ten.contains(*sockopts::parse_host_port("10.200.1.1:1")));
  CHECK(ten.contains(*sockopts::parse_host_port("[::ffff:10.9.9.9]:1")));
  CHECK_FALSE(ten.contains(*sockopts::parse_host_port("11.0.0.1:1")));
  CHECK_FALSE(ten.contains(*sockopts::parse_host_port("[::a00:1]:1")));  // not mapped
  const AddressPrefix& fd = *p.rules[1].match.peer;
  CHECK(fd.bits == 8);
  CHECK(fd.contains(*sockopts::parse_host_port("[fd12::1]:1")));
  CHECK_FALSE(fd.contains(*sockopts::parse_host_port("[fe80::1]:1")));
  const AddressPrefix& one = *p.rules[2].match.peer;
  CHECK(one.bits == 128);
  CHECK(one.contains(*sockopts::parse_host_port("192.168.1.7:9")));
  CHECK_FALSE(one.contains(*sockopts::parse_host_port("192.168.1.8:9")));
  // Host bits are cleared: 10.1.2.3/9 is 10.0.0.0/9.
  CHECK(p.rules[3].match.peer->contains(*sockopts::parse_host_port("10.127.0.1:1")));
  CHECK_FALSE(p.rules[3].match.peer->contains(*sockopts::parse_host_port("10.128.0.1:1")));
}

TEST_CASE("policy decide: defaults only") {
  Policy p = policy_of("[defaults]\nuser-timeout = 30000\nkeep-alive = true\n");
  Decision d = decide(p, facts_for("10.0.0.1:4444"), no_pid_files);
  CHECK_FALSE(d.ignore);
  CHECK(d.options.user_timeout == 30'000ms);
  CHECK(d.options.keep_alive == true);
  CHECK_FALSE(d.enforce);
  CHECK(d.because == "defaults");
}

TEST_CASE("policy decide: a kind table overlays the defaults member by member") {
  Policy p = policy_of(R"(enforce = true
[defaults]
user-timeout = 30000
keep-alive = true
[kind.migration]
user-timeout = 20000
)");
  Decision d = decide(p, facts_for("10.0.0.1:4444", Kind::migration), no_pid_files);
  CHECK(d.options.user_timeout == 20'000ms);
  CHECK(d.options.keep_alive == true);
  CHECK(d.enforce);
  CHECK(d.because == "kind.migration");
  CHECK(decide(p, facts_for("10.0.0.1:4444", Kind::nbd), no_pid_files).because == "defaults");
}

TEST_CASE("policy decide: the first rule that matches wins, over kind and defaults") {
  Policy p = policy_of(R"(
[defaults]
user-timeout = 30000
keep-alive-idle = 10
[kind.nbd]
keep-alive-idle = 20
[[rule]]
name = "nbd storage"
kind = "nbd"
set = { user-timeout = 60000 }
enforce = true
[[rule]]
name = "any nbd port"
peer-port = 10809
set = "user-timeout=1000"
)");
  Decision d = decide(p, facts_for("10.0.0.1:10809", Kind::nbd), no_pid_files);
  CHECK(d.because == "rule 'nbd storage' (line 7)");
  CHECK(d.options.user_timeout == 60'000ms);
  CHECK(d.options.keep_alive_idle == 20s);
  CHECK(d.enforce);
  Decision other = decide(p, facts_for("10.0.0.1:10809"), no_pid_files);
  CHECK(other.because == "rule 'any nbd port' (line 12)");
  CHECK(other.options.user_timeout == 1'000ms);
  CHECK(other.options.keep_alive_idle == 10s);
  CHECK_FALSE(other.enforce);
}

TEST_CASE("policy decide: ignored by kind, by rule, and when nothing is set") {
  Policy p = policy_of(R"(
[defaults]
user-timeout = 30000
[kind.vnc]
ignore = true
[[rule]]
name = "vnc on the admin net"
kind = "vnc"
peer = "192.168.0.0/16"
set = { keep-alive = true }
[[rule]]
name = "lab"
peer = "172.16.0.0/12"
ignore = true
)");
  Decision by_kind = decide(p, facts_for("10.0.0.1:5900", Kind::vnc), no_pid_files);
  CHECK(by_kind.ignore);
  CHECK(by_kind.because == "kind.vnc");
  CHECK(by_kind.options == sockopts::SocketOptions{});
  // A rule that matches takes the connection back from its kind's ignore.
  Decision admin = decide(p, facts_for("192.168.3.4:5900", Kind::vnc), no_pid_files);
  CHECK_FALSE(admin.ignore);
  CHECK(admin.options.user_timeout == 30'000ms);
  CHECK(admin.options.keep_alive == true);
  Decision lab = decide(p, facts_for("172.20.1.1:4444", Kind::migration), no_pid_files);
  CHECK(lab.ignore);
  CHECK(lab.because == "rule 'lab' (line 11)");

  Policy empty = policy_of("enforce = true\n");
  Decision nothing = decide(empty, facts_for("10.0.0.1:4444"), no_pid_files);
  CHECK(nothing.ignore);
  CHECK(nothing.because == "defaults");
}

TEST_CASE("policy decide: peer prefixes, IPv4 and IPv6") {
  Policy p = policy_of(R"(
[[rule]]
name = "v4"
peer = "10.1.0.0/16"
set = { user-timeout = 1000 }
[[rule]]
name = "v6"
peer = "fd00::/8"
set = { user-timeout = 2000 }
)");
  CHECK(decide(p, facts_for("10.1.200.3:4444"), no_pid_files).options.user_timeout == 1'000ms);
  CHECK(decide(p, facts_for("[::ffff:10.1.0.9]:4444"), no_pid_files).options.user_timeout ==
        1'000ms);
  CHECK(decide(p, facts_for("[fd00:1::2]:4444"), no_pid_files).options.user_timeout == 2'000ms);
  CHECK(decide(p, facts_for("10.2.0.1:4444"), no_pid_files).ignore);
}

TEST_CASE("policy decide: port ranges, local and peer") {
  Policy p = policy_of(R"(
[[rule]]
local-port = "32768-60999"
peer-port = "4440-4449"
set = { user-timeout = 1000 }
)");
  CHECK_FALSE(decide(p, facts_for("10.0.0.1:4440"), no_pid_files).ignore);
  CHECK_FALSE(decide(p, facts_for("10.0.0.1:4449"), no_pid_files).ignore);
  CHECK(decide(p, facts_for("10.0.0.1:4450"), no_pid_files).ignore);
  ConnectionFacts low = facts_for("10.0.0.1:4444");
  low.local.port = 1000;
  CHECK(decide(p, low, no_pid_files).ignore);
}

TEST_CASE("policy decide: pid-file, domain and cgroup") {
  Policy p = policy_of(R"(
[[rule]]
name = "pidfile"
pid-file = "/run/qemu/vm1.pid"
set = { user-timeout = 1000 }
[[rule]]
name = "domain"
domain = "guest"
set = { user-timeout = 2000 }
[[rule]]
name = "cgroup"
cgroup = "/machine.slice/"
set = { user-timeout = 3000 }
)");
  auto reader = [](const std::string& path) -> std::optional<pid_t> {
    if (path == "/run/qemu/vm1.pid") return 1234;
    return std::nullopt;
  };
  ConnectionFacts c = facts_for("10.0.0.1:4444");
  CHECK(decide(p, c, reader).because == "rule 'pidfile' (line 2)");
  c.pid = 99;
  CHECK(decide(p, c, reader).because == "rule 'cgroup' (line 10)");
  c.domain = "guest";
  CHECK(decide(p, c, reader).because == "rule 'domain' (line 6)");
  c.domain = "guest2";
  c.cgroup = "/user.slice/machine.slice/";  // a prefix, not a substring
  CHECK(decide(p, c, reader).ignore);
  CHECK(decide(p, facts_for("10.0.0.1:4444"), nullptr).because == "rule 'cgroup' (line 10)");
}

TEST_CASE("policy policy_for_all: --set options for every connection") {
  sockopts::SocketOptions o;
  o.user_timeout = 5'000ms;
  Policy p = policy_for_all(o);
  CHECK(p.source == "--set");
  CHECK(p.rules.empty());
  Decision d = decide(p, facts_for("10.0.0.1:4444", Kind::vnc), no_pid_files);
  CHECK_FALSE(d.ignore);
  CHECK(d.options.user_timeout == 5'000ms);
  CHECK(d.because == "defaults");
}

TEST_CASE("policy errors: one per mistake, at its line") {
  struct Case {
    const char* text;
    int line;
    const char* message;
    const char* hint;
  };
  for (auto [text, line, message, hint] : {
           Case{"enforce = true\n[defaults\n", 2, "Error while parsing table header", ""},
           Case{"enforce = true\n\nenfroce = false\n", 3, "unknown key 'enfroce' in the policy",
                "did you mean 'enforce'?"},
           Case{"[default]\nuser-timeout = 1\n", 1, "unknown key 'default' in the policy",
                "did you mean 'defaults'?"},
           Case{"[defaults]\nuser-timout = 5000\n", 2, "unknown key 'user-timout' in [defaults]",
                "did you mean 'user-timeout'?"},
           Case{"[defaults]\nuser-timeout = -1\n", 2, "Parameter 'user-timeout' expects uint32",
                "0 to 4294967295"},
           Case{"[defaults]\n\nuser-timeout = 5000000000\n", 3,
                "Parameter 'user-timeout' expects uint32", "0 to 4294967295"},
           Case{"[defaults]\nkeep-alive = 3\n", 2,
                "Invalid parameter type for 'keep-alive', expected: boolean", "got 3"},
           Case{"[defaults]\nkeep-alive = \"maybe\"\n", 2,
                "'keep-alive' expects true or false, not \"maybe\"", "or \"on\" / \"off\""},
           Case{"[defaults]\nkeep-alive-idle = 1.5\n", 2,
                "Invalid parameter type for 'keep-alive-idle', expected: uint32", "got 1.5"},
           Case{"[defaults]\nmptcp = true\n", 2, "'mptcp' cannot change on an existing socket",
                "it acts when the socket is created"},
           Case{"enforce = 1\n", 1, "'enforce' expects a boolean, not an integer", ""},
           Case{"[kind.vnx]\nignore = true\n", 1, "unknown kind 'vnx'", "did you mean 'vnc'?"},
           Case{"[kind.vnc]\nignore = true\nuser-timeout = 5\n", 1,
                "[kind.vnc] both ignores its connections and sets options",
                "drop ignore = true, or the options"},
           Case{"[kind.nbd]\nignroe = true\n", 2, "unknown key 'ignroe' in [kind.nbd]",
                "did you mean 'ignore'?"},
           Case{"[[rule]]\nlocal-port = \"5000-4000\"\n", 2,
                "'local-port': the range \"5000-4000\" runs backwards", "write \"4000-5000\""},
           Case{"[[rule]]\npeer-port = 70000\n", 2, "'peer-port': 70000 is not a port",
                "a port from 0 to 65535, or \"FIRST-LAST\""},
           Case{"[[rule]]\npeer = \"10.0.0.0/33\"\n", 2,
                "'peer': \"10.0.0.0/33\" is not a numeric address or prefix",
                "e.g. \"10.1.2.3\", \"10.0.0.0/8\", \"fd00::/8\""},
           Case{"[[rule]]\npeer = \"db.example\"\n", 2,
                "'peer': \"db.example\" is not a numeric address or prefix",
                "e.g. \"10.1.2.3\", \"10.0.0.0/8\", \"fd00::/8\""},
           Case{"\n[[rule]]\nname = \"x\"\nignore = true\nset = { user-timeout = 1 }\n", 2,
                "rule 'x' both ignores its connections and sets options",
                "drop ignore = true, or set"},
           Case{"[[rule]]\nkind = \"vnc\"\nchannel = \"main\"\n", 1,
                "rule 'rule 1': only migration connections have a channel, not vnc",
                "drop channel, or write kind = \"migration\""},
           Case{"[[rule]]\nkind = \"migration\"\nchannel = \"multifd\"\n", 3,
                "unknown channel 'multifd'", "\"main\" or \"extra\""},
           Case{"[[rule]]\nignore = true\nenforce = true\n", 1,
                "rule 'rule 1' ignores its connections: it has nothing to enforce", "drop enforce"},
           Case{"[[rule]]\nkind = \"migraton\"\n", 2, "unknown kind 'migraton'",
                "did you mean 'migration'?"},
           Case{"[[rule]]\nprocess = \"\"\n", 2, "'process' is empty", "leave it out to match any"},
           Case{"[[rule]]\nset = \"user-timout=5\"\n", 2, "unknown socket option 'user-timout'",
                "did you mean 'user-timeout'?"},
           Case{"[[rule]]\nset = { mptcp = true }\n", 2,
                "'mptcp' cannot change on an existing socket",
                "it acts when the socket is created"},
           Case{"[[rule]]\nport = 4444\n", 2, "unknown key 'port' in [[rule]]",
                "one of: name, local-port, peer-port, peer, process, pid-file, domain, cgroup, "
                "kind, channel, set, ignore, enforce"},
           Case{"[[rule]]\npeer-prot = 4444\n", 2, "unknown key 'peer-prot' in [[rule]]",
                "did you mean 'peer-port'?"},
           Case{"rule = 3\n", 1, "'rule' expects an array of tables, not an integer",
                "write [[rule]]"},
       }) {
    const std::string input = text;  // clang 14 cannot capture a structured binding
    CAPTURE(input);
    auto errors = policy_errors(text);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].line == line);
    CHECK(errors[0].message.find(message) == 0);
    CHECK(errors[0].hint == hint);
  }
}

TEST_CASE("policy errors: a syntax error gives its position") {
  auto errors = policy_errors("[defaults]\nuser-timeout = = 3\n");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].line == 2);
  CHECK(errors[0].column > 0);
  CHECK_FALSE(errors[0].message.empty());
}

TEST_CASE("policy errors: a rule that repeats an earlier match names both lines") {
  auto errors = policy_errors(R"(
[[rule]]
name = "a"
peer = "10.0.0.0/8"
set = { user-timeout = 1 }

[[rule]]
name = "b"
peer = "10.9.0.0/8"
set = { user-timeout = 2 }
)");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].line == 7);
  CHECK(errors[0].message ==
        "rule 'b' (line 7) can never match: rule 'a' (line 2) has the same match");
}

TEST_CASE("policy errors: a rule after a catch-all is unreachable") {
  auto errors = policy_errors(R"([[rule]]
name = "all"
set = { user-timeout = 1 }
[[rule]]
name = "late"
kind = "vnc"
ignore = true
)");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].line == 4);
  CHECK(errors[0].message ==
        "rule 'late' (line 4) can never match: rule 'all' (line 1) matches every connection "
        "before it");
  // A catch-all at the end is fine.
  CHECK(parse_policy(
      "[[rule]]\nkind = \"vnc\"\nignore = true\n[[rule]]\nset = \"user-timeout=1\"\n", "p"));
}

TEST_CASE("policy errors: every mistake of a file is reported, in file order") {
  auto errors = policy_errors(R"(enforce = "yes"
[defaults]
user-timout = 5000
keep-alive = 3
[kind.vnx]
ignore = true
[[rule]]
local-port = "9-1"
channel = "main"
kind = "nbd"
)");
  REQUIRE(errors.size() == 6);
  CHECK(errors[0].line == 1);
  CHECK(errors[1].line == 3);
  CHECK(errors[2].line == 4);
  CHECK(errors[3].line == 5);
  CHECK(errors[4].line == 7);  // channel with kind nbd: at the rule
  CHECK(errors[5].line == 8);
}

TEST_CASE("policy load_policy: a file that cannot be read") {
  auto p = load_policy("/nonexistent/qsock-guard.toml");
  REQUIRE_FALSE(p);
  REQUIRE(p.error().size() == 1);
  CHECK(p.error()[0].line == 0);
  CHECK(p.error()[0].message ==
        "cannot read /nonexistent/qsock-guard.toml: No such file or directory");
}

TEST_CASE("policy format_errors: one line per error, the hint on its own line") {
  std::vector<PolicyError> errors = {
      {3, 1, "unknown key 'user-timout' in [defaults]", "did you mean 'user-timeout'?"},
      {7, 0, "rule 'b' (line 7) can never match", ""},
      {0, 0, "cannot read /etc/qsock/guard.toml: Permission denied", ""},
  };
  CHECK(format_errors("/etc/qsock/guard.toml", errors) ==
        "/etc/qsock/guard.toml:3:1: unknown key 'user-timout' in [defaults]\n"
        "  hint: did you mean 'user-timeout'?\n"
        "/etc/qsock/guard.toml:7: rule 'b' (line 7) can never match\n"
        "/etc/qsock/guard.toml: cannot read /etc/qsock/guard.toml: Permission denied\n");
  CHECK(format_errors("x", {}) == "");
}
