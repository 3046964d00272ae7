#include "migration/preflight.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "qmp/arguments.h"
#include "migration/rules.h"
#include "sockopts/options.h"
#include "schema/loader.h"
#include "base/suggest.h"
#include "schema/validator.h"

namespace qsock::migration {

namespace {

bool contains(const std::vector<std::string>& list, std::string_view name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

void add_capability(std::vector<CapabilityRequest>& caps, CapabilityRequest request) {
  for (CapabilityRequest& c : caps)
    if (c.name == request.name) {
      c = std::move(request);
      return;
    }
  caps.push_back(std::move(request));
}

// The plan's capabilities with the knobs' ones added.
std::vector<CapabilityRequest> requested_capabilities(const MigrationPlan& plan,
                                                      std::vector<std::string>& notes) {
  std::vector<CapabilityRequest> caps;
  if (plan.netpass) {
    add_capability(caps, {"return-path", true, "--netpass needs it"});
    add_capability(caps, {"netpass", true, "--netpass"});
    notes.emplace_back("--netpass turns on capability 'return-path' too (netpass requires it)");
  }
  if (plan.local_char_socket) {
    add_capability(caps, {"local-char-socket", true, "--local-char-socket"});
    notes.emplace_back(
        "--local-char-socket migrates only socket chardevs that opt in: "
        "support-local-migration=on on the source, local-incoming=on on the destination");
  }
  // What the user names explicitly wins over what a knob implied.
  for (const CapabilityRequest& c : plan.capabilities) add_capability(caps, c);
  return caps;
}

void check_capabilities(const std::vector<CapabilityRequest>& caps, const MigrationSide& side,
                        Preflight& out) {
  for (const CapabilityRequest& c : caps) {
    if (contains(side.features->capabilities, c.name)) continue;
    std::string why = c.why.empty() ? "" : fmt::format(" (wanted by {})", c.why);
    out.problems.push_back(
        {fmt::format("the {} has no migration capability '{}'{}", side.label, c.name, why),
         did_you_mean(c.name, side.features->capabilities)});
  }
}

// A live schema reports every integer as "int": whether a parameter is a
// size (and takes suffixes, 8M) is read from the embedded schema.
std::string with_size_suffix_resolved(const std::string& assignment) {
  auto eq = assignment.find('=');
  if (eq == std::string::npos) return assignment;
  std::string name = assignment.substr(0, eq), value = assignment.substr(eq + 1);
  const schema::Schema& embedded = schema::embedded_schema();
  for (const char* type : {"MigrateSetParameters", "MigrationParameters"}) {
    const schema::TypeDef* t = embedded.find(type);
    const schema::Member* m = t ? embedded.member(*t, name) : nullptr;
    if (!m) continue;
    const schema::TypeDef* mt = embedded.find(m->type);
    if (mt && mt->meta == schema::Meta::builtin && mt->builtin == "size")
      if (auto v = schema::keyval_size(value)) return fmt::format("{}={}", name, *v);
    break;
  }
  return assignment;
}

// One --param typed by the side's schema; QEMU's range checks on top.
void type_parameter(const std::string& given, const MigrationSide& side, Json& into,
                    Preflight& out) {
  std::string assignment = with_size_suffix_resolved(given);
  std::array<std::string, 1> args{assignment};
  auto typer = qmp::schema_typer(*side.schema, "migrate-set-parameters", args);
  if (!typer) {
    out.problems.push_back({fmt::format("the {}: {}", side.label, typer.error().message), ""});
    return;
  }
  auto built = qmp::build_arguments(args, *typer);
  if (!built) {
    out.problems.push_back(
        {fmt::format("the {}: parameter {}", side.label, built.error().message), ""});
    return;
  }
  for (auto& [name, value] : built->items()) {
    // A schema that is not this QEMU's own (HMP: the embedded one) may know more names.
    if (!side.features->parameters.empty() && !contains(side.features->parameters, name)) {
      out.problems.push_back(
          {fmt::format("the {} has no migration parameter '{}'", side.label, name),
           did_you_mean(name, side.features->parameters)});
      continue;
    }
    for (const ParameterRange& r : parameter_ranges()) {
      if (r.name != name || !value.is_number_integer()) continue;
      auto v = value.get<long long>();
      if (v < r.min || v > r.max)
        out.problems.push_back({fmt::format("the {}: {}", side.label, r.message), ""});
    }
    into[name] = value;
  }
}

// --backend-transfer TARGET...: the parameter this QEMU has, with its value names.
std::vector<std::string> backend_transfer_assignments(const MigrationPlan& plan,
                                                      const MigrationSide& side, Preflight& out) {
  std::vector<std::string> assignments;
  if (plan.backend_transfer.empty()) return assignments;
  qmp::BackendTransfer bt = side.features->backend_transfer();
  if (bt == qmp::BackendTransfer::none) {
    out.problems.push_back(
        {fmt::format("the {} has no backend transfer parameter (neither 'backend-transfer' nor "
                     "'fds'): --backend-transfer needs a QEMU with the proposed patches",
                     side.label),
         ""});
    return assignments;
  }
  std::string name(bt == qmp::BackendTransfer::fds ? "fds" : "backend-transfer");
  for (std::size_t i = 0; i < plan.backend_transfer.size(); ++i) {
    std::string value = plan.backend_transfer[i];
    for (const BackendAlias& a : backend_aliases()) {
      if (bt == qmp::BackendTransfer::fds && value == a.backend_transfer) value = a.fds;
      if (bt == qmp::BackendTransfer::backend_transfer && value == a.fds) value = a.backend_transfer;
    }
    if (value != plan.backend_transfer[i])
      out.notes.push_back(fmt::format("the {} spells backend transfer '{}': sending '{}' for '{}'",
                                      side.label, name, value, plan.backend_transfer[i]));
    assignments.push_back(fmt::format("{}.{}={}", name, i, value));
  }
  return assignments;
}

// The parameter name of "NAME=VALUE" or "NAME.0=VALUE".
std::string assignment_name(const std::string& a) { return a.substr(0, a.find_first_of("=.")); }

// With `both_sides_only`, only the parameters that must match (for the destination).
Json typed_parameters(const MigrationPlan& plan, const MigrationSide& side, Preflight& out,
                      bool both_sides_only = false) {
  std::vector<std::string> assignments;
  if (plan.downtime_limit)
    assignments.push_back(fmt::format("downtime-limit={}", plan.downtime_limit->count()));
  if (plan.max_bandwidth)
    assignments.push_back(fmt::format("max-bandwidth={}", plan.max_bandwidth->rate));
  assignments.insert(assignments.end(), plan.parameters.begin(), plan.parameters.end());
  Json params = Json::object();
  for (const std::string& a : assignments)
    if (!both_sides_only || parameter_must_match(assignment_name(a)))
      type_parameter(a, side, params, out);
  // Lists go together: one typer call builds the array.
  auto bt = backend_transfer_assignments(plan, side, out);
  if (!bt.empty()) {
    auto typer = qmp::schema_typer(*side.schema, "migrate-set-parameters", bt);
    auto built = typer ? qmp::build_arguments(bt, *typer) : tl::unexpected(typer.error());
    if (!built)
      out.problems.push_back(
          {fmt::format("the {}: --backend-transfer: {}", side.label, built.error().message), ""});
    else
      for (auto& [k, v] : built->items()) params[k] = v;
  }
  return params;
}

bool is_on(const std::map<std::string, bool>& caps, std::string_view name) {
  auto it = caps.find(std::string(name));
  return it != caps.end() && it->second;
}

bool parameter_set(const Json& params, std::string_view name) {
  auto it = params.find(std::string(name));
  if (it == params.end()) return false;
  return !(it->is_array() && it->empty()) && !it->is_null();
}

void check_rules(const MigrationPlan& plan, const std::vector<CapabilityRequest>& caps,
                 const Json& params, const MigrationSide& side, Preflight& out) {
  std::map<std::string, bool> effective = side.current_capabilities;
  for (const CapabilityRequest& c : caps)
    if (contains(side.features->capabilities, c.name)) effective[c.name] = c.state;
  for (const MigrationRule& r : migration_rules()) {
    bool subject_on = r.subject_kind == Subject::capability ? is_on(effective, r.subject)
                                                            : parameter_set(params, r.subject);
    if (!subject_on) continue;
    bool broken = false;
    switch (r.kind) {
      case RuleKind::requires_capability:
        broken = !is_on(effective, r.other);
        break;
      case RuleKind::excludes_capability:
        broken = is_on(effective, r.other);
        break;
      case RuleKind::needs_file_target:
        broken = plan.transport() != "file";
        break;
      case RuleKind::needs_unix_channel:
        broken = !plan.target_socket_is("unix");
        break;
      case RuleKind::must_match:
        break;
    }
    if (!broken) continue;
    std::string hint;
    if (r.kind == RuleKind::requires_capability)
      hint = fmt::format("add --cap {}=on", r.other);
    else if (r.kind == RuleKind::needs_unix_channel)
      hint = "migrate to unix:PATH";
    out.problems.push_back({fmt::format("the {}: {}", side.label, r.message), hint});
  }
}

void check_socket_options(const MigrationPlan& plan, const MigrationSide& side, Preflight& out) {
  if (!plan.target_socket_is("inet")) return;
  const schema::TypeDef* inet = side.schema->find("InetSocketAddress");
  for (const std::string& key : sockopts::option_keys()) {
    if (!plan.target.contains(key)) continue;
    out.socket_options[key] = plan.target[key];
    const schema::Member* m = inet ? side.schema->member(*inet, key) : nullptr;
    bool present = m != nullptr && (!side.release || m->avail.in_release(*side.release));
    if (!present && !contains(out.native_missing, key)) out.native_missing.push_back(key);
  }
}

}  // namespace

Preflight preflight(const MigrationPlan& plan, const MigrationSide& source,
                    const std::optional<MigrationSide>& destination) {
  Preflight out;
  std::string transport = plan.transport();
  if (transport.empty()) out.problems.push_back({"no migration target: give --to ADDRESS", ""});
  if (plan.target_socket_is("fd"))
    out.problems.push_back({"the target is an fd: name; qsock opens and passes the socket itself",
                            "give the address (tcp:HOST:PORT, unix:PATH) and --sockopts fd"});

  auto caps = requested_capabilities(plan, out.notes);
  check_capabilities(caps, source, out);
  out.source_parameters = typed_parameters(plan, source, out);
  check_rules(plan, caps, out.source_parameters, source, out);
  check_socket_options(plan, source, out);
  out.source_capabilities = caps;

  if (destination) {
    // The destination gets every capability it knows; one that must match
    // and that it lacks is a problem.
    for (const CapabilityRequest& c : caps) {
      if (contains(destination->features->capabilities, c.name)) {
        out.destination_capabilities.push_back(c);
      } else if (capability_must_match(c.name)) {
        out.problems.push_back(
            {fmt::format("the {} has no migration capability '{}', which must be set on both "
                         "sides",
                         destination->label, c.name),
             did_you_mean(c.name, destination->features->capabilities)});
      } else {
        out.notes.push_back(
            fmt::format("capability '{}' is set on the source only (the {} has "
                        "no such capability)",
                        c.name, destination->label));
      }
    }
    out.destination_parameters = typed_parameters(plan, *destination, out, true);
    check_rules(plan, out.destination_capabilities, out.destination_parameters, *destination, out);
  } else {
    std::vector<std::string> both;
    for (const CapabilityRequest& c : caps)
      if (capability_must_match(c.name) && c.state) both.push_back("capability " + c.name);
    for (auto& [name, value] : out.source_parameters.items())
      if (parameter_must_match(name)) both.push_back("parameter " + name);
    for (const std::string& b : both)
      out.notes.push_back(fmt::format(
          "{} must be set the same on the destination: give -d DST to have qsock set and check it",
          b));
  }
  return out;
}

}  // namespace qsock::migration
