#include "qmp/libvirt_link.h"

#include <cstdlib>

#include "qmp/connection.h"

#if QSOCK_HAVE_LIBVIRT
#include <dirent.h>
#include <libvirt/libvirt-qemu.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <charconv>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "base/file_text.h"
#endif

namespace qsock::qmp {

std::string default_libvirt_uri() {
  const char* env = std::getenv("LIBVIRT_DEFAULT_URI");
  return env != nullptr && *env != '\0' ? env : "qemu:///system";
}

#if !QSOCK_HAVE_LIBVIRT

bool libvirt_compiled_in() { return false; }

struct LibvirtLink::State {};

Result<std::shared_ptr<LibvirtLink>> LibvirtLink::open(const std::string&, const std::string&,
                                                       Deadline) {
  return fail(ErrorKind::invalid,
              "this qsock was built without libvirt (libvirt-dev was not found at build time): "
              "--domain is not available; reach the QEMU by its monitor socket (-s), or rebuild "
              "with libvirt-dev installed");
}
LibvirtLink::LibvirtLink(std::shared_ptr<State> state) : state_(std::move(state)) {}
LibvirtLink::~LibvirtLink() = default;
Result<Json> LibvirtLink::command(const Json&, Deadline, int) {
  return fail(ErrorKind::invalid, "built without libvirt");
}
Result<std::vector<Json>> LibvirtLink::events(Deadline) {
  return fail(ErrorKind::invalid, "built without libvirt");
}
std::optional<pid_t> LibvirtLink::qemu_pid(Role) const { return std::nullopt; }
Result<void> LibvirtLink::migrate(const LibvirtMigrateRequest&) {
  return fail(ErrorKind::invalid, "built without libvirt");
}
Result<Json> LibvirtLink::job_stats(bool, Deadline) {
  return fail(ErrorKind::invalid, "built without libvirt");
}
Result<void> LibvirtLink::abort_job(Deadline) {
  return fail(ErrorKind::invalid, "built without libvirt");
}
Result<std::string> LibvirtLink::state(Deadline) {
  return fail(ErrorKind::invalid, "built without libvirt");
}
const std::string& LibvirtLink::domain_name() const {
  static const std::string none;
  return none;
}
const std::string& LibvirtLink::uri() const { return domain_name(); }

#else

bool libvirt_compiled_in() { return true; }

struct LibvirtLink::State {
  virConnectPtr conn = nullptr;
  virDomainPtr dom = nullptr;
  std::string uri;
  std::string name;
  std::string uuid;
  int callback_id = -1;
  bool abandoned = false;  // a call timed out and may still use conn and dom
  std::mutex mutex;
  std::deque<Json> events;  // guarded by mutex
};

namespace {

// libvirt's last error in this thread, as one line.
std::string last_libvirt_error(std::string_view fallback) {
  const char* m = virGetLastErrorMessage();
  return m != nullptr && *m != '\0' ? std::string(m) : std::string(fallback);
}

// Runs `call` (a blocking libvirt call) on a thread of its own and waits
// for it until `deadline`; on expiry the call is abandoned to finish alone
// (its result is dropped) and a timeout is returned.
template <typename T, typename Call>
Result<T> bounded(Deadline deadline, std::string_view awaiting, Call call) {
  struct Shared {
    std::mutex mutex;
    std::condition_variable done;
    std::optional<Result<T>> result;
  };
  auto shared = std::make_shared<Shared>();
  std::thread([shared, call = std::move(call)]() mutable {
    Result<T> r = call();
    std::lock_guard<std::mutex> lock(shared->mutex);
    shared->result = std::move(r);
    shared->done.notify_all();
  }).detach();
  std::unique_lock<std::mutex> lock(shared->mutex);
  auto ready = [&] { return shared->result.has_value(); };
  if (deadline.is_never())
    shared->done.wait(lock, ready);
  else if (!shared->done.wait_for(lock, deadline.remaining(), ready))
    return tl::unexpected(timeout_error(deadline, awaiting));
  return std::move(*shared->result);
}

void on_qemu_event(virConnectPtr, virDomainPtr, const char* event, long long seconds,
                   unsigned int micros, const char* details, void* opaque) {
  auto* state = static_cast<LibvirtLink::State*>(opaque);
  Json message = Json::object();
  message["event"] = event != nullptr ? event : "";
  Json data = Json::object();
  if (details != nullptr && *details != '\0') {
    data = Json::parse(details, nullptr, false);
    if (data.is_discarded()) data = Json(details);
  }
  message["data"] = std::move(data);
  message["timestamp"] = {{"seconds", seconds}, {"microseconds", micros}};
  std::lock_guard<std::mutex> lock(state->mutex);
  state->events.push_back(std::move(message));
}

void register_event_loop_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    virEventRegisterDefaultImpl();
    // libvirt prints every error on stderr by default; qsock words its own.
    virSetErrorFunc(nullptr, [](void*, virErrorPtr) {});
  });
}

