// Fuzzes parse_keyval with and without an implied key, and checks that what
// it accepts survives format_keyval and a second parse unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "uri/keyval.h"

using namespace qsock::uri;

namespace {

void check_round_trip(const KeyvalResult& first) {
  auto text = format_keyval(first.tree);
  if (!text) {
    std::fprintf(stderr, "format_keyval refused a parsed tree: %s\n", text.error().message.c_str());
    std::abort();
  }
  auto second = parse_keyval(*text, {}, KeyvalHelp::allowed);
  if (!second || second->tree != first.tree) {
    std::fprintf(stderr, "round trip changed the tree: %s\n", text->c_str());
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (std::string_view implied :
       {std::string_view{}, std::string_view{"type"}, std::string_view{"eins.zwei"}}) {
    auto r = parse_keyval(text, implied, KeyvalHelp::allowed);
    if (r) check_round_trip(*r);
    auto refused = parse_keyval(text, implied, KeyvalHelp::refused);
    if (r.has_value() != refused.has_value() && !(r && r->help)) std::abort();
  }
  return 0;
}
