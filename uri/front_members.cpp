#include "uri/front_members.h"

#include <algorithm>

#include "uri/chardev_opts.h"

namespace qsock::uri {

namespace {

// Members the renderers write from the Endpoint itself, not from extras.
bool is_address_or_server(std::string_view name) { return name == "addr" || name == "server"; }

std::vector<std::string> extras_of(const schema::Schema& schema, std::string_view type_name) {
  std::vector<std::string> out;
  const schema::TypeDef* type = schema.find(type_name);
  if (!type) return out;
  for (const schema::Member* m : schema.members_of(*type))
    if (!is_address_or_server(m->name)) out.push_back(m->name);
  return out;
}

bool is_flat_socket_option(std::string_view name) {
  const auto& options = chardev_options();
  return std::any_of(options.begin(), options.end(),
                     [&](const ChardevOption& o) { return o.socket && o.name == name; });
}

// The one flat option not named after its member: fd=NAME sets the str of
// an fd address (qemu_chr_parse_socket).
std::string flat_name(std::string_view type, const std::string& member) {
  return type == "fd" && member == "str" ? "fd" : member;
}

}  // namespace

FrontMembers front_members(const schema::Schema& schema) {
  FrontMembers out;
  out.netdev = extras_of(schema, "NetdevStreamOptions");
  out.incoming = extras_of(schema, "MigrationChannel");
  for (std::string& name : extras_of(schema, "ChardevSocket"))
    if (is_flat_socket_option(name)) out.chardev.push_back(std::move(name));
  return out;
}

std::vector<FlatOption> chardev_flat_options(const schema::Schema& schema, std::string_view type) {
  std::vector<FlatOption> out;
  const schema::TypeDef* address = schema.find("SocketAddress");
  const schema::TypeDef* branch = address ? schema.variant_type(*address, type) : nullptr;
  if (!branch) return {};
  for (const schema::Member* m : schema.members_of(*branch)) {
    std::string option = flat_name(type, m->name);
    if (is_flat_socket_option(option))
      out.push_back({m->name, std::move(option)});
    else if (!m->optional)
      return {};
  }
  return out;
}

}  // namespace qsock::uri