virDomainPtr find_domain(virConnectPtr conn, const std::string& domain) {
  // As virsh: a name first, then a UUID, then an id.
  if (virDomainPtr d = virDomainLookupByName(conn, domain.c_str())) return d;
  if (virDomainPtr d = virDomainLookupByUUIDString(conn, domain.c_str())) return d;
  int id = 0;
  auto [p, ec] = std::from_chars(domain.data(), domain.data() + domain.size(), id);
  if (ec == std::errc() && p == domain.data() + domain.size())
    if (virDomainPtr d = virDomainLookupByID(conn, id)) return d;
  return nullptr;
}

// A URI for this host's daemon: no host part (qemu:///system,
// qemu+unix:///system?socket=...).
bool is_local_uri(std::string_view uri) {
  auto scheme_end = uri.find("://");
  return scheme_end != std::string_view::npos && uri.substr(scheme_end + 3).starts_with("/");
}

}  // namespace

Result<std::shared_ptr<LibvirtLink>> LibvirtLink::open(const std::string& uri,
                                                       const std::string& domain,
                                                       Deadline deadline) {
  register_event_loop_once();
  auto state = std::make_shared<State>();
  state->uri = uri;
  auto opened =
      bounded<bool>(deadline, fmt::format("libvirt at {}", uri), [state, domain]() -> Result<bool> {
        state->conn = virConnectOpen(state->uri.c_str());
        if (state->conn == nullptr)
          return fail(ErrorKind::connect,
                      fmt::format("cannot connect to libvirt at {}: {}", state->uri,
                                  last_libvirt_error("no reason given")));
        state->dom = find_domain(state->conn, domain);
        if (state->dom == nullptr)
          return fail(ErrorKind::connect,
                      fmt::format("libvirt at {} has no domain '{}' (name, UUID or id; "
                                  "virsh -c {} list --all lists them)",
                                  state->uri, domain, state->uri));
        if (const char* n = virDomainGetName(state->dom)) state->name = n;
        char uuid[VIR_UUID_STRING_BUFLEN] = {};
        if (virDomainGetUUIDString(state->dom, uuid) == 0) state->uuid = uuid;
        if (virDomainIsActive(state->dom) != 1)
          return fail(ErrorKind::connect,
                      fmt::format("libvirt domain '{}' is not running: it has no QEMU to reach",
                                  state->name));
        state->callback_id = virConnectDomainQemuMonitorEventRegister(
            state->conn, state->dom, nullptr, on_qemu_event, state.get(), nullptr, 0);
        if (state->callback_id < 0)
          return fail(ErrorKind::connect,
                      fmt::format("libvirt at {} did not register for QEMU's events: {}",
                                  state->uri, last_libvirt_error("no reason given")));
        return true;
      });
  if (!opened) {
    state->abandoned = opened.error().kind == ErrorKind::timeout;
    // Free what was made, unless the call may still be using it.
    if (!state->abandoned) {
      if (state->dom != nullptr) virDomainFree(state->dom);
      if (state->conn != nullptr) virConnectClose(state->conn);
      state->dom = nullptr;
      state->conn = nullptr;
    }
    return tl::unexpected(opened.error());
  }
  return std::shared_ptr<LibvirtLink>(new LibvirtLink(std::move(state)));
}

LibvirtLink::LibvirtLink(std::shared_ptr<State> state) : state_(std::move(state)) {}

