#include <doctest/doctest.h>

#include <sys/socket.h>

#include <cstdio>
#include <string>
#include <thread>

#include "qmp/live_schema.h"

using namespace qsock;

namespace {

// A QMP peer on the other end of a socketpair: greets as QEMU 7.2.22, answers
// qmp_capabilities with {}, then the next command with `reply` as its return.
class FakeQemu {
 public:
  explicit FakeQemu(Json reply) {
    int fds[2];
    REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
    client_fd = fds[0];
    thread_ = std::thread([fd = fds[1], reply = std::move(reply)] {
      std::FILE* f = fdopen(fd, "r+");
      std::fputs(R"({"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7},)"
                 R"( "package": ""}, "capabilities": ["oob"]}})"
                 "\r\n",
                 f);
      std::fflush(f);
      char line[4096];
      for (int i = 0; i < 2 && std::fgets(line, sizeof line, f); ++i) {
        Json request = Json::parse(line);
        Json answer = {{"return", i == 0 ? Json::object() : reply}, {"id", request["id"]}};
        std::fputs((answer.dump() + "\r\n").c_str(), f);
        std::fflush(f);
      }
      std::fclose(f);
    });
  }
  ~FakeQemu() { thread_.join(); }

  int client_fd = -1;

 private:
  std::thread thread_;
};

qmp::Session start(const FakeQemu& peer, qsock::Deadline deadline) {
  auto session = qmp::Session::start(
      qmp::Connection(peer.client_fd, qmp::Connection::Family::unix_socket), deadline);
  REQUIRE_MESSAGE(session.has_value(), session.error().message);
  return std::move(*session);
}

}  // namespace

TEST_CASE("live_schema: query-qmp-schema through a session, named after the greeting") {
  FakeQemu peer(Json::parse(R"([
    {"name": "str", "meta-type": "builtin", "json-type": "string"},
    {"name": "query-migrate-parameters", "meta-type": "command", "arg-type": "0", "ret-type": "1"},
    {"name": "0", "meta-type": "object", "members": []},
    {"name": "1", "meta-type": "object", "members": [{"name": "fds", "type": "[str]", "default": null}]}
  ])"));
  auto deadline = Deadline::after(Milliseconds(5000));
  qmp::Session session = start(peer, deadline);
  auto features = qmp::live_features(session, deadline);
  REQUIRE_MESSAGE(features.has_value(), features.error().message);
  CHECK(features->version == "7.2.22");
  CHECK(features->backend_transfer() == qmp::BackendTransfer::fds);
  CHECK(features->parameters == std::vector<std::string>{"fds"});
}

TEST_CASE("live_schema: origin, and a reply that is not a SchemaInfo list") {
  SUBCASE("origin") {
    FakeQemu peer(Json::array());
    auto deadline = Deadline::after(Milliseconds(5000));
    qmp::Session session = start(peer, deadline);
    auto schema = qmp::live_schema(session, deadline);
    REQUIRE(schema.has_value());
    CHECK(schema->origin == "QEMU 7.2.22");
    CHECK_FALSE(schema->versioned);
  }
  SUBCASE("not a list") {
    FakeQemu peer(Json::object());
    auto deadline = Deadline::after(Milliseconds(5000));
    qmp::Session session = start(peer, deadline);
    auto schema = qmp::live_schema(session, deadline);
    REQUIRE_FALSE(schema.has_value());
    CHECK(schema.error().kind == qmp::ErrorKind::protocol);
    CHECK(schema.error().message == "query-qmp-schema: expected a list of SchemaInfo");
  }
}
