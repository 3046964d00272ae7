#include <doctest/doctest.h>

#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include "migration/channel.h"
#include "sockopts/connect.h"

using namespace qsock;

// This process has no TCP socket to port 1: inject_options never finds one.
TEST_CASE("inject_options gives up at once when the migration is over, not at the deadline") {
  int asked = 0;
  auto over = [&asked] { return ++asked >= 3; };
  auto start = std::chrono::steady_clock::now();
  auto r = migration::inject_options(::getpid(), {1, std::nullopt}, {},
                                     Deadline::after(Milliseconds(5000)), over);
  auto took = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == qmp::ErrorKind::invalid);
  CHECK(r.error().message.find("the migration ended before") != std::string::npos);
  CHECK(asked == 3);  // one more look after it said so, no more questions
  CHECK(took < std::chrono::milliseconds(1000));
}

TEST_CASE("inject_options without a way to know waits out its deadline") {
  auto r = migration::inject_options(::getpid(), {1, std::nullopt}, {},
                                     Deadline::after(Milliseconds(50)));
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == qmp::ErrorKind::timeout);
}

TEST_CASE("choose_mode: several channels rule out fd, and auto picks inject") {
  using migration::choose_mode;
  using migration::SockoptsMode;
  migration::ChannelFacts multifd{true, {"user-timeout"}, true, true, true};
  auto fd = choose_mode(SockoptsMode::fd, multifd);
  REQUIRE_FALSE(fd);
  CHECK(fd.error().message.find("Migration requires multi-channel URIs") != std::string::npos);
  auto chosen = choose_mode(SockoptsMode::automatic, multifd);
  REQUIRE(chosen);
  CHECK(chosen->mode == SockoptsMode::inject);
  // One channel: auto still prefers fd.
  multifd.multi_channel = false;
  CHECK(choose_mode(SockoptsMode::automatic, multifd)->mode == SockoptsMode::fd);
  // Several channels and no pid: nothing can bound them all.
  migration::ChannelFacts blind{true, {"user-timeout"}, true, false, true};
  CHECK_FALSE(choose_mode(SockoptsMode::automatic, blind));
}

// This process plays QEMU: three connections to one listener, as multifd
// opens them; each sweep handles only the ones it has not seen.
TEST_CASE("ChannelSweeper: every new connection gets the options, once") {
  auto listener = sockopts::listen_inet({"127.0.0.1", "0", {}});
  REQUIRE(listener);
  std::string port = std::to_string(listener->port);
  sockopts::SocketOptions bound;
  bound.user_timeout = Milliseconds(2000);
  migration::ChannelSweeper source{
      ::getpid(), {listener->port, std::nullopt}, bound, migration::SocketEnd::source};
  migration::ChannelSweeper destination{
      ::getpid(), {std::nullopt, listener->port}, {}, migration::SocketEnd::destination};
  std::vector<Fd> ends;
  for (int i = 0; i < 2; ++i) {
    auto c = sockopts::connect_inet({"127.0.0.1", port, {}}, Milliseconds(2000));
    REQUIRE(c);
    ends.push_back(std::move(*c));
    auto a = sockopts::accept_with_deadline(listener->fd.get(), Milliseconds(2000));
    REQUIRE(a);
    ends.push_back(std::move(*a));
  }
  CHECK(source.sweep() == 2);
  CHECK(source.sweep() == 0);  // nothing new
  auto c = sockopts::connect_inet({"127.0.0.1", port, {}}, Milliseconds(2000));
  REQUIRE(c);
  ends.push_back(std::move(*c));
  CHECK(source.sweep() == 1);
  REQUIRE(source.channels.size() == 3);
  for (const auto& v : source.channels) {
    REQUIRE(v.options);
    CHECK(v.options->user_timeout == Milliseconds(2000));
    CHECK(v.not_applied.empty());
  }
  CHECK(source.failures.empty());
  // The accepted ends match by their local port, read only: left as they are.
  CHECK(destination.sweep() == 2);
  for (const auto& v : destination.channels) {
    REQUIRE(v.options);
    CHECK(v.options->user_timeout == Milliseconds(0));
  }
}