LibvirtLink::~LibvirtLink() {
  if (state_->abandoned) return;  // a call may still be under way: leave it all
  if (state_->callback_id >= 0)
    virConnectDomainQemuMonitorEventDeregister(state_->conn, state_->callback_id);
  if (state_->dom != nullptr) virDomainFree(state_->dom);
  if (state_->conn != nullptr) virConnectClose(state_->conn);
}

Result<Json> LibvirtLink::command(const Json& request, Deadline deadline, int fd_to_pass) {
  std::string command_name = request.value("execute", std::string("?"));
  auto state = state_;
  std::string text = dump_json(request);
  auto reply = bounded<std::string>(
      deadline, fmt::format("the reply to '{}' from libvirt", command_name),
      [state, text, fd_to_pass, command_name]() -> Result<std::string> {
        char* result = nullptr;
        int rc = 0;
        if (fd_to_pass >= 0) {
          int fds[1] = {fd_to_pass};
          rc = virDomainQemuMonitorCommandWithFiles(state->dom, text.c_str(), 1, fds, nullptr,
                                                    nullptr, &result, 0);
        } else {
          rc = virDomainQemuMonitorCommand(state->dom, text.c_str(), &result, 0);
        }
        if (rc < 0)
          return fail(ErrorKind::connect,
                      fmt::format("libvirt did not pass '{}' to domain '{}': {}", command_name,
                                  state->name, last_libvirt_error("no reason given")));
        std::string out = result != nullptr ? result : "";
        std::free(result);  // NOLINT(cppcoreguidelines-no-malloc): libvirt allocates it
        return out;
      });
  if (!reply) {
    if (reply.error().kind == ErrorKind::timeout) state_->abandoned = true;
    return tl::unexpected(reply.error());
  }
  Json parsed = Json::parse(*reply, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object())
    return fail(ErrorKind::protocol, fmt::format("libvirt passed back a reply that is not a JSON "
                                                 "object: {}",
                                                 reply->substr(0, 200)));
  return parsed;
}

Result<std::vector<Json>> LibvirtLink::events(Deadline deadline) {
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(state_->mutex);
      if (!state_->events.empty()) {
        std::vector<Json> out(std::make_move_iterator(state_->events.begin()),
                              std::make_move_iterator(state_->events.end()));
        state_->events.clear();
        return out;
      }
    }
    if (deadline.expired()) return std::vector<Json>{};
    // One turn of libvirt's event loop, woken at the deadline at the latest
    // (and every second, to notice a connection that went away).
    int wait_ms = deadline.is_never()
                      ? 1000
                      : static_cast<int>(std::min<long long>(deadline.remaining().count(), 1000));
    int timer = virEventAddTimeout(
        wait_ms, [](int, void*) {}, nullptr, nullptr);
    int rc = virEventRunDefaultImpl();
    if (timer >= 0) virEventRemoveTimeout(timer);
    if (rc < 0)
      return fail(ErrorKind::connect, fmt::format("libvirt's event loop failed: {}",
                                                  last_libvirt_error("no reason given")));
    if (virConnectIsAlive(state_->conn) != 1)
      return fail(ErrorKind::protocol,
                  fmt::format("the connection to libvirt at {} closed while awaiting an event",
                              state_->uri));
  }
}

std::optional<pid_t> LibvirtLink::qemu_pid(Role role) const {
  if (!is_local_uri(state_->uri) || state_->uuid.empty()) return std::nullopt;
  // libvirt starts QEMU with "-uuid UUID": that argument pair names it.
  std::string needle = std::string("-uuid") + '\0' + state_->uuid + '\0';
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return std::nullopt;
  std::optional<pid_t> found;
  while (dirent* d = ::readdir(proc)) {
    pid_t pid = 0;
    std::string_view name = d->d_name;
    auto [p, ec] = std::from_chars(name.data(), name.data() + name.size(), pid);
    if (ec != std::errc() || p != name.data() + name.size()) continue;
    std::string cmdline = read_file_text("/proc/" + std::string(name) + "/cmdline").value_or("");
    if (cmdline.find(needle) == std::string::npos) continue;
    bool incoming = cmdline.find(std::string("\0-incoming\0", 11)) != std::string::npos;
    if ((role == Role::incoming && !incoming) || (role == Role::running && incoming)) continue;
    found = pid;
    break;
  }
  ::closedir(proc);
  return found;
}

