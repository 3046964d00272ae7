// A QMP peer that behaves like a QEMU carrying the proposed migration patches
// (netpass, backend-transfer or fds, local-char-socket, user-timeout), for
// testing qsock against features no released QEMU has.
//
//   fake_qemu --socket PATH --schema FILE [--version X.Y.Z] [--lifetime S]
//             [--migration-ms N] [--fail-after-ms N] [--error-desc TEXT] [--hang]
//             [--incoming defer] [--paused] [--log FILE]
//
//   --socket PATH       a QMP UNIX socket to listen on (repeatable: one monitor
//                       each, as QEMU's -qmp); each monitor serves its clients
//                       one after another, events go to every monitor
//   --schema FILE       the query-qmp-schema reply to serve (tests/data/proposed-
//                       qmp-schema*.json). Everything accepted follows from it:
//                       commands, argument types, capability names (the
//                       MigrationCapability enum), parameter names and types
//   --version X.Y.Z     the version in the greeting and query-version (11.0.0)
//   --lifetime S        exits after S seconds whatever happens (60)
//   --migration-ms N    how long a scripted migration takes (2000); see
//                       fake_qemu_migration.h for its timeline
//   --fail-after-ms N   the migration fails N ms after migrate (it never
//   --error-desc TEXT   completes), with this error-desc; a stopped source resumes
//   --hang              the migration stays active until migrate_cancel
//   --incoming defer    starts in inmigrate, waiting for migrate-incoming; that
//                       runs the destination's timeline (setup, active,
//                       completed after --migration-ms; then running unless
//                       --paused)
//   --paused            starts paused (prelaunch), as QEMU -S
//   --log FILE          appends a line per negotiated client ("qmp_capabilities
//                       on PATH": a test knows its events client is listening),
//                       per fd received ("getfd NAME unix stream") and per
//                       migrate ("migrate fd:NAME wrote 8 bytes to a unix
//                       stream socket")
//
// Enforced as QEMU does: capabilities negotiation, id echo, CommandNotFound,
// argument types (GenericError with the validator's QEMU wording), the
// capability rules of migration/options.c, "There's a migration process in
// progress", getfd's SCM_RIGHTS requirement. Beyond QEMU: backend-transfer
// (or fds) and local-char-socket need a UNIX migration channel (unix:, or an
// fd:NAME that is a UNIX socket). MIGRATION and MIGRATION_PASS only with
// capability events; STOP/RESUME always. HMP (human-monitor-command): info
// status|migrate|migrate_capabilities|migrate_parameters, stop, cont,
// migrate_cancel; anything else answers "unknown command".
//
// Simplifications: a command must end with a newline (qmp/message_reader.h
// frames on it); input that is not JSON gets a GenericError and the client is
// dropped (QEMU would recover); migrate takes socket transports only and does
// not connect to a tcp/unix destination; with fd:NAME it writes the 8-byte
// stream header to the fd and closes it. migrate-incoming does not listen:
// its timeline runs by itself.
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fake_qemu_migration.h"
#include "qmp/introspect.h"
#include "qmp/message_reader.h"
#include "schema/validator.h"
#include "uri/migration_uri.h"

using qsock::Json;
namespace schema = qsock::schema;
namespace uri = qsock::uri;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::vector<std::string> sockets;
  std::string schema_file, log_file, incoming;
  int major = 11, minor = 0, micro = 0;
  int lifetime_s = 60;
  bool paused = false;
  fake_qemu::MigrationScript script;
};

