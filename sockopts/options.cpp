#include "sockopts/options.h"

#include <fmt/format.h>

#include <limits>

namespace qsock::sockopts {

namespace {

Error type_error(const std::string& key, const char* expected, const Json& got) {
  return Error{fmt::format("Invalid parameter type for '{}', expected: {}", key, expected), 0, key,
               fmt::format("got {}", dump_json(got))};
}

Result<std::optional<bool>> get_bool(const Json& j, const std::string& key) {
  auto it = j.find(key);
  if (it == j.end()) return std::optional<bool>{};
  if (!it->is_boolean()) return tl::unexpected(type_error(key, "boolean", *it));
  return std::optional<bool>{it->get<bool>()};
}

Result<std::optional<std::uint64_t>> get_uint(const Json& j, const std::string& key,
                                              std::uint64_t max, const char* type) {
  auto it = j.find(key);
  if (it == j.end()) return std::optional<std::uint64_t>{};
  if (!it->is_number_integer()) return tl::unexpected(type_error(key, type, *it));
  if (it->is_number_unsigned() || it->get<std::int64_t>() >= 0) {
    auto v = it->get<std::uint64_t>();
    if (v <= max) return std::optional<std::uint64_t>{v};
  }
  return tl::unexpected(Error{fmt::format("Parameter '{}' expects {}", key, type), 0, key,
                              fmt::format("0 to {}", max)});
}

constexpr std::uint64_t kU32 = std::numeric_limits<std::uint32_t>::max();
constexpr std::uint64_t kU16 = std::numeric_limits<std::uint16_t>::max();

}  // namespace

const std::vector<std::string>& option_keys() {
  static const std::vector<std::string> keys = {"numeric",
                                                "to",
                                                "ipv4",
                                                "ipv6",
                                                "keep-alive",
                                                "keep-alive-count",
                                                "keep-alive-idle",
                                                "keep-alive-interval",
                                                "mptcp",
                                                "user-timeout"};
  return keys;
}

bool has_socket_options(const SocketOptions& o) {
  bool any = false;
  for_each_socket_member([&](auto member) { any = any || (o.*member).has_value(); });
  return any;
}

SocketOptions socket_members(const SocketOptions& o) {
  SocketOptions out;
  for_each_socket_member([&](auto member) { out.*member = o.*member; });
  return out;
}

Result<SocketOptions> options_from_json(const Json& input) {
  if (!input.is_object())
    return tl::unexpected(Error{"an InetSocketAddress must be a JSON object", 0, {}, {}});
  const Json* j = &input;
  if (auto data = input.find("data"); data != input.end() && data->is_object()) j = &*data;

  SocketOptions o;
  struct BoolMember {
    const char* key;
    std::optional<bool> SocketOptions::*field;
  };
  for (auto [key, field] :
       {BoolMember{"numeric", &SocketOptions::numeric}, BoolMember{"ipv4", &SocketOptions::ipv4},
        BoolMember{"ipv6", &SocketOptions::ipv6},
        BoolMember{"keep-alive", &SocketOptions::keep_alive},
        BoolMember{"mptcp", &SocketOptions::mptcp}}) {
    auto v = get_bool(*j, key);
    if (!v) return tl::unexpected(v.error());
    o.*field = *v;
  }

  auto to = get_uint(*j, "to", kU16, "uint16");
  if (!to) return tl::unexpected(to.error());
  if (*to) o.to = static_cast<std::uint16_t>(**to);

  auto count = get_uint(*j, "keep-alive-count", kU32, "uint32");
  if (!count) return tl::unexpected(count.error());
  if (*count) o.keep_alive_count = static_cast<std::uint32_t>(**count);

  auto idle = get_uint(*j, "keep-alive-idle", kU32, "uint32");
  if (!idle) return tl::unexpected(idle.error());
  if (*idle) o.keep_alive_idle = Seconds(**idle);

  auto interval = get_uint(*j, "keep-alive-interval", kU32, "uint32");
  if (!interval) return tl::unexpected(interval.error());
  if (*interval) o.keep_alive_interval = Seconds(**interval);

  auto user_timeout = get_uint(*j, "user-timeout", kU32, "uint32");
  if (!user_timeout) return tl::unexpected(user_timeout.error());
  if (*user_timeout) o.user_timeout = Milliseconds(**user_timeout);
  return o;
}

Result<InetAddress> inet_address_from_json(const Json& input) {
  auto options = options_from_json(input);
  if (!options) return tl::unexpected(options.error());
  const Json& j = input.contains("data") && input["data"].is_object() ? input["data"] : input;
  if (auto type = input.find("type"); type != input.end() && *type != "inet")
    return tl::unexpected(Error{fmt::format("not an inet address (type {})", type->dump()), 0,
                                "type", "only TCP (type inet) sockets carry these options"});
  InetAddress a;
  for (auto [key, out] : {std::pair{"host", &a.host}, std::pair{"port", &a.port}}) {
    auto it = j.find(key);
    if (it == j.end())
      return tl::unexpected(Error{fmt::format("{} not specified", key), 0, key, {}});
    if (!it->is_string()) return tl::unexpected(type_error(key, "string", *it));
    *out = it->get<std::string>();
  }
  a.options = *options;
  return a;
}

Json to_json(const SocketOptions& o) {
  Json j = Json::object();
  if (o.numeric) j["numeric"] = *o.numeric;
  if (o.to) j["to"] = *o.to;
  if (o.ipv4) j["ipv4"] = *o.ipv4;
  if (o.ipv6) j["ipv6"] = *o.ipv6;
  if (o.keep_alive) j["keep-alive"] = *o.keep_alive;
  if (o.keep_alive_count) j["keep-alive-count"] = *o.keep_alive_count;
  if (o.keep_alive_idle) j["keep-alive-idle"] = o.keep_alive_idle->count();
  if (o.keep_alive_interval) j["keep-alive-interval"] = o.keep_alive_interval->count();
  if (o.mptcp) j["mptcp"] = *o.mptcp;
  if (o.user_timeout) j["user-timeout"] = o.user_timeout->count();
  return j;
}

}  // namespace qsock::sockopts
