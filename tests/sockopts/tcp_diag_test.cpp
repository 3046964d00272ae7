#include <doctest/doctest.h>

#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "sockopts/connect.h"
#include "sockopts/tcp_diag.h"

using namespace qsock;
using namespace qsock::sockopts;
using namespace std::chrono_literals;

namespace {

std::uint64_t inode_of(int fd) {
  struct stat st {};
  REQUIRE(::fstat(fd, &st) == 0);
  return st.st_ino;
}

}  // namespace

TEST_CASE("tcp_sockets: one dump lists this namespace's connections with their inodes") {
  auto listener =
      listen_inet(*inet_address_from_json(Json::parse(R"({"host":"127.0.0.1","port":"0"})")));
  REQUIRE_MESSAGE(listener, listener.error().text());
  Json c = {{"host", "127.0.0.1"}, {"port", std::to_string(listener->port)}};
  auto client = connect_inet(*inet_address_from_json(c), 2s);
  REQUIRE_MESSAGE(client, client.error().text());
  auto server = accept_with_deadline(listener->fd.get(), 2s);
  REQUIRE_MESSAGE(server, server.error().text());

  auto diag = open_sock_diag();
  REQUIRE_MESSAGE(diag, diag.error().text());
  auto rows =
      tcp_sockets(diag->get(), state_bit(TcpState::established) | state_bit(TcpState::listen));
  REQUIRE_MESSAGE(rows, rows.error().text());
  auto find = [&](std::uint64_t inode) {
    return std::find_if(rows->begin(), rows->end(),
                        [&](const TcpDiagRow& r) { return r.inode == inode; });
  };
  auto client_row = find(inode_of(client->get()));
  auto server_row = find(inode_of(server->get()));
  auto listen_row = find(inode_of(listener->fd.get()));
  REQUIRE(client_row != rows->end());
  REQUIRE(server_row != rows->end());
  REQUIRE(listen_row != rows->end());
  CHECK(client_row->state == TcpState::established);
  CHECK(client_row->remote.text() == fmt::format("127.0.0.1:{}", listener->port));
  CHECK(server_row->local.port == listener->port);
  CHECK(server_row->remote == client_row->local);
  CHECK(listen_row->state == TcpState::listen);
  CHECK(client_row->uid == ::geteuid());

  // Only what the mask asks for.
  auto listening = tcp_sockets(diag->get(), state_bit(TcpState::listen));
  REQUIRE(listening);
  CHECK(std::none_of(listening->begin(), listening->end(),
                     [](const TcpDiagRow& r) { return r.state != TcpState::listen; }));
}

TEST_CASE("tcp_sockets: replies left unread from an earlier dump are not taken for its own") {
  auto listener =
      listen_inet(*inet_address_from_json(Json::parse(R"({"host":"127.0.0.1","port":"0"})")));
  REQUIRE_MESSAGE(listener, listener.error().text());
  auto diag = open_sock_diag();
  REQUIRE_MESSAGE(diag, diag.error().text());
  // A dump of every UNIX socket, sent and never read: what a dump cut short
  // by a failed recv leaves queued on a socket the guard keeps.
  struct {
    nlmsghdr header;
    unix_diag_req request;
  } stale{};
  stale.header.nlmsg_len = sizeof stale;
  stale.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  stale.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  stale.header.nlmsg_seq = 0xfffffff0U;
  stale.request.sdiag_family = AF_UNIX;
  stale.request.udiag_states = ~0U;
  REQUIRE(::send(diag->get(), &stale, sizeof stale, 0) == static_cast<ssize_t>(sizeof stale));

  auto listening = tcp_sockets(diag->get(), state_bit(TcpState::listen));
  REQUIRE_MESSAGE(listening, listening.error().text());
  CHECK(std::all_of(listening->begin(), listening->end(),
                    [](const TcpDiagRow& r) { return r.state == TcpState::listen; }));
  CHECK(std::any_of(listening->begin(), listening->end(),
                    [&](const TcpDiagRow& r) { return r.inode == inode_of(listener->fd.get()); }));
  // And the socket is in step for the next dump.
  auto again = tcp_sockets(diag->get(), state_bit(TcpState::listen));
  REQUIRE(again);
  CHECK(std::any_of(again->begin(), again->end(),
                    [&](const TcpDiagRow& r) { return r.inode == inode_of(listener->fd.get()); }));
}