// Parameter defaults (migration/options.c); a member the served schema has
// and this table lacks is reported only once set (block-bitmap-mapping, ...).
const std::map<std::string, Json>& parameter_defaults() {
  static const std::map<std::string, Json> d = {
      {"announce-initial", 50},
      {"announce-max", 550},
      {"announce-rounds", 5},
      {"announce-step", 100},
      {"throttle-trigger-threshold", 50},
      {"cpu-throttle-initial", 20},
      {"cpu-throttle-increment", 10},
      {"cpu-throttle-tailslow", false},
      {"tls-creds", ""},
      {"tls-hostname", ""},
      {"tls-authz", ""},
      {"max-bandwidth", 134217728},
      {"avail-switchover-bandwidth", 0},
      {"downtime-limit", 300},
      {"x-checkpoint-delay", 20000},
      {"multifd-channels", 2},
      {"xbzrle-cache-size", 67108864},
      {"max-postcopy-bandwidth", 0},
      {"max-cpu-throttle", 99},
      {"multifd-compression", "none"},
      {"multifd-zlib-level", 1},
      {"multifd-qatzip-level", 1},
      {"multifd-zstd-level", 1},
      {"x-vcpu-dirty-limit-period", 1000},
      {"vcpu-dirty-limit", 1},
      {"mode", "normal"},
      {"zero-page-detection", "multifd"},
      {"direct-io", false},
      // Released before 9.1 and still in a 7.2-derived schema.
      {"compress-level", 1},
      {"compress-threads", 8},
      {"compress-wait-thread", true},
      {"decompress-threads", 2},
  };
  return d;
}

// The capability rules of migrate_caps_check, with QEMU's messages.
struct Requires {
  const char* capability;
  const char* needs;
  const char* message;
};
constexpr Requires capability_requires[] = {
    {"postcopy-preempt", "postcopy-ram", "Postcopy preempt requires postcopy-ram"},
    {"x-colo", "return-path", "Capability 'x-colo' requires capability 'return-path'"},
    {"switchover-ack", "return-path",
     "Capability 'switchover-ack' requires capability 'return-path'"},
    {"netpass", "return-path", "Capability 'netpass' requires capability 'return-path'"},
};
struct Conflict {
  const char* a;
  const char* b;
  const char* message;
};
constexpr Conflict capability_conflicts[] = {
    {"multifd", "xbzrle", "Multifd is not compatible with xbzrle"},
    {"mapped-ram", "xbzrle", "Mapped-ram migration is incompatible with xbzrle"},
    {"mapped-ram", "postcopy-ram", "Mapped-ram migration is incompatible with postcopy"},
    {"postcopy-ram", "x-ignore-shared", "Postcopy is not compatible with ignore-shared"},
};
// Proposed features that need a UNIX socket migration channel.
constexpr const char* unix_only_parameters[] = {"backend-transfer", "fds"};
constexpr const char* unix_only_capabilities[] = {"local-char-socket"};

struct QmpError {
  std::string klass, desc;
};

Json error_reply(const QmpError& e) { return {{"error", {{"class", e.klass}, {"desc", e.desc}}}}; }

std::string socket_type(int fd) {
  int domain = 0, type = 0;
  socklen_t len = sizeof domain;
  if (::getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0) return "not-a-socket";
  len = sizeof type;
  ::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len);
  std::string d = domain == AF_UNIX    ? "unix"
                  : domain == AF_INET  ? "inet"
                  : domain == AF_INET6 ? "inet6"
                                       : "domain-" + std::to_string(domain);
  std::string t = type == SOCK_STREAM ? "stream" : type == SOCK_DGRAM ? "dgram" : "other";
  return d + " " + t;
}

class FakeQemu {
 public:
  FakeQemu(Options o, Json schema_json, schema::Schema schema, const std::vector<int>& listeners)
      : o_(std::move(o)),
        schema_json_(std::move(schema_json)),
        schema_(std::move(schema)),
        migration_(o_.script),
        run_state_(!o_.incoming.empty() ? "inmigrate"
                   : o_.paused          ? "prelaunch"
                                        : "running") {
    for (const auto& c : capability_names()) caps_[c] = false;
    monitors_.resize(listeners.size());
    for (std::size_t i = 0; i < listeners.size(); ++i) {
      monitors_[i].listener = listeners[i];
      monitors_[i].path = o_.sockets[i];
    }
  }

  // Serves the monitors until quit or the lifetime ends.
  void run();
  // Milliseconds until the next timeline step, -1 for none.
  int wait_ms() const {
    if (migration_.next_at() < 0) return -1;
    return static_cast<int>(std::max<std::int64_t>(0, migration_.next_at() - elapsed()));
  }

