#include <doctest/doctest.h>

#include <unistd.h>

#include <fmt/format.h>

#include "guard/netns.h"
#include "guard/qemu_process.h"

using namespace qsock::guard;

TEST_CASE("is_qemu_name: the executables and the kernel's 15-character comm") {
  CHECK(is_qemu_name("qemu-system-x86_64"));
  CHECK(is_qemu_name("qemu-system-x86"));
  CHECK(is_qemu_name("qemu-system-aarch64"));
  CHECK(is_qemu_name("qemu-kvm"));
  CHECK_FALSE(is_qemu_name("qemu-img"));
  CHECK_FALSE(is_qemu_name("qemu-nbd"));
  CHECK_FALSE(is_qemu_name("libvirtd"));
}

TEST_CASE("qemu_under_loader: a QEMU run through ld.so is named by its first QEMU word") {
  using W = std::vector<std::string>;
  CHECK(is_loader_name("ld-linux-x86-64.so.2"));
  CHECK(is_loader_name("ld-linux-x86-64"));  // its comm
  CHECK(qemu_under_loader(W{"/opt/q/ld-linux-x86-64.so.2", "--library-path", "/opt/q/lib",
                            "/opt/q/usr/bin/qemu-system-x86_64", "-m", "128"}) ==
        "qemu-system-x86_64");
  CHECK_FALSE(qemu_under_loader(W{"/lib64/ld-linux-x86-64.so.2", "/usr/bin/python3"}));
}

TEST_CASE("domain_name: libvirt's -name guest=NAME, a plain -name, escaped commas") {
  using W = std::vector<std::string>;
  CHECK(domain_name(W{"qemu", "-name", "guest=vm1,debug-threads=on"}) == "vm1");
  CHECK(domain_name(W{"qemu", "-name", "web,process=qemu-web"}) == "web");
  CHECK(domain_name(W{"qemu", "-name", "guest=a,,b,debug-threads=on"}) == "a,b");
  CHECK_FALSE(domain_name(W{"qemu", "-m", "128"}));
  CHECK_FALSE(domain_name(W{"qemu", "-name"}));
}

TEST_CASE("cgroup_path: cgroup v2's line, else the first") {
  CHECK(cgroup_path("0::/machine.slice/machine-qemu\\x2d1\\x2dvm1.scope/libvirt/emulator\n") ==
        "/machine.slice/machine-qemu\\x2d1\\x2dvm1.scope/libvirt/emulator");
  CHECK(cgroup_path("12:cpu,cpuacct:/machine/vm1\n0::/system.slice/x.service\n") ==
        "/system.slice/x.service");
  CHECK(cgroup_path("3:memory:/machine/vm1\n") == "/machine/vm1");
}

TEST_CASE("split_cmdline and the process table") {
  using namespace std::string_literals;
  // "\0" "128": written together, "\0128" would be an octal escape.
  CHECK(split_cmdline("qemu\0-m\0"
                      "128\0"s) == std::vector<std::string>{"qemu", "-m", "128"});
  auto pids = all_pids();
  CHECK(std::find(pids.begin(), pids.end(), ::getpid()) != pids.end());
  CHECK_FALSE(read_qemu_process(::getpid()));  // the test runner is not QEMU
  CHECK(netns_inode("/proc/self/ns/net") != 0);
}

TEST_CASE("tcp_opens_in: a fingerprint of ActiveOpens, PassiveOpens and CurrEstab") {
  auto snmp = [](int active, int passive, int established) {
    return fmt::format(
        "Ip: Forwarding DefaultTTL\nIp: 1 64\n"
        "Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails CurrEstab\n"
        "Tcp: 1 200 120000 -1 {} {} 32 {}\nUdp: InDatagrams\nUdp: 5\n",
        active, passive, established);
  };
  auto base = tcp_opens_in(snmp(1756, 1682, 18));
  REQUIRE(base);
  CHECK(tcp_opens_in(snmp(1756, 1682, 18)) == base);
  CHECK(tcp_opens_in(snmp(1757, 1682, 18)) != base);                       // a connect()
  CHECK(tcp_opens_in(snmp(1756, 1683, 19)) != base);                       // an accept
  CHECK(tcp_opens_in(snmp(1756, 1682, 17)) != base);                       // a close
  CHECK_FALSE(tcp_opens_in("Tcp: ActiveOpens PassiveOpens\nTcp: 3 4\n"));  // no CurrEstab
  CHECK_FALSE(tcp_opens_in(""));
  CHECK_FALSE(tcp_opens_in("Tcp: ActiveOpens PassiveOpens CurrEstab\nTcp: 2 x 1\n"));
}
