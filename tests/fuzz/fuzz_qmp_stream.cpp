// Fuzzes MessageReader, the framing and JSON of a QMP monitor's byte stream.
// The first bytes choose the chunk sizes the rest is fed in, so the same
// stream is split at many places; a second reader fed it whole must return
// the same messages (or fail alike).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string_view>
#include <vector>

#include "qmp/message_reader.h"

using namespace qsock;
using namespace qsock::qmp;

namespace {

struct Outcome {
  std::vector<Json> messages;
  bool failed = false;
};

void drain(MessageReader& reader, Outcome& out) {
  while (!out.failed) {
    auto m = reader.next();
    if (!m) {
      out.failed = true;
      return;
    }
    if (!*m) return;
    if (!(*m)->is_object()) std::abort();
    out.messages.push_back(std::move(**m));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4) return 0;
  const std::uint8_t* sizes = data;  // 4 bytes: the chunk sizes, cycled
  std::string_view stream(reinterpret_cast<const char*>(data + 4), size - 4);
  // A small limit so the over-limit path is reached too.
  const Bytes limit{4096};

  Outcome chunked;
  MessageReader reader(limit);
  std::size_t at = 0;
  for (std::size_t i = 0; at < stream.size() && !chunked.failed; ++i) {
    std::size_t n = std::size_t{sizes[i % 4]} % 64 + 1;
    n = std::min(n, stream.size() - at);
    reader.feed(stream.substr(at, n));
    at += n;
    drain(reader, chunked);
  }

  Outcome whole;
  MessageReader once(limit);
  once.feed(stream);
  drain(once, whole);

  // Fed whole, the reader sees every message the chunked one saw before it failed.
  if (!chunked.failed && (whole.failed || whole.messages != chunked.messages)) std::abort();
  if (chunked.messages.size() > whole.messages.size() && !whole.failed) std::abort();
  return 0;
}
