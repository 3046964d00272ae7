#include "qmp/arguments.h"

#include <vector>

#include <fmt/format.h>

#include "base/suggest.h"

namespace qsock::qmp {

namespace {

using schema::Meta;

std::vector<std::string> command_names(const schema::Schema& schema) {
  std::vector<std::string> commands;
  for (const auto& name : schema.names())
    if (const schema::TypeDef* t = schema.find(name); t && t->meta == Meta::command)
      commands.push_back(name);
  return commands;
}

}  // namespace

schema::Validated typed_arguments(const schema::Schema& schema, std::string_view command,
                                  const Json& arguments, schema::InputMode mode,
                                  const schema::Target& target) {
  schema::Validated out{nullptr, {}};
  const schema::TypeDef* cmd = schema.find(command);
  if (!cmd || cmd->meta != Meta::command) {
    out.diags.error(fmt::format("{} has no command '{}'", schema.origin, command), "",
                    did_you_mean(command, command_names(schema)));
    return out;
  }
  if (!arguments.is_object()) {
    out.diags.error(fmt::format("the arguments of {} must be an object", command));
    return out;
  }
  // A live schema names an empty object type ("0") where the command takes none.
  const schema::TypeDef* args = cmd->arg_type.empty() ? nullptr : schema.find(cmd->arg_type);
  bool takes_none =
      cmd->arg_type.empty() || (args != nullptr && args->meta == Meta::object && args->members.empty() &&
                                args->base.empty() && args->variants.empty());
  if (takes_none) {
    for (const auto& [key, value] : arguments.items())
      out.diags.error(fmt::format("Parameter '{}' is unexpected", key), key,
                      fmt::format("{} takes no arguments", command));
    if (out.diags.ok()) out.value = Json::object();
    return out;
  }
  return schema::validate(schema, arguments, cmd->arg_type, mode, target);
}

}  // namespace qsock::qmp
