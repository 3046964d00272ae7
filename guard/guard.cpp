#include "guard/guard.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

#include "base/socket_inode.h"
#include "guard/permission.h"
#include "sockopts/apply.h"
#include "sockopts/process_sockets.h"

namespace qsock::guard {

namespace {

// A process this young may still exec() QEMU (libvirt forks, then execs).
constexpr auto kYoung = std::chrono::seconds(5);
// How often every process's name is read again, however old.
// (And at once when a namespace shows a connection no known QEMU owns.)
constexpr auto kFullRefresh = std::chrono::seconds(5);
// A namespace whose TCP counters stand still is dumped this often all the same.
constexpr auto kDumpAnyway = std::chrono::seconds(10);
// Looks at an inode with no QEMU owner before it counts as someone else's
// (an accepted connection's fd appears in QEMU just after its inode).
constexpr int kOwnerLooks = 3;

// inode -> fd number, for the process's socket descriptors.
std::map<std::uint64_t, int> socket_fds(pid_t pid) {
  std::map<std::uint64_t, int> out;
  std::string dir_path = fmt::format("/proc/{}/fd", pid);
  DIR* dir = ::opendir(dir_path.c_str());
  if (!dir) return out;
  while (dirent* d = ::readdir(dir)) {
    std::string_view name = d->d_name;
    int fd = -1;
    auto [p, ec] = std::from_chars(name.data(), name.data() + name.size(), fd);
    if (ec != std::errc() || p != name.data() + name.size()) continue;
    char link[64] = {};
    ssize_t n = ::readlinkat(::dirfd(dir), d->d_name, link, sizeof link - 1);
    if (n <= 0) continue;
    if (auto inode = socket_inode(std::string_view(link, static_cast<std::size_t>(n))))
      out.emplace(*inode, fd);
  }
  ::closedir(dir);
  return out;
}

Microseconds since(Guard::Clock::time_point from, Guard::Clock::time_point to) {
  return std::chrono::duration_cast<Microseconds>(to - from);
}

}  // namespace

std::optional<pid_t> read_pid_file(const std::string& path) {
  std::ifstream in(path);
  pid_t pid = 0;
  if (!(in >> pid) || pid <= 0) return std::nullopt;
  return pid;
}

Guard::Guard(Policy policy, GuardSettings settings)
    : policy_(std::move(policy)), settings_(settings), credentials_(own_credentials()) {
  counters_.interval = std::chrono::duration_cast<Microseconds>(settings.interval);
}

QemuRef Guard::ref_of(const Qemu& q) const {
  return QemuRef{q.process.pid, q.process.name, q.process.domain};
}

void Guard::add_qemu(QemuProcess p, std::vector<Event>& events) {
  Qemu q;
  q.declared = declared_ports(p.argv);
  if (auto pidfd = sockopts::open_pidfd(p.pid))
    q.pidfd = std::move(*pidfd);
  else
    q.pidfd_error = pidfd.error().text();
  pid_t pid = p.pid;
  std::uint64_t netns = p.netns;
  q.process = std::move(p);
  Event e;
  e.type = EventType::qemu_found;
  e.qemu = ref_of(q);
  events.push_back(e);
  // Its sockets are found through /proc/PID/fd: unreadable, the guard would
  // never see one of them, so it says so once, here.
  if (DIR* dir = ::opendir(fmt::format("/proc/{}/fd", pid).c_str()))
    ::closedir(dir);
  else if (errno == EACCES || errno == EPERM)
    q.access_error = fmt::format("cannot list /proc/{}/fd: {}", pid, std::strerror(errno));
  if (!q.access_error.empty() || !q.pidfd.valid()) {
    e.type = EventType::failed;
    e.error = q.access_error.empty() ? q.pidfd_error : q.access_error;
    e.hint = missing_permission(credentials_, q.process.uid);
    events.push_back(std::move(e));
  }
  auto [ns, created] = namespaces_.try_emplace(netns);
  if (created) ns->second.sockets = std::make_unique<NetnsSockets>(pid);
  ns->second.pending = true;  // its connections may be there already: dump now
  qemus_.insert_or_assign(pid, std::move(q));
  foreign_.clear();  // the new QEMU may own what had no owner
}

void Guard::refresh_processes(Clock::time_point now, std::vector<Event>& events) {
  bool full = unowned_ || now - last_full_refresh_ >= kFullRefresh;
  if (full) last_full_refresh_ = now;
  unowned_ = false;
  std::vector<pid_t> pids = all_pids();
  // Gone: QEMUs (and their connections), other processes.
  for (auto it = qemus_.begin(); it != qemus_.end();) {
    if (std::binary_search(pids.begin(), pids.end(), it->first)) {
      ++it;
      continue;
    }
    Event e;
    e.type = EventType::qemu_gone;
    e.qemu = ref_of(it->second);
    events.push_back(std::move(e));
    std::vector<std::uint64_t> gone;
    for (const auto& [inode, t] : tracked_)
      if (t.pid == it->first) gone.push_back(inode);
    for (std::uint64_t inode : gone) forget(inode);
    it = qemus_.erase(it);
  }
  for (auto it = others_.begin(); it != others_.end();)
    it =
        std::binary_search(pids.begin(), pids.end(), it->first) ? std::next(it) : others_.erase(it);
  // New, and those that may have become QEMU since.
  for (pid_t pid : pids) {
    if (qemus_.count(pid)) continue;
    auto other = others_.find(pid);
    if (other != others_.end()) {
      if (!full && now - other->second.first_seen > kYoung) continue;
      auto comm = process_comm(pid);
      if (!comm || (!is_qemu_name(*comm) && !is_loader_name(*comm))) continue;
    }
    if (auto q = read_qemu_process(pid)) {
      if (other != others_.end()) others_.erase(other);
      add_qemu(std::move(*q), events);
    } else if (other == others_.end()) {
      others_.emplace(pid, Other{now});
    }
  }
  // Namespaces without a QEMU are closed; a namespace's member must be alive.
  for (auto it = namespaces_.begin(); it != namespaces_.end();) {
    auto member = std::find_if(qemus_.begin(), qemus_.end(),
                               [&](const auto& q) { return q.second.process.netns == it->first; });
    if (member == qemus_.end()) {
      it = namespaces_.erase(it);
    } else {
      it->second.sockets->set_member(member->first);
      ++it;
    }
  }
  counters_.qemu_processes = qemus_.size();
}

void Guard::forget(std::uint64_t inode) {
  auto it = tracked_.find(inode);
  if (it == tracked_.end()) return;
  const Tracked& t = it->second;
  if (t.ref.kind == Kind::migration) {
    auto key = std::make_pair(t.pid, t.channel_port);
    if (--migration_channels_[key] <= 0) migration_channels_.erase(key);
  }
  KindCounters& k = counters_.kinds[t.ref.kind];
  if (k.current > 0) --k.current;
  tracked_.erase(it);
}

std::vector<Event> Guard::tick() {
  std::vector<Event> events;
  auto start = Clock::now();
  refresh_processes(start, events);
  std::set<std::uint64_t> alive;
  for (auto& [netns, ns] : namespaces_) scan_namespace(netns, ns, start, alive, events);
  std::vector<std::uint64_t> closed;
  for (const auto& [inode, t] : tracked_)
    if (!alive.count(inode)) closed.push_back(inode);
  for (std::uint64_t inode : closed) forget(inode);
  for (auto it = foreign_.begin(); it != foreign_.end();)
    it = alive.count(it->first) ? std::next(it) : foreign_.erase(it);
  for (auto& [inode, t] : tracked_) {
    if (!t.redecided) continue;
    t.redecided = false;
    Event e = settle(qemus_.at(t.pid), t);
    counters_.count(e.type, t.ref.kind);
    events.push_back(std::move(e));
  }
  auto end = Clock::now();
  if (end - last_verify_ >= settings_.verify_interval) {
    last_verify_ = end;
    if (!first_tick_) verify(events);
  }
  first_tick_ = false;
  counters_.last_scan = since(start, end);
  counters_.slowest_scan = std::max(counters_.slowest_scan, counters_.last_scan);
  counters_.last_scan_unix_seconds =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  return events;
}

void Guard::scan_namespace(std::uint64_t netns, Namespace& ns, Clock::time_point now,
                           std::set<std::uint64_t>& alive, std::vector<Event>& events) {
  auto looked_at = Clock::now();
  std::optional<std::uint64_t> opens = ns.sockets->tcp_opens();
  // Nothing opened or closed since the last dump, nothing half made then:
  // the dump would show the same connections.
  if (ns.previous_look && !ns.pending && opens && opens == ns.opens &&
      now - ns.last_dump < kDumpAnyway) {
    alive.insert(ns.established.begin(), ns.established.end());
    ns.previous_look = looked_at;
    return;
  }
  auto rows = ns.sockets->list();
  if (!rows) return;  // its member just exited: the next tick has another or none
  ns.last_dump = now;
  ns.opens = opens;
  ns.pending = false;
  ns.established.clear();
  std::set<std::uint16_t> listening;
  for (const auto& r : *rows)
    if (r.state == sockopts::TcpState::listen) listening.insert(r.local.port);
  std::vector<const sockopts::TcpDiagRow*> fresh;
  for (const auto& r : *rows) {
    if (r.state == sockopts::TcpState::syn_sent) ns.pending = true;
    if (r.state != sockopts::TcpState::established) continue;
    if (r.inode == 0) {  // accepted, not yet accept()ed: no owner yet
      ns.pending = true;
      continue;
    }
    alive.insert(r.inode);
    ns.established.push_back(r.inode);
    if (tracked_.count(r.inode)) continue;
    if (auto f = foreign_.find(r.inode); f != foreign_.end() && f->second >= kOwnerLooks) continue;
    fresh.push_back(&r);
  }
  if (!fresh.empty()) {
    // Lower inodes were made first: a migration's main channel before the others.
    std::sort(fresh.begin(), fresh.end(), [](auto* a, auto* b) { return a->inode < b->inode; });
    std::map<std::uint64_t, std::pair<pid_t, int>> owners;
    for (const auto& [pid, q] : qemus_)
      if (q.process.netns == netns)
        for (const auto& [inode, fd] : socket_fds(pid))
          owners.emplace(inode, std::make_pair(pid, fd));
    for (const auto* r : fresh) {
      auto owner = owners.find(r->inode);
      if (owner == owners.end()) {
        if (++foreign_[r->inode] < kOwnerLooks) {
          ns.pending = true;  // look again next tick,
          unowned_ = true;    // and at every process: one may have become QEMU
        }
        continue;
      }
      foreign_.erase(r->inode);
      const Qemu& q = qemus_.at(owner->second.first);
      handle_new(q, owner->second.second, *r, listening.count(r->local.port) > 0, ns.previous_look,
                 events);
    }
  }
  ns.previous_look = looked_at;
}

void Guard::handle_new(const Qemu& q, int fd, const sockopts::TcpDiagRow& row, bool accepted,
                       const std::optional<Clock::time_point>& previous_look,
                       std::vector<Event>& events) {
  Tracked t;
  t.pid = q.process.pid;
  t.ref.fd = fd;
  t.ref.inode = row.inode;
  t.ref.local = row.local;
  t.ref.peer = row.remote;
  t.ref.kind = classify(q.declared, row.local.port, row.remote.port, accepted);
  if (t.ref.kind == Kind::migration) {
    t.channel_port = accepted ? row.local.port : row.remote.port;
    int& open = migration_channels_[{t.pid, t.channel_port}];
    t.ref.channel = open == 0 ? Channel::main : Channel::extra;
    ++open;
  }
  t.facts = ConnectionFacts{row.local, row.remote,     t.ref.kind,       t.ref.channel,
                            t.pid,     q.process.name, q.process.domain, q.process.cgroup};
  t.decision = decide(policy_, t.facts, read_pid_file);
  KindCounters& k = counters_.kinds[t.ref.kind];
  ++k.seen;
  ++k.current;
  Event e = settle(q, t);
  if (previous_look && (e.type == EventType::bounded || e.type == EventType::already_bounded)) {
    e.latency = since(*previous_look, Clock::now());
    counters_.reaction_max = std::max(counters_.reaction_max, *e.latency);
  }
  counters_.count(e.type, t.ref.kind);
  events.push_back(std::move(e));
  tracked_.insert_or_assign(row.inode, std::move(t));
}

Event Guard::settle(const Qemu& q, Tracked& t) {
  Event e;
  e.qemu = ref_of(q);
  e.connection = t.ref;
  e.rule = t.decision.because;
  auto done = [&](EventType type, State state) {
    e.type = type;
    t.state = state;
    return e;
  };
  if (t.decision.ignore) return done(EventType::ignored, State::ignored);
  e.wanted = t.decision.options;
  if (!q.pidfd.valid()) {
    e.error = q.pidfd_error;
    return done(EventType::failed, State::failed);
  }
  auto dup = sockopts::duplicate_fd(q.pidfd.get(), t.ref.fd);
  if (!dup) {
    e.error = dup.error().message + ": " + std::strerror(dup.error().errnum);
    e.hint = dup.error().errnum == EPERM ? missing_permission(credentials_, q.process.uid)
                                         : dup.error().hint;
    return done(EventType::failed, State::failed);
  }
  constexpr auto exact = sockopts::Semantics::exact;
  // Already as wanted (another guard, qsock migrate, QEMU's own options): leave it.
  auto before = sockopts::read_options(dup->get());
  if (before && sockopts::differences(t.decision.options, *before, exact).empty()) {
    e.options = *before;
    return done(EventType::already_bounded, State::already_bounded);
  }
  if (auto applied = sockopts::apply_options(dup->get(), t.decision.options, exact); !applied) {
    e.error = applied.error().text();
    e.hint = applied.error().hint;
    return done(EventType::failed, State::failed);
  }
  auto after = sockopts::read_options(dup->get());
  if (!after) {
    e.error = after.error().text();
    return done(EventType::failed, State::failed);
  }
  e.options = *after;
  e.differences = sockopts::differences(t.decision.options, *after, exact);
  if (!e.differences.empty()) {
    e.error = "the socket does not hold what was set";
    return done(EventType::failed, State::failed);
  }
  return done(EventType::bounded, State::bounded);
}

void Guard::set_policy(Policy policy) {
  policy_ = std::move(policy);
  for (auto& [inode, t] : tracked_) {
    Decision d = decide(policy_, t.facts, read_pid_file);
    t.redecided = d.ignore != t.decision.ignore || !(d.options == t.decision.options);
    t.decision = std::move(d);
  }
}

void Guard::verify(std::vector<Event>& events) {
  for (auto& [inode, t] : tracked_) {
    if (t.state != State::bounded && t.state != State::already_bounded) continue;
    auto q = qemus_.find(t.pid);
    if (q == qemus_.end() || !q->second.pidfd.valid()) continue;
    auto dup = sockopts::duplicate_fd(q->second.pidfd.get(), t.ref.fd);
    if (!dup) continue;  // closed since the scan: the next one forgets it
    // The fd number may name another socket by now.
    struct stat st {};
    if (::fstat(dup->get(), &st) != 0 || st.st_ino != inode) continue;
    auto effective = sockopts::read_options(dup->get());
    if (!effective) continue;
    auto diffs = sockopts::differences(t.decision.options, *effective, sockopts::Semantics::exact);
    if (diffs.empty()) {
      t.last_changed.reset();
      continue;
    }
    bool said = t.last_changed == *effective;
    t.last_changed = *effective;
    if (said && !t.decision.enforce) continue;
    Event e;
    e.type = EventType::changed;
    e.qemu = ref_of(q->second);
    e.connection = t.ref;
    e.rule = t.decision.because;
    e.wanted = t.decision.options;
    e.options = *effective;
    e.differences = diffs;
    if (!said) {
      counters_.count(EventType::changed, t.ref.kind);
      events.push_back(e);
    }
    if (!t.decision.enforce) continue;
    Event r = e;
    r.type = EventType::reapplied;
    r.differences.clear();
    if (auto applied =
            sockopts::apply_options(dup->get(), t.decision.options, sockopts::Semantics::exact);
        !applied) {
      r.type = EventType::failed;
      r.error = applied.error().text();
      r.hint = applied.error().hint;
    } else if (auto after = sockopts::read_options(dup->get())) {
      r.options = *after;
      r.differences = sockopts::differences(t.decision.options, *after, sockopts::Semantics::exact);
      if (r.differences.empty()) t.last_changed.reset();
    }
    events.push_back(std::move(r));
  }
}

}  // namespace qsock::guard
