#include <doctest/doctest.h>

#include <string>

#include "qmp/message_reader.h"

using namespace qsock;
using namespace qsock::qmp;

namespace {
// Feeds `text` and returns the next message, failing the test on an error.
Json take(MessageReader& r) {
  auto m = r.next();
  REQUIRE(m.has_value());
  REQUIRE(m->has_value());
  return **m;
}
bool needs_more(MessageReader& r) {
  auto m = r.next();
  return m.has_value() && !m->has_value();
}
}  // namespace

TEST_CASE("MessageReader: one message per line, CRLF or LF") {
  MessageReader r;
  r.feed("{\"return\": {}, \"id\": 1}\r\n{\"event\": \"STOP\"}\n");
  CHECK(take(r) == Json::parse(R"({"return": {}, "id": 1})"));
  CHECK(take(r)["event"] == "STOP");
  CHECK(needs_more(r));
  CHECK(r.pending_bytes() == 0);
}

TEST_CASE("MessageReader: a message split across reads, byte by byte") {
  MessageReader r;
  std::string line = "{\"QMP\": {\"version\": {}, \"capabilities\": [\"oob\"]}}\r\n";
  for (std::size_t i = 0; i + 1 < line.size(); ++i) {
    r.feed(line.substr(i, 1));
    CHECK(needs_more(r));
  }
  r.feed(line.substr(line.size() - 1));
  CHECK(take(r)["QMP"]["capabilities"][0] == "oob");
}

TEST_CASE("MessageReader: blank lines are skipped") {
  MessageReader r;
  r.feed("\r\n  \r\n{\"a\": 1}\r\n");
  CHECK(take(r)["a"] == 1);
}

TEST_CASE("MessageReader: a reply of hundreds of KiB in 4 KiB chunks") {
  std::string big = "{\"return\": [";
  for (int i = 0; i < 20000; ++i) big += (i ? "," : "") + std::string("{\"name\": \"x\"}");
  big += "], \"id\": \"qsock-2\"}\r\n";
  REQUIRE(big.size() > 256 * 1024);
  MessageReader r;
  for (std::size_t i = 0; i < big.size(); i += 4096) {
    r.feed(std::string_view(big).substr(i, 4096));
    if (i + 4096 < big.size()) CHECK(needs_more(r));
  }
  Json m = take(r);
  CHECK(m["return"].size() == 20000);
  CHECK(m["id"] == "qsock-2");
}

TEST_CASE("MessageReader: unknown members pass through in order") {
  MessageReader r;
  r.feed("{\"return\": 1, \"id\": 2, \"x-new\": {\"b\": 1, \"a\": 2}}\n");
  Json m = take(r);
  CHECK(m.dump() == R"({"return":1,"id":2,"x-new":{"b":1,"a":2}})");
}

TEST_CASE("MessageReader: errors name what is wrong") {
  struct Case {
    const char* input;
    const char* message;
  };
  Case cases[] = {
      {"{\"return\": \n", "invalid JSON from the monitor: '{\"return\": '"},
      {"not json\r\n", "invalid JSON from the monitor: 'not json\\x0d'"},
      {"[1, 2]\r\n", "a monitor message is not a JSON object: '[1, 2]\\x0d'"},
      {"\"text\"\n", "a monitor message is not a JSON object: '\"text\"'"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.input);
    MessageReader r;
    r.feed(c.input);
    auto m = r.next();
    REQUIRE_FALSE(m.has_value());
    CHECK(m.error().kind == ErrorKind::protocol);
    CHECK(m.error().message == c.message);
  }
}

TEST_CASE("MessageReader: a long bad line is shortened in the error") {
  MessageReader r;
  r.feed(std::string(500, 'x') + "\n");
  auto m = r.next();
  REQUIRE_FALSE(m.has_value());
  CHECK(m.error().message.size() < 150);
  CHECK(m.error().message.ends_with("...'"));
}

TEST_CASE("MessageReader: a message over the limit fails, with or without its newline") {
  SUBCASE("no newline yet") {
    MessageReader r(Bytes{1024});
    r.feed("{\"return\": \"" + std::string(1100, 'a'));
    auto m = r.next();
    REQUIRE_FALSE(m.has_value());
    CHECK(m.error().message.find("exceeds the 0 MiB limit") != std::string::npos);
  }
  SUBCASE("complete but too long") {
    MessageReader r(Bytes{1024});
    r.feed("{\"return\": \"" + std::string(1100, 'a') + "\"}\n");
    auto m = r.next();
    REQUIRE_FALSE(m.has_value());
    CHECK(m.error().message.find("1114 bytes") != std::string::npos);
  }
  SUBCASE("the default limit is 64 MiB") {
    MessageReader r;
    std::string chunk(1 << 20, 'a');
    for (int i = 0; i < 64; ++i) {
      r.feed(chunk);
      CHECK(needs_more(r));
    }
    r.feed("a");
    auto m = r.next();
    REQUIRE_FALSE(m.has_value());
    CHECK(m.error().message.find("exceeds the 64 MiB limit") != std::string::npos);
  }
}

TEST_CASE("MessageReader: stays failed after an error") {
  MessageReader r;
  r.feed("}\n{\"a\": 1}\n");
  CHECK_FALSE(r.next().has_value());
  r.feed("{\"b\": 2}\n");
  CHECK_FALSE(r.next().has_value());
}

TEST_CASE("MessageReader: a long session does not keep consumed bytes") {
  MessageReader r;
  for (int i = 0; i < 10000; ++i) {
    r.feed("{\"event\": \"RESUME\"}\r\n");
    CHECK(take(r)["event"] == "RESUME");
  }
  CHECK(r.pending_bytes() == 0);
}
