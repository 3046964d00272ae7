#include "qmp/arguments.h"

#include <fmt/format.h>

namespace qsock::qmp {

Json type_by_simple_rules(std::string_view text) {
  if (text == "true") return true;
  if (text == "false") return false;
  if (!text.empty()) {
    char c = text.front();
    bool number_like = c == '-' || (c >= '0' && c <= '9');
    if (number_like || c == '"') {
      Json parsed = Json::parse(text, nullptr, /*allow_exceptions=*/false);
      if (!parsed.is_discarded() && (parsed.is_number() || parsed.is_string())) return parsed;
    }
  }
  return std::string(text);
}

namespace {

std::vector<std::string> split_key(std::string_view key) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    auto dot = key.find('.', start);
    parts.emplace_back(key.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) return parts;
    start = dot + 1;
  }
}

Result<void> insert(Json& root, const std::vector<std::string>& path, Json value,
                    std::string_view arg) {
  Json* node = &root;
  std::string prefix;
  for (std::size_t i = 0; i + 1 < path.size(); ++i) {
    prefix += (i ? "." : "") + path[i];
    auto it = node->find(path[i]);
    if (it == node->end()) {
      node = &((*node)[path[i]] = Json::object());
    } else if (it->is_object()) {
      node = &*it;
    } else {
      return fail(ErrorKind::invalid,
                  fmt::format("argument '{}': '{}' already has a value, it cannot also have "
                              "members",
                              arg, prefix));
    }
  }
  const std::string& leaf = path.back();
  if (node->contains(leaf)) {
    std::string key = prefix.empty() ? leaf : prefix + "." + leaf;
    if ((*node)[leaf].is_object())
      return fail(ErrorKind::invalid,
                  fmt::format("argument '{}': '{}' already has members, it cannot also have "
                              "a value",
                              arg, key));
    return fail(ErrorKind::invalid,
                fmt::format("argument '{}': '{}' is given twice", arg, key));
  }
  (*node)[leaf] = std::move(value);
  return {};
}

}  // namespace

Result<Json> build_arguments(std::span<const std::string> args, const ValueTyper& typer) {
  Json root = Json::object();
  if (args.empty()) return root;
  if (args.size() == 1 && args[0].find_first_not_of(" \t\n") != std::string::npos &&
      args[0][args[0].find_first_not_of(" \t\n")] == '{') {
    Json parsed = Json::parse(args[0], nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded() || !parsed.is_object())
      return fail(ErrorKind::invalid,
                  fmt::format("arguments '{}' are not a valid JSON object", args[0]));
    return parsed;
  }
  for (const auto& arg : args) {
    auto eq = arg.find('=');
    if (arg.starts_with("{"))
      return fail(ErrorKind::invalid,
                  "give JSON arguments as a single object, not mixed with key=value pairs");
    if (eq == std::string::npos)
      return fail(ErrorKind::invalid,
                  fmt::format("argument '{}' is not key=value (or give one JSON object)", arg));
    std::string_view key(arg.data(), eq);
    std::string_view text = std::string_view(arg).substr(eq + 1);
    auto path = split_key(key);
    for (const auto& part : path)
      if (part.empty())
        return fail(ErrorKind::invalid, fmt::format("argument '{}': empty key part", arg));
    std::optional<Json> value;
    if (typer) {
      auto typed = typer(path, text);
      if (!typed) return tl::unexpected(typed.error());
      value = std::move(*typed);
    }
    if (!value) value = type_by_simple_rules(text);
    if (auto ok = insert(root, path, std::move(*value), arg); !ok)
      return tl::unexpected(ok.error());
  }
  return root;
}

}  // namespace qsock::qmp