 private:
  // One QMP monitor socket (--socket), serving one client at a time.
  struct Monitor {
    std::string path;
    int listener = -1;
    int client = -1;
    qsock::qmp::MessageReader reader;
    bool negotiated = false;
    std::vector<int> received_fds;  // SCM_RIGHTS not yet claimed by getfd
  };
  void greet(Monitor& m);
  void serve(Monitor& m);
  void disconnect(Monitor& m);
  // Runs the migration timeline up to now; events go to every client.
  void tick();

  // --- schema lookups: what this QEMU has -----------------------------------
  const schema::TypeDef* ret_object(std::string_view command) const {
    const auto* c = schema_.find(command);
    if (!c || c->meta != schema::Meta::command) return nullptr;
    const auto* t = schema_.find(c->ret_type);
    if (t && t->meta == schema::Meta::array) t = schema_.find(t->element_type);
    return t;
  }
  std::vector<std::string> capability_names() const {
    std::vector<std::string> out;
    const auto* status = ret_object("query-migrate-capabilities");
    const auto* m = status ? schema_.member(*status, "capability") : nullptr;
    const auto* e = m ? schema_.find(m->type) : nullptr;
    if (e)
      for (const auto& v : e->values) out.push_back(v.name);
    return out;
  }
  std::vector<std::string> member_names(const schema::TypeDef* object) const {
    std::vector<std::string> out;
    if (object)
      for (const auto* m : schema_.members_of(*object)) out.push_back(m->name);
    return out;
  }
  std::vector<std::string> ram_stats_members() const {
    const auto* info = ret_object("query-migrate");
    const auto* ram = info ? schema_.member(*info, "ram") : nullptr;
    return member_names(ram ? schema_.find(ram->type) : nullptr);
  }

  // --- the connection -------------------------------------------------------
  static void send_to(int fd, const Json& message) {
    std::string text = message.dump(-1, ' ', true, Json::error_handler_t::replace) + "\r\n";
    std::string_view rest = text;
    while (fd >= 0 && !rest.empty()) {
      auto n = ::send(fd, rest.data(), rest.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      rest.remove_prefix(static_cast<std::size_t>(n));
    }
  }
  // To the client whose command is being handled.
  void send(const Json& message) { send_to(current_ ? current_->client : -1, message); }
  void event(std::string name, Json data = nullptr) {
    auto now = std::chrono::system_clock::now().time_since_epoch();
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(now).count();
    Json e = {{"timestamp", {{"seconds", us / 1000000}, {"microseconds", us % 1000000}}},
              {"event", std::move(name)}};
    if (!data.is_null()) e["data"] = std::move(data);
    for (const auto& m : monitors_)
      if (m.negotiated) send_to(m.client, e);  // none before qmp_capabilities
  }
  void set_run_state(std::string state, const char* event_name) {
    run_state_ = std::move(state);
    if (event_name) event(event_name);
  }
  std::int64_t elapsed() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - migration_start_)
        .count();
  }
  void apply(const std::vector<fake_qemu::Step>& steps);
  void log(const std::string& line) {
    if (o_.log_file.empty()) return;
    std::ofstream(o_.log_file, std::ios::app) << line << "\n";
  }

  // --- commands -------------------------------------------------------------
  void handle(const Json& command);
  std::optional<QmpError> check_arguments(const schema::TypeDef& cmd, const Json& args,
                                          Json& typed);
  Json dispatch(const std::string& name, const Json& args);
  Json query_status() const;
  Json query_capabilities() const;
  Json query_parameters() const;
  Json set_capabilities(const Json& args);
  Json set_parameters(const Json& args);
  Json getfd(const Json& args);
  Json closefd(const Json& args);
  Json migrate(const Json& args);
  Json migrate_incoming(const Json& args);
  Json hmp(const std::string& line);
  std::string info_migrate() const;

  Options o_;
  Json schema_json_;
  schema::Schema schema_;
  fake_qemu::Migration migration_;
  Clock::time_point migration_start_ = Clock::now();
  std::string run_state_;
  std::map<std::string, bool> caps_;
  Json parameters_ = Json::object();  // the values set, by name
  std::map<std::string, int> named_fds_;
  bool incoming_started_ = false;
  std::vector<Monitor> monitors_;
  Monitor* current_ = nullptr;
  bool quit_ = false;
  std::function<void()> after_reply_;  // what a command does once its reply is sent
};

