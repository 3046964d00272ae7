// The QEMU processes of a host, as /proc shows them: which processes are
// QEMU (by executable), and what the guard matches and classifies by: the
// command line, the libvirt domain name, the cgroup, the network namespace.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qsock::guard {

// qemu-system-ARCH, qemu-kvm (RHEL's name), or a truncated comm of either
// ("qemu-system-x86": the kernel keeps 15 characters).
bool is_qemu_name(std::string_view name);

// The dynamic loader's names: a QEMU run as "ld.so [--library-path DIR]
// /usr/bin/qemu-system-x86_64 ..." (a private build, a test rig) is the
// loader's process, its comm the loader's.
bool is_loader_name(std::string_view name);

// The QEMU a loader runs: the file name of its first word that names QEMU.
std::optional<std::string> qemu_under_loader(const std::vector<std::string>& argv);

// The libvirt domain name of a QEMU command line: libvirt passes
// "-name guest=NAME,debug-threads=on"; a hand-written "-name NAME" counts too.
// ",," inside the value is an escaped comma.
std::optional<std::string> domain_name(const std::vector<std::string>& argv);

// The path of a /proc/PID/cgroup text (cgroup v2's "0::PATH" line, else
// the first line's path).
std::string cgroup_path(std::string_view proc_cgroup);

// The NUL-separated words of a /proc/PID/cmdline text.
std::vector<std::string> split_cmdline(std::string_view text);

struct QemuProcess {
  pid_t pid = 0;
  std::string name;  // the executable's file name
  std::vector<std::string> argv;
  std::optional<std::string> domain;
  std::string cgroup;
  std::uint64_t netns = 0;  // inode of /proc/PID/ns/net, 0 when unreadable
  uid_t uid = 0;
};

// The process's /proc/PID/comm (what the kernel calls it), or nullopt when
// it is gone.
std::optional<std::string> process_comm(pid_t pid);

// Everything the guard needs of a QEMU process, or nullopt when the process
// is not QEMU (its executable's name says so) or is gone.
std::optional<QemuProcess> read_qemu_process(pid_t pid);

// The pids under /proc, ascending.
std::vector<pid_t> all_pids();

// The network namespace inode of a /proc/PID/ns/net (or any netns path).
std::uint64_t netns_inode(const std::string& path);

}  // namespace qsock::guard
