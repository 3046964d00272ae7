#include "guard/qemu_process.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "base/file_text.h"

namespace qsock::guard {

namespace {

std::string base_name(std::string_view path) {
  auto slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

}  // namespace

bool is_qemu_name(std::string_view name) {
  return name.starts_with("qemu-system-") || name == "qemu-kvm";
}

bool is_loader_name(std::string_view name) {
  return name.starts_with("ld-linux") || name.starts_with("ld.so") || name.starts_with("ld-musl");
}

std::optional<std::string> qemu_under_loader(const std::vector<std::string>& argv) {
  for (std::size_t i = 1; i < argv.size(); ++i) {
    std::string name = base_name(argv[i]);
    if (is_qemu_name(name)) return name;
  }
  return std::nullopt;
}

std::optional<std::string> domain_name(const std::vector<std::string>& argv) {
  for (std::size_t i = 0; i + 1 < argv.size(); ++i) {
    if (argv[i] != "-name" && argv[i] != "--name") continue;
    // QemuOpts: the implied key is guest; ",," is a literal comma.
    std::string_view value = argv[i + 1];
    std::string guest;
    bool first = true;
    while (!value.empty()) {
      std::string item;
      std::size_t at = 0;
      for (; at < value.size(); ++at) {
        if (value[at] == ',' && at + 1 < value.size() && value[at + 1] == ',') {
          item += ',';
          ++at;
        } else if (value[at] == ',') {
          break;
        } else {
          item += value[at];
        }
      }
      value = at < value.size() ? value.substr(at + 1) : std::string_view{};
      if (item.starts_with("guest="))
        guest = item.substr(6);
      else if (first && item.find('=') == std::string::npos)
        guest = item;
      first = false;
    }
    if (!guest.empty()) return guest;
  }
  return std::nullopt;
}

std::string cgroup_path(std::string_view text) {
  std::string first;
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    // hierarchy-ID:controllers:path
    auto c1 = line.find(':');
    auto c2 = c1 == std::string_view::npos ? c1 : line.find(':', c1 + 1);
    if (c2 == std::string_view::npos) continue;
    std::string path(line.substr(c2 + 1));
    if (line.starts_with("0::")) return path;
    if (first.empty()) first = path;
  }
  return first;
}

std::vector<std::string> split_cmdline(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    auto nul = text.find('\0');
    out.emplace_back(text.substr(0, nul));
    text = nul == std::string_view::npos ? std::string_view{} : text.substr(nul + 1);
  }
  return out;
}

std::optional<std::string> process_comm(pid_t pid) {
  auto comm = read_file_text(fmt::format("/proc/{}/comm", pid));
  if (!comm) return std::nullopt;
  if (!comm->empty() && comm->back() == '\n') comm->pop_back();
  return std::move(*comm);
}

std::optional<QemuProcess> read_qemu_process(pid_t pid) {
  std::string proc = fmt::format("/proc/{}", pid);
  QemuProcess p;
  p.pid = pid;
  char link[4096] = {};
  ssize_t n = ::readlink((proc + "/exe").c_str(), link, sizeof link - 1);
  if (n > 0) {
    std::string_view exe(link, static_cast<std::size_t>(n));
    if (exe.ends_with(" (deleted)")) exe.remove_suffix(10);  // upgraded underneath it
    p.name = base_name(exe);
  } else {
    // Another user's process without CAP_SYS_PTRACE: its comm still says.
    auto comm = process_comm(pid);
    if (!comm) return std::nullopt;
    p.name = *comm;
  }
  if (!is_qemu_name(p.name) && !is_loader_name(p.name)) return std::nullopt;
  auto cmdline = read_file_text(proc + "/cmdline");
  if (!cmdline) return std::nullopt;
  p.argv = split_cmdline(*cmdline);
  // Caught inside execve: the new executable is in place before its
  // arguments are (an empty cmdline). The next look sees them.
  if (p.argv.empty()) return std::nullopt;
  // From comm (the kernel keeps 15 characters): argv[0] has the whole name.
  if (n <= 0 && !p.argv.empty() && is_qemu_name(base_name(p.argv[0])))
    p.name = base_name(p.argv[0]);
  if (is_loader_name(p.name)) {
    auto qemu = qemu_under_loader(p.argv);
    if (!qemu) return std::nullopt;
    p.name = *qemu;
  }
  p.domain = domain_name(p.argv);
  if (auto cgroup = read_file_text(proc + "/cgroup")) p.cgroup = cgroup_path(*cgroup);
  p.netns = netns_inode(proc + "/ns/net");
  struct stat st {};
  if (::stat(proc.c_str(), &st) != 0) return std::nullopt;
  p.uid = st.st_uid;
  return p;
}

std::vector<pid_t> all_pids() {
  std::vector<pid_t> out;
  DIR* dir = ::opendir("/proc");
  if (!dir) return out;
  while (dirent* d = ::readdir(dir)) {
    std::string_view name = d->d_name;
    pid_t pid = 0;
    auto [p, ec] = std::from_chars(name.data(), name.data() + name.size(), pid);
    if (ec == std::errc() && p == name.data() + name.size()) out.push_back(pid);
  }
  ::closedir(dir);
  std::sort(out.begin(), out.end());
  return out;
}

std::uint64_t netns_inode(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return st.st_ino;
}

}  // namespace qsock::guard
