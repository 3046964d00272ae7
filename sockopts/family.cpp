#include "sockopts/family.h"

#include <sys/socket.h>

namespace qsock::sockopts {

Result<int> address_family(const SocketOptions& o, std::string_view host) {
  bool v4_on = o.ipv4 && *o.ipv4, v4_off = o.ipv4 && !*o.ipv4;
  bool v6_on = o.ipv6 && *o.ipv6, v6_off = o.ipv6 && !*o.ipv6;
  if (v4_off && v6_off)
    return tl::unexpected(Error{"Cannot disable IPv4 and IPv6 at same time", 0, "ipv4", {}});
  if (v4_on && v6_on) return host.empty() ? AF_INET6 : AF_UNSPEC;
  if (v6_on || v4_off) return AF_INET6;
  if (v4_on || v6_off) return AF_INET;
  return AF_UNSPEC;
}

bool listen_v6only(const SocketOptions& o) {
  bool neither = !o.ipv4 && !o.ipv6;
  bool both = o.ipv4.value_or(false) && o.ipv6.value_or(false);
  return !(neither || both);
}

}  // namespace qsock::sockopts