void FakeQemu::apply(const std::vector<fake_qemu::Step>& steps) {
  for (const auto& s : steps) {
    switch (s.kind) {
      case fake_qemu::Step::changed:
        if (caps_["events"]) event("MIGRATION", {{"status", s.status}});
        if (s.status == "completed") run_state_ = migration_.incoming() ? "paused" : "postmigrate";
        break;
      case fake_qemu::Step::passed:
        if (caps_["events"]) event("MIGRATION_PASS", {{"pass", s.pass}});
        break;
      case fake_qemu::Step::stop_vm:
        set_run_state("finish-migrate", "STOP");
        break;
      case fake_qemu::Step::resume_vm:
        set_run_state("running", "RESUME");
        break;
    }
  }
}

void FakeQemu::tick() { apply(migration_.advance(elapsed())); }

Json FakeQemu::query_status() const {
  Json out = Json::object();
  bool running = run_state_ == "running";
  for (const auto& m : member_names(ret_object("query-status"))) {
    if (m == "status") out[m] = run_state_;
    if (m == "running") out[m] = running;
    if (m == "singlestep") out[m] = false;
  }
  return out;
}

Json FakeQemu::query_capabilities() const {
  Json out = Json::array();
  for (const auto& c : capability_names())
    out.push_back({{"capability", c}, {"state", caps_.at(c)}});
  return out;
}

Json FakeQemu::query_parameters() const {
  Json out = Json::object();
  for (const auto& m : member_names(ret_object("query-migrate-parameters"))) {
    if (parameters_.contains(m))
      out[m] = parameters_[m];
    else if (auto d = parameter_defaults().find(m); d != parameter_defaults().end())
      out[m] = d->second;
  }
  return out;
}

Json FakeQemu::set_capabilities(const Json& args) {
  if (migration_.in_progress())
    return error_reply({"GenericError", "There's a migration process in progress"});
  auto next = caps_;
  for (const auto& c : args["capabilities"]) next[c["capability"]] = c["state"].get<bool>();
  auto on = [&next](const char* name) {
    auto it = next.find(name);
    return it != next.end() && it->second;
  };
  for (const auto& r : capability_requires)
    if (on(r.capability) && !on(r.needs)) return error_reply({"GenericError", r.message});
  for (const auto& c : capability_conflicts)
    if (on(c.a) && on(c.b)) return error_reply({"GenericError", c.message});
  caps_ = std::move(next);
  return {{"return", Json::object()}};
}

Json FakeQemu::set_parameters(const Json& args) {
  for (const auto& [name, value] : args.items()) parameters_[name] = value;
  return {{"return", Json::object()}};
}

Json FakeQemu::getfd(const Json& args) {
  auto& received = current_->received_fds;
  if (received.empty())
    return error_reply({"GenericError", "No file descriptor supplied via SCM_RIGHTS"});
  int fd = received.front();
  received.erase(received.begin());
  std::string name = args["fdname"];
  if (auto old = named_fds_.find(name); old != named_fds_.end()) ::close(old->second);
  named_fds_[name] = fd;
  log("getfd " + name + " " + socket_type(fd));
  return {{"return", Json::object()}};
}

Json FakeQemu::closefd(const Json& args) {
  std::string name = args["fdname"];
  auto it = named_fds_.find(name);
  if (it == named_fds_.end())
    return error_reply({"GenericError", "File descriptor named '" + name + "' not found"});
  ::close(it->second);
  named_fds_.erase(it);
  return {{"return", Json::object()}};
}

