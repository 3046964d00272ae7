#include <doctest/doctest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "uri/qemu_opts.h"

using namespace qsock::uri;

namespace {
// "name=value" per option, in order; "!" marks the implied one.
std::vector<std::string> items(const QemuOptsList& list) {
  std::vector<std::string> out;
  for (const auto& o : list.opts) out.push_back((o.implied ? "!" : "") + o.name + "=" + o.value);
  return out;
}

// Each of `bad` is refused by `parse` (a qemu_opt_* converter) for option
// `name`, with `message` and the option as the key.
template <typename Parse>
void check_refused(Parse parse, const char* name, std::initializer_list<const char*> bad,
                   const std::string& message) {
  for (const char* text : bad) {
    CAPTURE(text);
    auto r = parse(name, text);
    REQUIRE_FALSE(r);
    CHECK(r.error().message == message);
    CHECK(r.error().key == name);
  }
}
}  // namespace

TEST_CASE("parse_qemu_opts splits like QEMU") {
  struct Case {
    const char* text;
    const char* implied;
    std::vector<std::string> expected;
  };
  const Case cases[] = {
      {"", "addr", {}},
      {"a:1", "addr", {"!addr=a:1"}},
      {"a:1,ipv4=on", "addr", {"!addr=a:1", "ipv4=on"}},
      {"a,,b:1,x=y,,z", "addr", {"!addr=a,b:1", "x=y,z"}},
      {"a:1,flag,noflag", "addr", {"!addr=a:1", "flag=on", "flag=off"}},
      {"addr=h:1,numeric", "addr", {"addr=h:1", "numeric=on"}},
      {"a,b", "", {"a=on", "b=on"}},
      {"a:1,no", "addr", {"!addr=a:1", "=off"}},
      {"a:1,,", "addr", {"!addr=a:1,"}},
      {"a:1,,,x", "addr", {"!addr=a:1,", "x=on"}},
      {"a:1,=v", "addr", {"!addr=a:1", "=v"}},
      {"a:1,k=", "addr", {"!addr=a:1", "k="}},
      {"a:1,nodelay", "addr", {"!addr=a:1", "delay=off"}},
      {",x=1", "addr", {"!addr=", "x=1"}},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    auto list = parse_qemu_opts(c.text, c.implied);
    REQUIRE(list.has_value());
    CHECK(items(*list) == c.expected);
  }
}

TEST_CASE("parse_qemu_opts: id, last occurrence wins, short forms") {
  auto list = parse_qemu_opts("socket,id=c0,port=1,port=2,server,nowait", "backend");
  REQUIRE(list);
  CHECK(list->id == "c0");
  CHECK(list->find("port")->value == "2");
  CHECK(list->find("server")->short_form);
  CHECK(list->find("wait")->negated);
  CHECK(list->find("wait")->value == "off");
  CHECK_FALSE(list->has("id"));

  auto two_ids = parse_qemu_opts("id=a,id=b", "");
  REQUIRE(two_ids);
  CHECK(two_ids->id == "a");  // QEMU takes the first

  auto bad = parse_qemu_opts("socket,id=1abc", "backend");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message == "Parameter 'id' expects an identifier");
  CHECK(bad.error().key == "id");
  CHECK_FALSE(parse_qemu_opts("socket,id=a b", "backend"));
  CHECK(parse_qemu_opts("socket,id=a-b.c_d9", "backend"));
}

TEST_CASE("qemu_opt_bool accepts QEMU's spellings only") {
  for (const char* t : {"on", "yes", "true", "y"}) CHECK(qemu_opt_bool("x", t) == true);
  for (const char* f : {"off", "no", "false", "n"}) CHECK(qemu_opt_bool("x", f) == false);
  check_refused(qemu_opt_bool, "ipv4", {"", "ON", "1", "0", "On", "enable", "yes "},
                "Parameter 'ipv4' expects 'on' or 'off'");
}

TEST_CASE("qemu_opt_number: strtoull base 0") {
  struct Case {
    const char* text;
    std::uint64_t value;
  };
  const Case good[] = {{"0", 0},
                       {"10", 10},
                       {"0x10", 16},
                       {"0X1f", 31},
                       {"010", 8},
                       {"+5", 5},
                       {" 7", 7},
                       {"18446744073709551615", 18446744073709551615ULL},
                       {"-1", 18446744073709551615ULL}};
  for (const auto& c : good) {
    CAPTURE(c.text);
    CHECK(qemu_opt_number("to", c.text) == c.value);
  }
  check_refused(qemu_opt_number, "to", {"", "x", "08", "1e3", "0x", "12abc", "on", "1 "},
                "Parameter 'to' expects a number");
  auto big = qemu_opt_number("to", "18446744073709551616");
  REQUIRE_FALSE(big);
  CHECK(big.error().message == "Value '18446744073709551616' is too large for parameter 'to'");
}

TEST_CASE("qemu_opt_size: suffixes and errors") {
  CHECK(qemu_opt_size("size", "0")->count == 0);
  CHECK(qemu_opt_size("size", "512")->count == 512);
  CHECK(qemu_opt_size("size", "4k")->count == 4096);
  CHECK(qemu_opt_size("size", "4K")->count == 4096);
  CHECK(qemu_opt_size("size", "1M")->count == 1048576);
  CHECK(qemu_opt_size("size", "1.5G")->count == 1610612736);
  CHECK(qemu_opt_size("size", "2B")->count == 2);
  CHECK(qemu_opt_size("size", "0x10")->count == 16);
  check_refused(qemu_opt_size, "size", {"", "1Q", "k", "1.5", "0x20M"},
                "Parameter 'size' expects a non-negative number below 2^64");
  auto big = qemu_opt_size("size", "16E");
  REQUIRE_FALSE(big);
  CHECK(big.error().message == "Value '16E' is out of range for parameter 'size'");
}
