#include "migration/address_check.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "base/settable_members.h"
#include "migration/monitor.h"
#include "schema/loader.h"
#include "uri/check.h"

namespace qsock::migration {

namespace {

// Words by which check's warnings say QEMU takes the address and then fails
// to open the socket (uri/semantic_rules.cpp): for a migration, a refusal.
constexpr std::array<std::string_view, 2> fails_to_open = {
    "then fails to open the socket",
    "will fail to open the socket",
};

// The address types whose member names, written after a comma in a path,
// show an option meant for the address rather than part of the path.
constexpr std::array<std::string_view, 3> address_types = {"InetSocketAddress", "UnixSocketAddress",
                                                           "VsockSocketAddress"};

std::string last_fragment(const std::string& key) { return key.substr(key.rfind('.') + 1); }

// The first "NAME" or "NAME=..." after a comma in `path` that names an address
// member, or "".
std::string option_in_path(std::string_view path, const schema::Schema& schema) {
  for (auto comma = path.find(','); comma != std::string_view::npos;
       comma = path.find(',', comma + 1)) {
    std::string_view item = path.substr(comma + 1);
    item = item.substr(0, item.find(','));
    std::string_view name = item.substr(0, item.find('='));
    for (std::string_view type : address_types) {
      const schema::TypeDef* t = schema.find(type);
      if (t && !name.empty() && schema.member(*t, name)) return std::string(item);
    }
  }
  return "";
}

void find_paths(const Json& value, std::vector<std::string>& out) {
  if (value.is_array())
    for (const Json& v : value) find_paths(v, out);
  if (!value.is_object()) return;
  for (const auto& [k, v] : value.items()) {
    if (k == "path" && v.is_string()) out.push_back(v.get<std::string>());
    find_paths(v, out);
  }
}

}  // namespace

Diagnostics check_migration_address(std::string_view to, schema::QemuVersion release,
                                    const schema::Schema& schema) {
  auto kind = uri::detect_kind(to);
  if (kind == uri::InputKind::uri) kind = uri::InputKind::migrate_uri;
  // Proposed members are accepted: a QEMU that has them takes them, and
  // qsock sets the settable ones itself on one that has not.
  schema::Target target{std::min(release, schema::newest_known_qemu), true, true};
  uri::CheckResult r = uri::check_input(to, kind, target, schema);
  Diagnostics out;
  // An option qsock sets on the socket itself is no problem of the address:
  // whatever QEMU makes of it (refused, ignored, proposed), it is said once.
  auto qsock_sets = [&](const Diagnostic& d) {
    if (d.key.empty() || !qsock_can_set(last_fragment(d.key))) return false;
    out.warn(fmt::format("QEMU {} does not take {} in this address", target.version.str(),
                         last_fragment(d.key)),
             d.key,
             fmt::format("qsock sets it on the migration socket itself ({})", qsock_set_how));
    return true;
  };
  for (const Diagnostic& e : r.diags.errors)
    if (!qsock_sets(e)) out.errors.push_back(e);
  for (const Diagnostic& w : r.diags.warnings) {
    bool fatal = std::any_of(fails_to_open.begin(), fails_to_open.end(), [&](std::string_view f) {
      return w.message.find(f) != std::string::npos;
    });
    if (fatal)
      out.errors.push_back(w);
    else if (!qsock_sets(w))
      out.warnings.push_back(w);
  }
  std::vector<std::string> paths;
  find_paths(r.value, paths);
  for (const std::string& path : paths) {
    std::string option = option_in_path(path, schema);
    if (option.empty()) continue;
    out.error(fmt::format("QEMU {} would take '{}' as part of the path '{}', not as an option: "
                          "the migration would fail to connect",
                          target.version.str(), option, path),
              "path",
              "a UNIX socket takes no options in this syntax; drop them, or migrate over "
              "tcp:HOST:PORT,... to set TCP options");
  }
  return out;
}

qmp::Result<SourceAddressCheck> check_address_for_source(const qmp::MonitorAddress& source,
                                                         std::string_view to, Deadline deadline) {
  auto monitor = connect_monitor(source, deadline);
  if (!monitor) return tl::unexpected(monitor.error());
  SourceAddressCheck out;
  out.release = (*monitor)->version();
  // The monitor goes before the driver connects: a QMP socket takes one client.
  monitor->reset();
  auto release = schema::parse_qemu_version(out.release).value_or(schema::newest_known_qemu);
  out.diags = check_migration_address(to, release, schema::embedded_schema());
  return out;
}

}  // namespace qsock::migration