Json FakeQemu::migrate(const Json& args) {
  // An incoming migration is not the outgoing one QEMU means by "in progress".
  if (run_state_ == "inmigrate")
    return error_reply({"GenericError", "Guest is waiting for an incoming migration"});
  if (migration_.in_progress())
    return error_reply({"GenericError", "There's a migration process in progress"});
  if (args.value("resume", false))  // there is no postcopy here to pause
    return error_reply({"GenericError", "Cannot resume if there is no paused migration"});
  bool has_uri = args.contains("uri"), has_channels = args.contains("channels");
  if (has_uri == has_channels)
    return error_reply({"GenericError", "migrate needs exactly one of 'uri' and 'channels'"});
  Json addr;
  if (has_uri) {
    auto parsed =
        uri::parse_migration_uri(args["uri"].get<std::string>(), schema::Target::newest(), schema_);
    if (!parsed.ok())
      return error_reply({"GenericError", parsed.diags.errors.empty()
                                              ? "Invalid migration URI"
                                              : parsed.diags.errors.front().message});
    addr = parsed.value;
  } else {
    if (args["channels"].size() != 1)
      return error_reply({"GenericError", "migrate takes exactly one channel"});
    addr = args["channels"][0]["addr"];
  }
  if (!addr.is_object() || addr.value("transport", "") != "socket")
    return error_reply({"GenericError", "fake_qemu migrates over sockets only"});
  std::string type = addr.value("type", "");
  int fd = -1;
  if (type == "fd") {
    std::string name = addr.value("str", "");
    auto it = named_fds_.find(name);
    if (it == named_fds_.end())
      return error_reply(
          {"GenericError", "File descriptor named '" + name + "' has not been found"});
    fd = it->second;
  }
  bool unix_channel = type == "unix" || (type == "fd" && socket_type(fd).starts_with("unix "));
  if (!unix_channel) {
    for (const char* p : unix_only_parameters)
      if (parameters_.contains(p) && !parameters_[p].empty())
        return error_reply({"GenericError", std::string("Migration parameter '") + p +
                                                "' requires a UNIX socket migration channel"});
    for (const char* c : unix_only_capabilities)
      if (caps_.contains(c) && caps_[c])
        return error_reply({"GenericError", std::string("Capability '") + c +
                                                "' requires a UNIX socket migration channel"});
  }
  if (fd >= 0) {
    // The migration stream's magic and version, so the reader sees something.
    constexpr char header[] = {'Q', 'E', 'V', 'M', 0, 0, 0, 3};
    auto n = ::send(fd, header, sizeof header, MSG_NOSIGNAL | MSG_DONTWAIT);
    std::string name = addr.value("str", "");
    log("migrate fd:" + name + " wrote " + std::to_string(n < 0 ? 0 : n) + " bytes to a " +
        socket_type(fd) + " socket");
    ::close(fd);  // migrate consumes the named fd
    named_fds_.erase(name);
  } else {
    log("migrate " + type);
  }
  migration_start_ = Clock::now();
  // The reply comes before the first event.
  after_reply_ = [this] { apply(migration_.start(run_state_ == "running")); };
  return {{"return", Json::object()}};
}

Json FakeQemu::migrate_incoming(const Json& args) {
  if (o_.incoming != "defer")
    return error_reply({"GenericError", "'-incoming' was not specified on the command line"});
  if (incoming_started_)
    return error_reply({"GenericError", "The incoming migration has already been started"});
  if (args.contains("uri") == args.contains("channels"))
    return error_reply(
        {"GenericError", "migrate-incoming needs exactly one of 'uri' and 'channels'"});
  incoming_started_ = true;
  log("migrate-incoming");
  migration_start_ = Clock::now();
  after_reply_ = [this] { apply(migration_.start(!o_.paused, true)); };
  return {{"return", Json::object()}};
}

std::string FakeQemu::info_migrate() const {
  Json info = migration_.info(elapsed(), ram_stats_members());
  if (info.empty()) return "";
  std::ostringstream out;
  out << "Status: \t\t" << info["status"].get<std::string>() << "\r\n";
  if (info.contains("error-desc"))
    out << "Error: \t\t\t" << info["error-desc"].get<std::string>() << "\r\n";
  if (info.contains("total-time")) out << "Time (ms): \t\ttotal=" << info["total-time"];
  if (info.contains("setup-time")) out << ", setup=" << info["setup-time"];
  if (info.contains("expected-downtime")) out << ", exp_down=" << info["expected-downtime"];
  if (info.contains("downtime")) out << ", down=" << info["downtime"];
  if (info.contains("total-time")) out << "\r\n";
  if (info.contains("ram")) {
    const Json& r = info["ram"];
    out << "RAM info:\r\n"
        << "  Throughput (Mbps): \t" << r.value("mbps", 0.0) << "\r\n"
        << "  Sizes (KiB): \t\tpsize=" << r.value("page-size", 0) / 1024
        << ", total=" << r.value("total", 0) / 1024 << "\r\n"
        << "  Transfers (KiB): \ttransferred=" << r.value("transferred", 0) / 1024
        << ", remain=" << r.value("remaining", 0) / 1024 << "\r\n"
        << "    Channels: \t\tprecopy=" << r.value("precopy-bytes", 0) / 1024
        << ", downtime=" << r.value("downtime-bytes", 0) / 1024 << "\r\n"
        << "  Dirty sync count: \t" << r.value("dirty-sync-count", 0) << "\r\n"
        << "  Dirty pages rate: \t" << r.value("dirty-pages-rate", 0) << " pages/s\r\n";
  }
  return out.str();
}

