#include "sockopts/assignments.h"

#include <algorithm>
#include <charconv>
#include <vector>

#include <fmt/format.h>

#include "base/settable_members.h"
#include "base/suggest.h"

namespace qsock::sockopts {

Result<SocketOptions> options_from_assignments(std::string_view text) {
  Json j = Json::object();
  while (!text.empty()) {
    auto comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    auto eq = item.find('=');
    std::string key(item.substr(0, eq));
    if (eq == std::string_view::npos || key.empty())
      return tl::unexpected(Error{fmt::format("'{}': expected KEY=VALUE", item), 0, key,
                                  "e.g. user-timeout=2000,keep-alive=on"});
    std::string_view value = item.substr(eq + 1);
    const auto& keys = qsock_settable_members();
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      const auto& all = option_keys();
      if (std::find(all.begin(), all.end(), key) != all.end())
        return tl::unexpected(Error{fmt::format("'{}' cannot change on an existing socket", key), 0,
                                    key, "it acts when the socket is created"});
      return tl::unexpected(
          Error{fmt::format("unknown socket option '{}'", key), 0, key,
                did_you_mean(key, keys, fmt::format("one of: {}", fmt::join(keys, ", ")))});
    }
    if (key == "keep-alive") {
      if (value == "on" || value == "true" || value == "yes")
        j[key] = true;
      else if (value == "off" || value == "false" || value == "no")
        j[key] = false;
      else
        return tl::unexpected(
            Error{fmt::format("Parameter '{}' expects 'on' or 'off'", key), 0, key, {}});
      continue;
    }
    std::uint64_t n = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec != std::errc() || p != value.data() + value.size() || value.empty())
      return tl::unexpected(Error{fmt::format("Parameter '{}' expects a number", key), 0, key,
                                  key == "user-timeout"       ? "milliseconds"
                                  : key == "keep-alive-count" ? "probes"
                                                              : "seconds"});
    j[key] = n;
  }
  if (j.empty()) return tl::unexpected(Error{"nothing to set", 0, {}, "e.g. user-timeout=2000"});
  return options_from_json(j);
}

}  // namespace qsock::sockopts
