// Fuzzes the HMP reply reader: the input is what a human monitor says on its
// socket (banner, prompts, echoes with terminal escapes, answers). It is
// written to a socketpair whose far end then stops talking; an HmpSession
// reads the banner and runs commands until the bytes run out. Also fuzzes
// clean_hmp_output and check_hmp_line on the raw bytes.
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "qmp/connection.h"
#include "qmp/hmp.h"

using namespace qsock;
using namespace qsock::qmp;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view raw(reinterpret_cast<const char*>(data), size);
  std::string cleaned = clean_hmp_output(raw);
  if (cleaned.size() > raw.size()) std::abort();
  if (cleaned.find('\x1b') != std::string::npos) std::abort();
  (void)check_hmp_line(raw);

  // The whole reply must fit the socket buffer: the peer writes it all first.
  if (size > 65536) return 0;
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) std::abort();
  std::size_t done = 0;
  while (done < size) {
    auto n = ::write(sv[0], data + done, size - done);
    if (n <= 0) std::abort();
    done += static_cast<std::size_t>(n);
  }
  ::shutdown(sv[0], SHUT_WR);
  {
    auto session = HmpSession::start(Connection(sv[1], Connection::Family::unix_socket),
                                     Deadline::after(Milliseconds{1000}));
    if (session) {
      for (int i = 0; i < 64; ++i) {
        auto out = session->run("info status", Deadline::after(Milliseconds{1000}));
        if (!out) break;
        if (out->find('\x1b') != std::string::npos) std::abort();
      }
    }
  }
  ::close(sv[0]);
  return 0;
}
