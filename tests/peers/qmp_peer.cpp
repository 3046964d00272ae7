// A misbehaving monitor for fault-injection tests.
//
//   qmp_peer MODE ADDRESS READY_FILE
//
// Listens on ADDRESS (a UNIX socket path, or tcp:HOST:PORT with PORT 0 for
// any), writes the address it listens on to READY_FILE, serves clients one
// after another in MODE, and exits after 30 s. Modes:
//   ok                greeting, then {"return": {}} to every command
//   no-greeting       accepts and says nothing
//   silent            greeting, then never answers
//   close-mid-reply   answers qmp_capabilities, then half a reply and close
//   invalid-json      answers qmp_capabilities, then a reply that is not JSON
//   huge-line         answers qmp_capabilities, then 64 MiB + 1 without a newline
//   unmatched-id      answers qmp_capabilities, then a reply with another id
//   error-without-id  answers qmp_capabilities, then an error without id
//   event-flood       answers qmp_capabilities, then 100000 events, then the reply
//   hmp-no-prompt     an HMP banner, never a prompt
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>

#include "qmp/message_reader.h"

using qsock::Json;

namespace {

constexpr std::string_view greeting =
    "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, "
    "\"package\": \"qmp_peer\"}, \"capabilities\": [\"oob\"]}}\r\n";

bool say(int fd, std::string_view text) {
  while (!text.empty()) {
    auto n = ::send(fd, text.data(), text.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// The next command from the client, or nullopt when it went away.
std::optional<Json> next_command(int fd, qsock::qmp::MessageReader& reader) {
  char buf[65536];
  for (;;) {
    auto m = reader.next();
    if (!m) return std::nullopt;
    if (*m) return **m;
    auto n = ::read(fd, buf, sizeof buf);
    if (n <= 0) return std::nullopt;
    reader.feed(std::string_view(buf, static_cast<std::size_t>(n)));
  }
}

std::string reply(const Json& command, std::string_view body) {
  std::string id = command.contains("id") ? command["id"].dump() : "null";
  return "{" + std::string(body) + ", \"id\": " + id + "}\r\n";
}

void drain_until_closed(int fd) {
  char buf[4096];
  while (::read(fd, buf, sizeof buf) > 0) {
  }
}

void serve(int fd, const std::string& mode) {
  if (mode == "no-greeting") return drain_until_closed(fd);
  if (mode == "hmp-no-prompt") {
    say(fd, "QEMU 7.2.0 monitor - type 'help' for more information\r\n");
    return drain_until_closed(fd);
  }
  say(fd, greeting);
  if (mode == "silent") return drain_until_closed(fd);
  qsock::qmp::MessageReader reader;
  auto caps = next_command(fd, reader);
  if (!caps) return;
  say(fd, reply(*caps, "\"return\": {}"));
  for (;;) {
    auto command = next_command(fd, reader);
    if (!command) return;
    if (mode == "ok") {
      say(fd, reply(*command, "\"return\": {}"));
      continue;
    }
    if (mode == "close-mid-reply") {
      say(fd, "{\"return\": {\"status\": \"runn");
      return;
    }
    if (mode == "invalid-json") {
      say(fd, "{\"return\": {]}\r\n");
    } else if (mode == "huge-line") {
      std::string chunk(1 << 20, 'a');
      say(fd, "{\"return\": \"");
      for (int i = 0; i <= 64; ++i)
        if (!say(fd, chunk)) return;
    } else if (mode == "unmatched-id") {
      say(fd, "{\"return\": {}, \"id\": \"not-yours\"}\r\n");
    } else if (mode == "error-without-id") {
      say(fd,
          "{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error, "
          "expecting value\"}}\r\n");
    } else if (mode == "event-flood") {
      std::string events;
      for (int i = 0; i < 100000; ++i)
        events += "{\"timestamp\": {\"seconds\": 1700000000, \"microseconds\": " +
                  std::to_string(i % 1000000) +
                  "}, \"event\": \"RTC_CHANGE\", \"data\": "
                  "{\"offset\": " +
                  std::to_string(i) + "}}\r\n";
      if (!say(fd, events)) return;
      say(fd, reply(*command, "\"return\": {\"flooded\": true}"));
      continue;
    }
    return drain_until_closed(fd);
  }
}

int listen_on(const std::string& address, std::string& actual) {
  if (address.starts_with("tcp:")) {
    auto rest = address.substr(4);
    auto colon = rest.rfind(':');
    std::string host = rest.substr(0, colon), port = rest.substr(colon + 1);
    bool v6 = host.starts_with("[");
    if (v6) host = host.substr(1, host.size() - 2);
    int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_storage ss{};
    socklen_t len;
    if (v6) {
      auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
      a->sin6_family = AF_INET6;
      a->sin6_port = htons(static_cast<uint16_t>(std::stoi(port)));
      ::inet_pton(AF_INET6, host.c_str(), &a->sin6_addr);
      len = sizeof *a;
    } else {
      auto* a = reinterpret_cast<sockaddr_in*>(&ss);
      a->sin_family = AF_INET;
      a->sin_port = htons(static_cast<uint16_t>(std::stoi(port)));
      ::inet_pton(AF_INET, host.c_str(), &a->sin_addr);
      len = sizeof *a;
    }
    if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) < 0 || ::listen(fd, 4) < 0) {
      std::perror("qmp_peer: bind/listen");
      return -1;
    }
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
    int bound = v6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port)
                   : ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
    actual = "tcp:" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(bound);
    return fd;
  }
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  std::strncpy(sa.sun_path, address.c_str(), sizeof sa.sun_path - 1);
  ::unlink(address.c_str());
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0 || ::listen(fd, 4) < 0) {
    std::perror("qmp_peer: bind/listen");
    return -1;
  }
  actual = address;
  return fd;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: qmp_peer MODE ADDRESS READY_FILE\n");
    return 2;
  }
  std::string mode = argv[1];
  std::signal(SIGPIPE, SIG_IGN);
  ::alarm(30);
  std::string actual;
  int listener = listen_on(argv[2], actual);
  if (listener < 0) return 1;
  {
    std::string tmp = std::string(argv[3]) + ".tmp";
    std::ofstream(tmp) << actual << "\n";
    std::rename(tmp.c_str(), argv[3]);
  }
  for (;;) {
    int client = ::accept(listener, nullptr, nullptr);
    if (client < 0) continue;
    serve(client, mode);
    ::close(client);
  }
}
