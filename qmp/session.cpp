#include "qmp/session.h"

#include <array>

#include <fmt/format.h>

#include "qmp/protocol_detect.h"

namespace qsock::qmp {

std::string Greeting::version_string() const {
  const Json* q = version.is_object() && version.contains("qemu") ? &version["qemu"] : nullptr;
  if (!q || !q->is_object()) return "";
  auto part = [&](const char* key) {
    auto it = q->find(key);
    return it != q->end() && it->is_number_integer() ? it->get<long long>() : 0;
  };
  return fmt::format("{}.{}.{}", part("major"), part("minor"), part("micro"));
}

std::string describe_qemu_error(const Json& error) {
  auto text = [&](const char* key) {
    auto it = error.is_object() ? error.find(key) : error.end();
    return error.is_object() && it != error.end() && it->is_string() ? it->get<std::string>()
                                                                     : std::string();
  };
  std::string cls = text("class"), desc = text("desc");
  if (cls.empty()) return desc.empty() ? dump_json(error) : desc;
  return desc.empty() ? cls : cls + ": " + desc;
}

Result<Session> Session::connect(const MonitorAddress& address, Deadline deadline) {
  if (address.kind == MonitorAddress::Kind::libvirt) return start_libvirt(address, deadline);
  auto connection = Connection::open(address, deadline);
  if (!connection) return tl::unexpected(connection.error());
  return start(std::move(*connection), deadline);
}

Result<Session> Session::start(Connection connection, Deadline deadline,
                               std::string_view already_read) {
  // The first bytes tell an HMP banner from the QMP greeting; the banner
  // would otherwise read as invalid JSON.
  std::string first(already_read);
  if (!protocol_of(first)) {
    auto detected = detect_protocol(std::move(connection), deadline, "the QMP greeting");
    if (!detected) return tl::unexpected(detected.error());
    connection = std::move(detected->connection);
    first += detected->already_read;
  }
  if (protocol_of(first) != Protocol::qmp) return tl::unexpected(not_qmp_error(first));
  Session s(std::move(connection));
  s.reader_.feed(first);
  if (auto g = s.read_greeting(deadline); !g) return tl::unexpected(g.error());
  auto negotiated = s.execute("qmp_capabilities", Json(), deadline);
  if (!negotiated) {
    Error e = negotiated.error();
    e.message = "capabilities negotiation failed: " + e.message;
    return tl::unexpected(e);
  }
  return s;
}

Result<Session> Session::start_libvirt(const MonitorAddress& address, Deadline deadline) {
  auto link = LibvirtLink::open(address.uri, address.domain, deadline);
  if (!link) return tl::unexpected(link.error());
  Session s(std::move(*link));
  auto version = s.execute("query-version", Json(), deadline);
  if (!version) return tl::unexpected(version.error());
  s.greeting_.version = *version;
  s.greeting_.message = {{"QMP", {{"version", *version}, {"capabilities", Json::array()}}}};
  return s;
}

Result<void> Session::read_greeting(Deadline deadline) {
  auto message = read_message(deadline, "the QMP greeting");
  if (!message) {
    Error e = message.error();
    if (e.kind == ErrorKind::timeout)
      e.message = fmt::format("{} ({})", no_greeting_hint, e.message);
    return tl::unexpected(e);
  }
  auto it = message->find("QMP");
  if (it == message->end() || !it->is_object()) {
    broken_ = true;
    return fail(ErrorKind::protocol,
                fmt::format("expected the QMP greeting {{\"QMP\": ...}}, got {}",
                            message->dump().substr(0, 200)));
  }
  greeting_.message = *message;
  if (auto v = it->find("version"); v != it->end()) greeting_.version = *v;
  if (auto c = it->find("capabilities"); c != it->end() && c->is_array())
    for (const auto& cap : *c)
      if (cap.is_string()) greeting_.capabilities.push_back(cap.get<std::string>());
  return {};
}

Result<Json> Session::read_message(Deadline deadline, std::string_view awaiting) {
  if (broken_)
    return fail(ErrorKind::protocol, "the monitor session is broken by an earlier error");
  std::array<char, 65536> buffer;
  for (;;) {
    auto message = reader_.next();
    if (!message) {
      broken_ = true;
      return tl::unexpected(message.error());
    }
    if (*message) return std::move(**message);
    auto n = connection_->receive(buffer.data(), buffer.size(), deadline, awaiting);
    if (!n) {
      if (n.error().kind != ErrorKind::timeout) broken_ = true;
      return tl::unexpected(n.error());
    }
    if (*n == 0) {
      broken_ = true;
      std::string partial;
      if (reader_.pending_bytes() > 0)
        partial =
            fmt::format(" in the middle of a message ({} bytes received)", reader_.pending_bytes());
      return fail(
          ErrorKind::protocol,
          fmt::format("QEMU closed the monitor connection{} while awaiting {}", partial, awaiting));
    }
    reader_.feed(std::string_view(buffer.data(), *n));
  }
}

void Session::queue_event(Json message) {
  Event e;
  auto name = message.find("event");
  e.name = name->is_string() ? name->get<std::string>() : name->dump();
  auto data = message.find("data");
  e.data = data != message.end() ? *data : Json::object();
  auto ts = message.find("timestamp");
  e.timestamp = ts != message.end() ? *ts : Json();
  e.message = std::move(message);
  if (events_.size() >= max_queued_events) {
    events_.pop_front();
    ++dropped_;
  }
  events_.push_back(std::move(e));
}

Result<Json> Session::execute(std::string_view command, const Json& arguments, Deadline deadline,
                              int fd_to_pass) {
  if (broken_)
    return fail(ErrorKind::protocol, "the monitor session is broken by an earlier error");
  Json id = fmt::format("qsock-{}", next_id_++);
  Json request = Json::object();
  request["execute"] = command;
  if (!arguments.is_null() && !(arguments.is_object() && arguments.empty()))
    request["arguments"] = arguments;
  if (libvirt_) {
    // libvirt numbers the commands it passes on and answers this one only.
    auto reply = libvirt_->command(request, deadline, fd_to_pass);
    if (!reply) return tl::unexpected(reply.error());
    return reply_value(*reply, command);
  }
  request["id"] = id;
  std::string line = dump_json(request) + "\n";
  std::string what = fmt::format("the command '{}'", command);
  if (auto sent = connection_->send(line, deadline, what, fd_to_pass); !sent) {
    if (sent.error().kind != ErrorKind::invalid) broken_ = true;
    return tl::unexpected(sent.error());
  }
  return await_reply(id, command, deadline);
}

Result<Json> Session::await_reply(const Json& id, std::string_view command, Deadline deadline) {
  std::string awaiting = fmt::format("the reply to '{}'", command);
  for (;;) {
    auto message = read_message(deadline, awaiting);
    if (!message) {
      if (message.error().kind == ErrorKind::timeout) abandoned_ids_.insert(dump_json(id));
      return tl::unexpected(message.error());
    }
    Json& m = *message;
    if (m.contains("event")) {
      queue_event(std::move(m));
      continue;
    }
    bool is_return = m.contains("return"), is_error = m.contains("error");
    if (!is_return && !is_error) {
      broken_ = true;
      return fail(ErrorKind::protocol,
                  fmt::format("unexpected monitor message while awaiting {}: {}", awaiting,
                              dump_json(m).substr(0, 200)));
    }
    auto got = m.find("id");
    if (got == m.end()) {
      if (is_error) {
        // QEMU could not read the command far enough to find its id (a JSON
        // parse error): the error answers the command in flight.
        Error e{ErrorKind::qemu,
                fmt::format("QEMU rejected '{}' before reading its id: {}", command,
                            describe_qemu_error(m["error"])),
                m["error"]};
        return tl::unexpected(e);
      }
      broken_ = true;
      return fail(ErrorKind::protocol, fmt::format("a reply without id while awaiting {} (id {})",
                                                   awaiting, dump_json(id)));
    }
    if (*got != id) {
      if (abandoned_ids_.erase(got->dump()) > 0) continue;  // a late reply to a timed-out command
      broken_ = true;
      return fail(ErrorKind::protocol,
                  fmt::format("a reply with unexpected id {} while awaiting {} (id {})",
                              dump_json(*got), awaiting, dump_json(id)));
    }
    return reply_value(m, command);
  }
}

Result<Json> Session::reply_value(Json& reply, std::string_view command) {
  if (auto e = reply.find("error"); e != reply.end())
    return tl::unexpected(Error{ErrorKind::qemu, describe_qemu_error(*e), *e});
  if (auto r = reply.find("return"); r != reply.end()) return std::move(*r);
  return fail(ErrorKind::protocol, fmt::format("a reply to '{}' with neither return nor error: {}",
                                               command, dump_json(reply).substr(0, 200)));
}

Result<Event> Session::next_event(Deadline deadline) {
  for (;;) {
    if (!events_.empty()) {
      Event e = std::move(events_.front());
      events_.pop_front();
      return e;
    }
    if (libvirt_) {
      auto arrived = libvirt_->events(deadline);
      if (!arrived) return tl::unexpected(arrived.error());
      if (arrived->empty()) return tl::unexpected(timeout_error(deadline, "an event"));
      for (Json& m : *arrived) queue_event(std::move(m));
      continue;
    }
    auto message = read_message(deadline, "an event");
    if (!message) return tl::unexpected(message.error());
    if (message->contains("event")) {
      queue_event(std::move(*message));
      continue;
    }
    if (auto id = message->find("id"); id != message->end() && abandoned_ids_.erase(id->dump()) > 0)
      continue;
    broken_ = true;
    return fail(ErrorKind::protocol,
                fmt::format("unexpected monitor message while awaiting an event: {}",
                            message->dump().substr(0, 200)));
  }
}

}  // namespace qsock::qmp