Json FakeQemu::hmp(const std::string& line) {
  std::istringstream words(line);
  std::string verb, what;
  words >> verb >> what;
  std::string out;
  if (verb == "info" && what == "status") {
    out = "VM status: " + std::string(run_state_ == "running" ? "running" : "paused") +
          (run_state_ == "running" || run_state_ == "paused" ? "" : " (" + run_state_ + ")") +
          "\r\n";
  } else if (verb == "info" && what == "migrate") {
    out = info_migrate();
  } else if (verb == "info" && what == "migrate_capabilities") {
    for (const auto& c : capability_names())
      out += c + ": " + (caps_.at(c) ? "on" : "off") + "\r\n";
  } else if (verb == "info" && what == "migrate_parameters") {
    Json parameters = query_parameters();
    for (const auto& [k, v] : parameters.items())
      out += k + ": " + (v.is_string() ? v.get<std::string>() : v.dump()) + "\r\n";
  } else if (verb == "stop" || verb == "cont" || verb == "migrate_cancel") {
    Json r = dispatch(verb, Json::object());
    if (r.contains("error")) out = "Error: " + r["error"]["desc"].get<std::string>() + "\r\n";
  } else {
    out = "unknown command: '" + (what.empty() ? verb : verb + " " + what) + "'\r\n";
  }
  return {{"return", out}};
}

std::optional<QmpError> FakeQemu::check_arguments(const schema::TypeDef& cmd, const Json& args,
                                                  Json& typed) {
  if (!args.is_object())
    return QmpError{"GenericError", "QMP input member 'arguments' must be an object"};
  if (cmd.arg_type.empty()) {
    if (!args.empty())
      return QmpError{"GenericError", "Parameter '" + args.begin().key() + "' is unexpected"};
    typed = Json::object();
    return std::nullopt;
  }
  auto v = schema::validate(schema_, args, cmd.arg_type, schema::InputMode::json,
                            schema::Target::newest());
  if (!v.diags.ok()) return QmpError{"GenericError", v.diags.errors.front().message};
  typed = v.value.is_null() ? Json::object() : v.value;
  return std::nullopt;
}

Json FakeQemu::dispatch(const std::string& name, const Json& args) {
  auto ok = [](Json value) { return Json{{"return", std::move(value)}}; };
  if (name == "query-version")
    return ok({{"qemu", {{"major", o_.major}, {"minor", o_.minor}, {"micro", o_.micro}}},
               {"package", "fake_qemu"}});
  if (name == "query-qmp-schema") return ok(schema_json_);
  if (name == "query-status") return ok(query_status());
  if (name == "stop") {
    if (run_state_ == "running") set_run_state("paused", "STOP");
    return ok(Json::object());
  }
  if (name == "cont") {
    if (run_state_ == "inmigrate") return ok(Json::object());  // QEMU starts it after migration
    if (run_state_ != "running") set_run_state("running", "RESUME");
    return ok(Json::object());
  }
  if (name == "quit") {
    after_reply_ = [this] {
      event("SHUTDOWN", {{"guest", false}, {"reason", "host-qmp-quit"}});
      quit_ = true;
    };
    return ok(Json::object());
  }
  if (name == "query-migrate-capabilities") return ok(query_capabilities());
  if (name == "migrate-set-capabilities") return set_capabilities(args);
  if (name == "query-migrate-parameters") return ok(query_parameters());
  if (name == "migrate-set-parameters") return set_parameters(args);
  if (name == "query-migrate") return ok(migration_.info(elapsed(), ram_stats_members()));
  if (name == "migrate") return migrate(args);
  if (name == "migrate-incoming") return migrate_incoming(args);
  if (name == "migrate_cancel") {
    apply(migration_.cancel(elapsed()));
    return ok(Json::object());
  }
  if (name == "getfd") return getfd(args);
  if (name == "closefd") return closefd(args);
  if (name == "human-monitor-command") return hmp(args["command-line"].get<std::string>());
  return error_reply({"GenericError", "fake_qemu does not implement '" + name + "'"});
}

