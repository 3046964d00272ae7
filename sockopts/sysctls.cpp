#include "sockopts/sysctls.h"

#include <charconv>
#include <fstream>

#include <fmt/format.h>

namespace qsock::sockopts {

namespace {

Result<std::uint32_t> read_number(const std::string& dir, const char* name) {
  std::string path = dir + "/" + name;
  std::ifstream in(path);
  if (!in) return tl::unexpected(sys_error(fmt::format("cannot read {}", path)));
  std::string text;
  std::getline(in, text);
  std::uint32_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p == text.data())
    return tl::unexpected(Error{fmt::format("{}: not a number: '{}'", path, text), 0, name, {}});
  return v;
}

}  // namespace

Result<Sysctls> read_sysctls(const std::string& dir) {
  Sysctls s;
  struct Entry {
    const char* name;
    std::uint32_t* out;
  };
  std::uint32_t time = 0, intvl = 0;
  for (auto [name, out] : {Entry{"tcp_retries2", &s.tcp_retries2},
                           Entry{"tcp_keepalive_time", &time}, Entry{"tcp_keepalive_intvl", &intvl},
                           Entry{"tcp_keepalive_probes", &s.tcp_keepalive_probes},
                           Entry{"tcp_syn_retries", &s.tcp_syn_retries}}) {
    auto v = read_number(dir, name);
    if (!v) return tl::unexpected(v.error());
    *out = *v;
  }
  s.tcp_keepalive_time = Seconds(time);
  s.tcp_keepalive_intvl = Seconds(intvl);
  return s;
}

Json to_json(const Sysctls& s) {
  Json j = Json::object();
  j["tcp_retries2"] = s.tcp_retries2;
  j["tcp_keepalive_time_s"] = s.tcp_keepalive_time.count();
  j["tcp_keepalive_intvl_s"] = s.tcp_keepalive_intvl.count();
  j["tcp_keepalive_probes"] = s.tcp_keepalive_probes;
  j["tcp_syn_retries"] = s.tcp_syn_retries;
  return j;
}

}  // namespace qsock::sockopts
