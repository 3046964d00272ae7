#include <doctest/doctest.h>

#include <string>

#include "qmp/arguments.h"
#include "qmp/fixtures.h"

using namespace qsock;
using namespace qsock::qmp;
using schema::InputMode;

// Arguments typed by a live QEMU's schema (Debian 12's 7.2.22, as
// live_schema() loads it). Inputs are the all-strings trees that
// uri::parse_keyval_words makes of key=value words (or typed JSON).
namespace {

schema::Validated typed(const char* command, const char* tree, InputMode mode = InputMode::keyval) {
  return typed_arguments(test::qemu72_live_schema(), command, Json::parse(tree), mode);
}

// Every problem as "MESSAGE | HINT", one a line.
std::string problems(const schema::Validated& v) {
  std::string s;
  for (const Diagnostic& d : v.diags.errors) s += d.message + " | " + d.hint + "\n";
  return s;
}

struct Case {
  const char* command;
  const char* tree;      // keyval: strings at the leaves
  const char* expected;  // the typed JSON, or every problem ("MESSAGE | HINT\n"...)
};

void check_cases(const Case* begin, const Case* end, InputMode mode = InputMode::keyval) {
  for (const Case* c = begin; c != end; ++c) {
    CAPTURE(c->command);
    CAPTURE(c->tree);
    auto v = typed(c->command, c->tree, mode);
    if (v.diags.ok())
      CHECK(dump_json(v.value) == c->expected);
    else
      CHECK(problems(v) == c->expected);
  }
}

}  // namespace

TEST_CASE("typed_arguments: strings stay strings, digits too") {
  const Case cases[] = {
      {"human-monitor-command", R"({"command-line":"123"})", R"({"command-line":"123"})"},
      {"human-monitor-command", R"({"command-line":"\"123\""})", R"({"command-line":"\"123\""})"},
      // The qmp-shell case: a port is a string in SocketAddress.
      {"nbd-server-start", R"({"addr":{"type":"inet","data":{"host":"::1","port":"4444"}}})",
       R"({"addr":{"type":"inet","data":{"host":"::1","port":"4444"}}})"},
      // StrOrNull in keyval takes the str branch, as QEMU's keyval visitor does.
      {"migrate-set-parameters", R"({"tls-creds":"tls0"})", R"({"tls-creds":"tls0"})"},
      {"migrate-set-parameters", R"({"tls-creds":""})", R"({"tls-creds":""})"},
  };
  check_cases(std::begin(cases), std::end(cases));
}

TEST_CASE("typed_arguments: integers") {
  const Case cases[] = {
      {"human-monitor-command", R"({"command-line":"info status","cpu-index":"0"})",
       R"({"command-line":"info status","cpu-index":0})"},
      {"migrate-set-parameters", R"({"downtime-limit":"500"})", R"({"downtime-limit":500})"},
      {"migrate-set-parameters", R"({"downtime-limit":"0x10"})", R"({"downtime-limit":16})"},
      {"migrate-set-parameters", R"({"downtime-limit":"-1"})", R"({"downtime-limit":-1})"},
      {"migrate-set-parameters", R"({"downtime-limit":"soon"})",
       "Parameter 'downtime-limit' expects integer | \n"},
      {"migrate-set-parameters", R"({"downtime-limit":"09"})",
       "Parameter 'downtime-limit' expects integer | a leading 0 means octal; drop it for "
       "decimal\n"},
      {"migrate-set-parameters", R"({"downtime-limit":"8M"})",
       "Parameter 'downtime-limit' expects integer | \n"},
  };
  check_cases(std::begin(cases), std::end(cases));
}

TEST_CASE("typed_arguments: sizes take suffixes (the live int reconciled to size)") {
  const Case cases[] = {
      {"migrate-set-parameters", R"({"max-bandwidth":"8M"})", R"({"max-bandwidth":8388608})"},
      {"migrate-set-parameters", R"({"max-bandwidth":"1.5k"})", R"({"max-bandwidth":1536})"},
      {"migrate-set-parameters", R"({"max-bandwidth":"1G"})", R"({"max-bandwidth":1073741824})"},
      {"migrate-set-parameters", R"({"max-bandwidth":"4096"})", R"({"max-bandwidth":4096})"},
      {"migrate-set-parameters", R"({"xbzrle-cache-size":"64M"})",
       R"({"xbzrle-cache-size":67108864})"},
      {"migrate-set-parameters", R"({"max-bandwidth":"1x"})",
       "Parameter 'max-bandwidth' expects size | a byte count, optionally with a suffix: 64k, "
       "1.5M, 2G\n"},
      {"migrate-set-parameters", R"({"max-bandwidth":"-1"})",
       "Parameter 'max-bandwidth' expects size | a byte count, optionally with a suffix: 64k, "
       "1.5M, 2G\n"},
  };
  check_cases(std::begin(cases), std::end(cases));
}

