// The address family QEMU asks getaddrinfo for, from ipv4/ipv6 and the host.
#pragma once

#include <string_view>

#include "sockopts/error.h"
#include "sockopts/options.h"

namespace qsock::sockopts {

// AF_UNSPEC, AF_INET or AF_INET6. Neither given: AF_UNSPEC; both false: the
// error "Cannot disable IPv4 and IPv6 at same time"; both true: AF_INET6
// for an empty host, else AF_UNSPEC; ipv6 on or ipv4 off: AF_INET6; ipv4 on
// or ipv6 off: AF_INET.
Result<int> address_family(const SocketOptions& o, std::string_view host);

// For a listening AF_INET6 socket: IPV6_V6ONLY off when neither family or
// both were asked for, on when only IPv6 was.
bool listen_v6only(const SocketOptions& o);

}  // namespace qsock::sockopts
