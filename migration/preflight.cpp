#include "migration/preflight.h"

#include <algorithm>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "base/suggest.h"
#include "migration/rules.h"
#include "qmp/arguments.h"
#include "schema/validator.h"
#include "sockopts/options.h"
#include "uri/keyval.h"

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
  if (plan.postcopy_after_passes) add_capability(caps, {"postcopy-ram", true, "--postcopy"});
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

// The parameters as migrate-set-parameters arguments, validated and typed
// by `side`'s schema (schema::validate, through qmp::typed_arguments), each
// problem named by its key. Returns the typed members (none when invalid).
Json validated_parameters(const Json& arguments, schema::InputMode mode, const MigrationSide& side,
                          Preflight& out) {
  if (arguments.empty()) return Json::object();
  schema::Validated v =
      qmp::typed_arguments(*side.schema, "migrate-set-parameters", arguments, mode);
  for (const Diagnostic& d : v.diags.errors)
    out.problems.push_back({fmt::format("the {}: {}", side.label, d.message), d.hint});
  return v.diags.ok() ? std::move(v.value) : Json::object();
}

// --backend-transfer TARGET...: the parameter this QEMU has and its value
// names, as a keyval list (strings), or nothing.
std::optional<std::pair<std::string, Json>> backend_transfer_list(const MigrationPlan& plan,
                                                                  const MigrationSide& side,
                                                                  Preflight& out) {
  if (plan.backend_transfer.empty()) return std::nullopt;
  qmp::BackendTransfer bt = side.features->backend_transfer();
  if (bt == qmp::BackendTransfer::none) {
    out.problems.push_back(
        {fmt::format("the {} has no backend transfer parameter (neither 'backend-transfer' nor "
                     "'fds'): --backend-transfer needs a QEMU with the proposed patches",
                     side.label),
         ""});
    return std::nullopt;
  }
  std::string name(bt == qmp::BackendTransfer::fds ? "fds" : "backend-transfer");
  Json list = Json::array();
  for (const std::string& given : plan.backend_transfer) {
    std::string value = given;
    for (const BackendAlias& a : backend_aliases()) {
      if (bt == qmp::BackendTransfer::fds && value == a.backend_transfer) value = a.fds;
      if (bt == qmp::BackendTransfer::backend_transfer && value == a.fds)
        value = a.backend_transfer;
    }
    if (value != given)
      out.notes.push_back(fmt::format("the {} spells backend transfer '{}': sending '{}' for '{}'",
                                      side.label, name, value, given));
    list.push_back(std::move(value));
  }
  return std::make_pair(std::move(name), std::move(list));
}

// The parameter name of "NAME=VALUE" or "NAME.0=VALUE".
std::string assignment_name(const std::string& a) { return a.substr(0, a.find_first_of("=.")); }

// What the plan sets as migrate-set-parameters arguments, typed by `side`'s
// schema: the --param words (and --backend-transfer's list) as one keyval
// tree; the knobs qsock types itself (--downtime-limit, --max-bandwidth) as
// JSON. QEMU's range checks on top. With `both_sides_only`, only the
// parameters that must match (for the destination).
Json typed_parameters(const MigrationPlan& plan, const MigrationSide& side, Preflight& out,
                      bool both_sides_only = false) {
  auto wanted = [&](const std::string& name) {
    return !both_sides_only || parameter_must_match(name);
  };
  Json typed = Json::object();
  if (plan.downtime_limit && wanted("downtime-limit"))
    typed["downtime-limit"] = plan.downtime_limit->count();
  if (plan.max_bandwidth && wanted("max-bandwidth"))
    typed["max-bandwidth"] = plan.max_bandwidth->rate;
  Json params = validated_parameters(typed, schema::InputMode::json, side, out);

  std::vector<std::string> words;
  for (const std::string& a : plan.parameters)
    if (wanted(assignment_name(a))) words.push_back(a);
  auto tree = uri::parse_keyval_words(words);
  if (!tree) {
    out.problems.push_back(
        {fmt::format("the {}: --param: {}", side.label, tree.error().message), tree.error().hint});
    tree = Json::object();
  }
  if (auto bt = backend_transfer_list(plan, side, out)) (*tree)[bt->first] = std::move(bt->second);
  Json given = validated_parameters(*tree, schema::InputMode::keyval, side, out);
  for (auto& [name, value] : given.items()) params[name] = std::move(value);

  Json sent = Json::object();
  for (auto& [name, value] : params.items()) {
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
    sent[name] = std::move(value);
  }
  return sent;
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
    out.differences = side_differences(*source.features, *destination->features);
    for (const SideDifference& d : out.differences)
      out.notes.push_back(fmt::format("the {} and the {} differ in {}", source.label,
                                      destination->label, describe(d)));
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