TEST_CASE("typed_arguments: booleans on/off/yes/no/true/false/y/n") {
  const Case cases[] = {
      {"set_link", R"({"name":"n0","up":"on"})", R"({"name":"n0","up":true})"},
      {"set_link", R"({"name":"n0","up":"off"})", R"({"name":"n0","up":false})"},
      {"set_link", R"({"name":"n0","up":"yes"})", R"({"name":"n0","up":true})"},
      {"set_link", R"({"name":"n0","up":"no"})", R"({"name":"n0","up":false})"},
      {"set_link", R"({"name":"n0","up":"true"})", R"({"name":"n0","up":true})"},
      {"set_link", R"({"name":"n0","up":"n"})", R"({"name":"n0","up":false})"},
      {"set_link", R"({"name":"n0","up":"maybe"})",
       "Parameter 'up' expects 'on' or 'off' | booleans are on/off (also yes/no, true/false, "
       "y/n)\n"},
      {"set_link", R"({"up":"on"})", "Parameter 'name' is missing | \n"},
  };
  check_cases(std::begin(cases), std::end(cases));
}

TEST_CASE("typed_arguments: enums, with a did-you-mean") {
  const Case cases[] = {
      {"nbd-server-start", R"({"addr":{"type":"unix","data":{"path":"/tmp/n.sock"}}})",
       R"({"addr":{"type":"unix","data":{"path":"/tmp/n.sock"}}})"},
      {"nbd-server-start", R"({"addr":{"type":"inett","data":{"host":"::1","port":"1"}}})",
       "Parameter 'addr.type' does not accept value 'inett' | did you mean 'inet'?\n"},
      {"migrate-set-parameters", R"({"multifd-compression":"zlb"})",
       "Parameter 'multifd-compression' does not accept value 'zlb' | did you mean 'zlib'?\n"},
  };
  check_cases(std::begin(cases), std::end(cases));
}

TEST_CASE("typed_arguments: unions by their discriminator, lists by index") {
  const Case cases[] = {
      // netdev_add is boxed over the Netdev union: `type` picks the branch.
      {"netdev_add",
       R"({"id":"n0","type":"stream","server":"off","addr":{"type":"inet","host":"localhost",)"
       R"("port":"4444","keep-alive":"on"}})",
       R"({"id":"n0","type":"stream","addr":{"type":"inet","host":"localhost",)"
       R"("port":"4444","keep-alive":true},"server":false})"},
      {"migrate-set-capabilities",
       R"({"capabilities":[{"capability":"events","state":"on"},)"
       R"({"capability":"xbzrle","state":"false"}]})",
       R"({"capabilities":[{"capability":"events","state":true},)"
       R"({"capability":"xbzrle","state":false}]})"},
      // KeyValue: the branch's `data` is an enum or an integer.
      {"send-key", R"({"keys":[{"type":"qcode","data":"ctrl"},{"type":"number","data":"29"}]})",
       R"({"keys":[{"type":"qcode","data":"ctrl"},{"type":"number","data":29}]})"},
      {"send-key", R"({"keys":{"type":"qcode"}})",
       "Invalid parameter type for 'keys', expected: array | \n"},
      // Another branch's member is not this branch's.
      {"netdev_add", R"({"id":"n0","type":"user","addr":{"type":"inet"}})",
       "Parameter 'addr' is unexpected | \n"},
  };
  check_cases(std::begin(cases), std::end(cases));
}

TEST_CASE("typed_arguments: unknown keys and commands, with did you mean") {
  const Case cases[] = {
      {"netdev_add",
       R"({"id":"n0","type":"stream","addr":{"type":"inet","host":"h","port":"1","portt":"1"}})",
       "Parameter 'addr.portt' is unexpected | did you mean 'addr.port'?\n"},
      {"set_link", R"({"nam":"n0","up":"on"})",
       "Parameter 'name' is missing | \nParameter 'nam' is unexpected | did you mean 'name'?\n"},
      {"migrate-set-parameters", R"({"max-bandwith":"1M"})",
       "Parameter 'max-bandwith' is unexpected | did you mean 'max-bandwidth'?\n"},
      {"query-status", R"({"x":"1"})",
       "Parameter 'x' is unexpected | query-status takes no arguments\n"},
      {"query-status", R"({})", R"({})"},
      {"query-statuss", R"({})",
       "QEMU 7.2.22 has no command 'query-statuss' | did you mean 'query-status'?\n"},
      {"set_link", R"({"name":{"x":"1"},"up":"on"})",
       "Parameters 'name.*' are unexpected | 'name' takes a single value\n"},
  };
  check_cases(std::begin(cases), std::end(cases));
}

TEST_CASE("typed_arguments: a JSON object is checked as typed JSON") {
  const Case cases[] = {
      {"set_link", R"({"name":"n0","up":true})", R"({"name":"n0","up":true})"},
      {"migrate-set-parameters", R"({"max-bandwidth":8388608})", R"({"max-bandwidth":8388608})"},
      {"set_link", R"({"name":"n0","up":"on"})",
       "Invalid parameter type for 'up', expected: boolean | \n"},
      {"migrate-set-parameters", R"({"max-bandwidth":"8M"})",
       "Invalid parameter type for 'max-bandwidth', expected: integer | \n"},
  };
  check_cases(std::begin(cases), std::end(cases), InputMode::json);
}