Result<void> LibvirtLink::migrate(const LibvirtMigrateRequest& request) {
  virTypedParameterPtr params = nullptr;
  int count = 0;
  int capacity = 0;
  virTypedParamsAddString(&params, &count, &capacity, VIR_MIGRATE_PARAM_URI,
                          request.migrate_uri.c_str());
  if (request.bandwidth_mib)
    virTypedParamsAddULLong(&params, &count, &capacity, VIR_MIGRATE_PARAM_BANDWIDTH,
                            *request.bandwidth_mib);
  int rc = virDomainMigrateToURI3(state_->dom, request.dest_uri.c_str(), params,
                                  static_cast<unsigned int>(count),
                                  VIR_MIGRATE_LIVE | VIR_MIGRATE_PEER2PEER);
  std::string why = rc < 0 ? last_libvirt_error("no reason given") : "";
  virTypedParamsFree(params, count);
  if (rc < 0) return fail(ErrorKind::qemu, why);
  return {};
}

Result<Json> LibvirtLink::job_stats(bool completed, Deadline deadline) {
  auto state = state_;
  return bounded<Json>(deadline, "libvirt's job statistics", [state, completed]() -> Result<Json> {
    int type = 0;
    virTypedParameterPtr params = nullptr;
    int count = 0;
    if (virDomainGetJobStats(state->dom, &type, &params, &count,
                             completed ? VIR_DOMAIN_JOB_STATS_COMPLETED : 0) < 0)
      return fail(ErrorKind::connect, "virDomainGetJobStats: " + last_libvirt_error("failed"));
    Json out = Json::object();
    out["type"] = type;
    for (int i = 0; i < count; ++i) {
      const virTypedParameter& p = params[i];
      switch (p.type) {
        case VIR_TYPED_PARAM_INT:
          out[p.field] = p.value.i;
          break;
        case VIR_TYPED_PARAM_UINT:
          out[p.field] = p.value.ui;
          break;
        case VIR_TYPED_PARAM_LLONG:
          out[p.field] = p.value.l;
          break;
        case VIR_TYPED_PARAM_ULLONG:
          out[p.field] = p.value.ul;
          break;
        case VIR_TYPED_PARAM_DOUBLE:
          out[p.field] = p.value.d;
          break;
        case VIR_TYPED_PARAM_BOOLEAN:
          out[p.field] = p.value.b != 0;
          break;
        case VIR_TYPED_PARAM_STRING:
          out[p.field] = p.value.s != nullptr ? p.value.s : "";
          break;
        default:
          break;
      }
    }
    virTypedParamsFree(params, count);
    return out;
  });
}

Result<void> LibvirtLink::abort_job(Deadline deadline) {
  auto state = state_;
  auto done = bounded<bool>(deadline, "libvirt to abort the job", [state]() -> Result<bool> {
    if (virDomainAbortJob(state->dom) < 0)
      return fail(ErrorKind::qemu, "virDomainAbortJob: " + last_libvirt_error("failed"));
    return true;
  });
  if (!done) return tl::unexpected(done.error());
  return {};
}

Result<std::string> LibvirtLink::state(Deadline deadline) {
  auto state = state_;
  return bounded<std::string>(deadline, "the domain's state from libvirt",
                              [state]() -> Result<std::string> {
                                int s = 0;
                                int reason = 0;
                                if (virDomainGetState(state->dom, &s, &reason, 0) < 0)
                                  return std::string("gone");
                                switch (s) {
                                  case VIR_DOMAIN_RUNNING:
                                    return std::string("running");
                                  case VIR_DOMAIN_BLOCKED:
                                    return std::string("blocked");
                                  case VIR_DOMAIN_PAUSED:
                                    return std::string("paused");
                                  case VIR_DOMAIN_SHUTDOWN:
                                    return std::string("shutting down");
                                  case VIR_DOMAIN_SHUTOFF:
                                    return std::string("shut off");
                                  case VIR_DOMAIN_CRASHED:
                                    return std::string("crashed");
                                  case VIR_DOMAIN_PMSUSPENDED:
                                    return std::string("pmsuspended");
                                  default:
                                    return std::string("unknown");
                                }
                              });
}

const std::string& LibvirtLink::domain_name() const { return state_->name; }
const std::string& LibvirtLink::uri() const { return state_->uri; }

#endif

}  // namespace qsock::qmp