void FakeQemu::handle(const Json& command) {
  auto respond = [&](Json r) {
    if (command.contains("id")) r["id"] = command["id"];
    send(r);
    if (after_reply_) std::exchange(after_reply_, nullptr)();
  };
  if (!command.contains("execute") || !command["execute"].is_string()) {
    respond(error_reply({"GenericError", "QMP input lacks member 'execute'"}));
    return;
  }
  std::string name = command["execute"];
  if (!current_->negotiated) {
    if (name != "qmp_capabilities") {
      respond(error_reply(
          {"CommandNotFound", "Expecting capabilities negotiation with 'qmp_capabilities'"}));
      return;
    }
    current_->negotiated = true;
    log("qmp_capabilities on " + current_->path);
    respond({{"return", Json::object()}});
    return;
  }
  if (name == "qmp_capabilities") {
    respond(error_reply(
        {"CommandNotFound", "Capabilities negotiation is already complete, command ignored"}));
    return;
  }
  const auto* cmd = schema_.find(name);
  if (!cmd || cmd->meta != schema::Meta::command) {
    respond(error_reply({"CommandNotFound", "The command " + name + " has not been found"}));
    return;
  }
  Json typed;
  if (auto e = check_arguments(*cmd, command.value("arguments", Json::object()), typed)) {
    respond(error_reply(*e));
    return;
  }
  respond(dispatch(name, typed));
}

void FakeQemu::greet(Monitor& m) {
  current_ = &m;
  send({{"QMP",
         {{"version",
           {{"qemu", {{"major", o_.major}, {"minor", o_.minor}, {"micro", o_.micro}}},
            {"package", "fake_qemu"}}},
          {"capabilities", Json::array({"oob"})}}}});
}

void FakeQemu::disconnect(Monitor& m) {
  // Fds received but never claimed go with the connection, as in QEMU.
  for (int f : m.received_fds) ::close(f);
  m.received_fds.clear();
  ::close(m.client);
  m.client = -1;
  m.negotiated = false;
  m.reader = qsock::qmp::MessageReader();
}

// Reads what the client sent (with any SCM_RIGHTS fds) and answers it.
void FakeQemu::serve(Monitor& m) {
  current_ = &m;
  char buf[65536];
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 16)];
  iovec iov{buf, sizeof buf};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  auto n = ::recvmsg(m.client, &msg, MSG_CMSG_CLOEXEC);
  if (n <= 0) return disconnect(m);
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    std::size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (std::size_t i = 0; i < count; ++i) {
      int received;
      std::memcpy(&received, CMSG_DATA(c) + i * sizeof(int), sizeof received);
      m.received_fds.push_back(received);
    }
  }
  m.reader.feed(std::string_view(buf, static_cast<std::size_t>(n)));
  while (!quit_) {
    auto message = m.reader.next();
    if (!message) {  // not JSON: say so and drop the client (the reader stays failed)
      send(error_reply({"GenericError", "JSON parse error, " + message.error().message}));
      return disconnect(m);
    }
    if (!*message) break;
    current_ = &m;
    handle(**message);
  }
}

void FakeQemu::run() {
  while (!quit_) {
    tick();  // the migration goes on without clients; events nobody hears are lost
    std::vector<pollfd> fds;
    for (auto& m : monitors_) fds.push_back({m.client >= 0 ? m.client : m.listener, POLLIN, 0});
    int r = ::poll(fds.data(), fds.size(), wait_ms());
    if (r <= 0) continue;
    for (std::size_t i = 0; i < fds.size() && !quit_; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      Monitor& m = monitors_[i];
      if (m.client >= 0) {
        serve(m);
        continue;
      }
      // One client per monitor at a time, as QEMU: the next waits in the backlog.
      m.client = ::accept4(m.listener, nullptr, nullptr, SOCK_CLOEXEC);
      if (m.client >= 0) greet(m);
    }
  }
}

