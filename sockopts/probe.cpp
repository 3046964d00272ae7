#include "sockopts/probe.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "base/fd.h"

namespace qsock::sockopts {

namespace {

Feature failed(const char* name, const char* call, int errnum) {
  return {name, false, fmt::format("{}: {} ({})", call, std::strerror(errnum), errno_name(errnum))};
}

Feature tcp_option(int fd, const char* name, int option, int value) {
  if (fd < 0) return failed(name, "socket(AF_INET, SOCK_STREAM)", errno);
  if (::setsockopt(fd, IPPROTO_TCP, option, &value, sizeof value) != 0)
    return failed(name, "setsockopt", errno);
  int back = 0;
  socklen_t len = sizeof back;
  if (::getsockopt(fd, IPPROTO_TCP, option, &back, &len) != 0)
    return failed(name, "getsockopt", errno);
  if (back != value) return {name, false, fmt::format("set {}, read back {}", value, back)};
  return {name, true, fmt::format("set {} and read it back", value)};
}

Feature mptcp() {
  Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_MPTCP));
  if (!fd.valid()) {
    Feature f = failed("MPTCP", "socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP)", errno);
    if (errno == EPROTONOSUPPORT || errno == EINVAL) f.detail += "; or net.mptcp.enabled=0";
    return f;
  }
  return {"MPTCP", true, "socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP)"};
}

std::vector<Feature> pidfd() {
  std::vector<Feature> out;
  long pidfd = ::syscall(SYS_pidfd_open, ::getpid(), 0);
  if (pidfd < 0) {
    int e = errno;
    out.push_back(failed("pidfd_open", "pidfd_open(self)", e));
    out.push_back({"pidfd_getfd", false, "needs pidfd_open"});
    return out;
  }
  Fd owner(static_cast<int>(pidfd));
  out.push_back({"pidfd_open", true, "pidfd_open(self)"});
  long dup = ::syscall(SYS_pidfd_getfd, owner.get(), owner.get(), 0);
  if (dup < 0) {
    out.push_back(failed("pidfd_getfd", "pidfd_getfd(self)", errno));
  } else {
    ::close(static_cast<int>(dup));
    out.push_back(
        {"pidfd_getfd", true, "pidfd_getfd(self); another process's needs ptrace access to it"});
  }
  return out;
}

}  // namespace

KernelProbe probe_kernel() {
  KernelProbe p;
  utsname u{};
  if (::uname(&u) == 0) p.kernel = u.release;
  Fd tcp(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  p.features.push_back(tcp_option(tcp.get(), "TCP_USER_TIMEOUT", TCP_USER_TIMEOUT, 1234));
  p.features.push_back(tcp_option(tcp.get(), "TCP_KEEPCNT", TCP_KEEPCNT, 7));
  p.features.push_back(tcp_option(tcp.get(), "TCP_KEEPIDLE", TCP_KEEPIDLE, 61));
  p.features.push_back(tcp_option(tcp.get(), "TCP_KEEPINTVL", TCP_KEEPINTVL, 31));
  p.features.push_back(mptcp());
  for (Feature& f : pidfd()) p.features.push_back(std::move(f));
  p.sysctls = read_sysctls();
  return p;
}

Json to_json(const KernelProbe& p) {
  Json j = Json::object();
  j["kernel"] = p.kernel;
  Json features = Json::object();
  for (const Feature& f : p.features)
    features[f.name] = Json{{"supported", f.supported}, {"detail", f.detail}};
  j["features"] = features;
  if (p.sysctls) {
    j["sysctls"] = to_json(*p.sysctls);
  } else {
    j["sysctls"] = nullptr;
    j["sysctls_error"] = p.sysctls.error().text();
  }
  return j;
}

}  // namespace qsock::sockopts