// Binds under a temporary name and renames once listening, so the path
// appears only when a connect to it succeeds.
int listen_unix(const std::string& path) {
  std::string tmp = path + ".tmp";
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  if (fd < 0 || tmp.size() >= sizeof sa.sun_path) return -1;
  std::strncpy(sa.sun_path, tmp.c_str(), sizeof sa.sun_path - 1);
  ::unlink(tmp.c_str());
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0 || ::listen(fd, 4) < 0 ||
      ::rename(tmp.c_str(), path.c_str()) < 0)
    return -1;
  return fd;
}

std::optional<Options> parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= argc) return std::nullopt;
      return std::string(argv[++i]);
    };
    auto number = [&](auto& out) {
      auto v = value();
      if (!v) return false;
      try {
        std::size_t used = 0;
        long long n = std::stoll(*v, &used);
        if (used != v->size() || n < 0) return false;
        out = static_cast<std::remove_reference_t<decltype(out)>>(n);
        return true;
      } catch (...) {
        return false;
      }
    };
    bool good = true;
    if (a == "--socket") {
      auto v = value();
      good = v.has_value();
      if (v) o.sockets.push_back(*v);
    } else if (a == "--schema") {
      auto v = value();
      good = v.has_value();
      if (v) o.schema_file = *v;
    } else if (a == "--log") {
      auto v = value();
      good = v.has_value();
      if (v) o.log_file = *v;
    } else if (a == "--incoming") {
      auto v = value();
      good = v == "defer";
      if (v) o.incoming = *v;
    } else if (a == "--error-desc") {
      auto v = value();
      good = v.has_value();
      if (v) o.script.error_desc = *v;
    } else if (a == "--version") {
      auto v = value();
      good = v && std::sscanf(v->c_str(), "%d.%d.%d", &o.major, &o.minor, &o.micro) == 3;
    } else if (a == "--lifetime") {
      good = number(o.lifetime_s) && o.lifetime_s > 0;  // alarm(0) would mean forever
    } else if (a == "--migration-ms") {
      good = number(o.script.duration_ms);
    } else if (a == "--fail-after-ms") {
      std::int64_t n = 0;
      good = number(n);
      o.script.fail_after_ms = n;
    } else if (a == "--hang") {
      o.script.hang = true;
    } else if (a == "--paused") {
      o.paused = true;
    } else {
      good = false;
    }
    if (!good) {
      std::fprintf(stderr, "fake_qemu: bad option '%s' (see the header of fake_qemu.cpp)\n",
                   a.c_str());
      return std::nullopt;
    }
  }
  if (o.sockets.empty() || o.schema_file.empty()) {
    std::fprintf(stderr, "usage: fake_qemu --socket PATH --schema FILE [options]\n");
    return std::nullopt;
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  auto options = parse_options(argc, argv);
  if (!options) return 2;
  std::signal(SIGPIPE, SIG_IGN);
  // A test can never hang on us: the lifetime ends the process, quietly.
  std::signal(SIGALRM, [](int) { ::_exit(0); });
  ::alarm(static_cast<unsigned>(options->lifetime_s));
  std::ifstream in(options->schema_file);
  Json schema_json = Json::parse(in, nullptr, false);
  if (!in || schema_json.is_discarded()) {
    std::fprintf(stderr, "fake_qemu: cannot read %s as JSON\n", options->schema_file.c_str());
    return 1;
  }
  auto schema = qsock::qmp::schema_from_introspection(schema_json, options->schema_file);
  if (!schema) {
    std::fprintf(stderr, "fake_qemu: %s\n", schema.error().c_str());
    return 1;
  }
  std::vector<int> listeners;
  for (const auto& path : options->sockets) {
    listeners.push_back(listen_unix(path));
    if (listeners.back() < 0) {
      std::perror(("fake_qemu: listen on " + path).c_str());
      return 1;
    }
  }
  FakeQemu qemu(std::move(*options), std::move(schema_json), std::move(*schema), listeners);
  qemu.run();
  return 0;
}
