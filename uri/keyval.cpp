#include "uri/keyval.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace qsock::uri {
namespace {

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }

// Length of the QAPI name at the start of `s`, or 0 if there is none: a
// letter, then letters, digits, '-' and '_'; optionally preceded by a
// downstream `__RFQDN_` prefix (whose domain may hold '.').
std::size_t qapi_name_length(std::string_view s) {
  std::size_t p = 0;
  auto at = [&](std::size_t i) { return i < s.size() ? s[i] : '\0'; };
  if (at(p) == '_') {
    if (at(++p) != '_') return 0;
    ++p;
    while (is_alnum(at(p)) || at(p) == '-' || at(p) == '.') ++p;
    if (at(p) != '_') return 0;
    ++p;
  }
  if (!is_alpha(at(p))) return 0;
  ++p;
  while (is_alnum(at(p)) || at(p) == '-' || at(p) == '_') ++p;
  return p;
}

// An all-digit fragment as a list index; values past INT_MAX count as
// INT_MAX, as in QEMU (they can only ever be reported missing).
int index_value(std::string_view digits) {
  long long v = 0;
  for (char c : digits) {
    v = v * 10 + (c - '0');
    if (v > INT_MAX) return INT_MAX;
  }
  return static_cast<int>(v);
}

// 1 for `?`, 4 for `help`, else 0: how much of `s` a help request would be.
std::size_t help_prefix_length(std::string_view s) {
  if (!s.empty() && s.front() == '?') return 1;
  if (s.substr(0, 4) == "help") return 4;
  return 0;
}

std::string in_quotes(std::string_view s) { return "'" + std::string(s) + "'"; }

// The parse tree before lists are made: QEMU's QDict of QDicts. Nodes live
// in one vector and name each other by index, so neither building nor
// tearing down a deep tree recurses.
struct Node {
  bool is_string = false;
  std::string value;
  std::vector<std::pair<std::string, std::uint32_t>> members;  // in first-use order
  std::uint64_t written = 0;  // sequence number of the last item that wrote here
};

class Tree {
 public:
  Tree() { nodes_.emplace_back(); }

  static constexpr std::uint32_t root = 0;
  const Node& node(std::uint32_t id) const { return nodes_[id]; }
  std::size_t size() const { return nodes_.size(); }

  // The member `name` of object `parent`, or -1.
  long long find(std::uint32_t parent, const std::string& name) const {
    auto it = index_.find(lookup_key(parent, name));
    return it == index_.end() ? -1 : static_cast<long long>(it->second);
  }

  std::uint32_t add(std::uint32_t parent, const std::string& name, bool is_string) {
    auto id = static_cast<std::uint32_t>(nodes_.size());
    nodes_.emplace_back();
    nodes_.back().is_string = is_string;
    nodes_[parent].members.emplace_back(name, id);
    index_.emplace(lookup_key(parent, name), id);
    return id;
  }

  Node& mutable_node(std::uint32_t id) { return nodes_[id]; }

 private:
  static std::string lookup_key(std::uint32_t parent, const std::string& name) {
    std::string key(reinterpret_cast<const char*>(&parent), sizeof parent);
    return key + name;
  }
  std::vector<Node> nodes_;
  std::unordered_map<std::string, std::uint32_t> index_;
};

Diagnostic error(std::string message, std::string key, std::string hint = {}) {
  return Diagnostic{std::move(message), std::move(key), std::move(hint)};
}

// Why `key` is not a valid key, for the hint under "Invalid parameter".
std::string invalid_key_hint(std::string_view key, std::string_view item, bool after_implied,
                             std::string_view implied_key) {
  if (key.empty()) {
    if (after_implied && !item.empty() && item.front() == ',')
      return "the implied value cannot contain ',' (no ',,' escape there): write it as " +
             std::string(implied_key) + "=VALUE with ',,' for each comma";
    if (!item.empty() && item.front() == '=') return "the key before '=' is missing";
    return "an empty item: remove the extra ','";
  }
  if (auto bracket = key.find('['); bracket != std::string_view::npos) {
    std::string fixed(key.substr(0, bracket));
    for (std::size_t i = bracket; i < key.size(); ++i) {
      if (key[i] == '[')
        fixed += '.';
      else if (key[i] != ']')
        fixed += key[i];
    }
    return "list indices are written with dots: " + fixed + "=...";
  }
  if (is_digit(key.front())) return "a key starts with a letter";
  if (key.back() == '.' || key.front() == '.' || key.find("..") != std::string_view::npos)
    return "a key fragment between dots is empty";
  return "key fragments are names (a letter, then letters, digits, '-' and '_') or list "
         "indices (digits), joined by '.'";
}

class Parser {
 public:
  Parser(std::string_view text, std::string_view implied_key)
      : text_(text), implied_key_(implied_key) {}

  // Parses every item; on success the tree and the help flag are filled.
  tl::expected<void, Diagnostic> parse_items() {
    std::size_t pos = 0;
    bool first = true;
    bool after_implied = false;
    while (pos < text_.size()) {
      ++sequence_;
      auto next = parse_one(pos, first ? implied_key_ : std::string_view{}, after_implied);
      if (!next) return tl::unexpected(next.error());
      pos = *next;
      first = false;
    }
    return {};
  }

  bool help() const { return help_; }
  const Tree& tree() const { return tree_; }

 private:
  // Parses the item at `pos`; returns where the next one starts.
  tl::expected<std::size_t, Diagnostic> parse_one(std::size_t pos, std::string_view implied_key,
                                                  bool& after_implied) {
    std::string_view params = text_.substr(pos);
    std::size_t len = std::min(params.find_first_of("=,"), params.size());
    std::string_view key = params.substr(0, len);
    bool implied = false;
    std::size_t value_end = 0;
    bool was_after_implied = after_implied;
    after_implied = false;

    if (len > 0 && (len == params.size() || params[len] != '=')) {
      if (help_prefix_length(params) == len) {
        help_ = true;
        std::size_t s = len;
        if (s < params.size() && params[s] == ',') ++s;
        return pos + s;
      }
      if (!implied_key.empty()) {
        key = implied_key;
        value_end = len;
        implied = true;
      }
    }
    const std::size_t key_end = key.size();
    auto at = [&](std::size_t i) { return i < key_end ? key[i] : '\0'; };

    // Walk the fragments; `cur` is the object the current fragment names a
    // member of, `in_cur` the previous fragment.
    std::uint32_t cur = Tree::root;
    std::string in_cur;
    std::size_t s = 0;
    for (;;) {
      std::size_t flen = 0;
      if (s != 0 && is_digit(at(s))) {
        while (is_digit(at(s + flen))) ++flen;
      } else {
        flen = qapi_name_length(key.substr(s));
      }
      if (flen == 0 || (s + flen < key_end && key[s + flen] != '.')) {
        return tl::unexpected(
            error("Invalid parameter " + in_quotes(key), std::string(key),
                  invalid_key_hint(key, params, was_after_implied, implied_key_)));
      }
      if (flen > keyval_max_fragment) {
        bool fragment = s != 0 || s + flen != key_end;
        return tl::unexpected(error(std::string("Parameter") + (fragment ? " fragment" : "") + " " +
                                        in_quotes(key.substr(s, flen)) + " is too long",
                                    std::string(key), "a key fragment has at most 127 characters"));
      }
      if (s != 0) {
        auto next = put_object(cur, in_cur, key.substr(0, s - 1));
        if (!next) return tl::unexpected(next.error());
        cur = *next;
      }
      in_cur.assign(key.substr(s, flen));
      s += flen;
      if (at(s) != '.') break;
      ++s;
    }

    std::string value;
    std::size_t next;
    if (implied) {
      value.assign(params.substr(0, value_end));
      next = value_end;
      if (next < params.size() && params[next] == ',') ++next;
      after_implied = true;
    } else {
      if (len == params.size() || params[len] != '=') {
        return tl::unexpected(error("Expected '=' after parameter " + in_quotes(key.substr(0, s)),
                                    std::string(key), bare_key_hint(key)));
      }
      next = len + 1;
      while (next < params.size()) {
        char c = params[next];
        if (c == ',') {
          ++next;
          if (next == params.size() || params[next] != ',') break;
        }
        value += c;
        ++next;
      }
    }

    if (auto put = put_string(cur, in_cur, std::move(value), key); !put)
      return tl::unexpected(put.error());
    return pos + next;
  }

  static std::string bare_key_hint(std::string_view key) {
    if (key.size() > 2 && key.substr(0, 2) == "no")
      return "keyval has no 'no" + std::string("NAME' shorthand: write ") +
             std::string(key.substr(2)) + "=off (or " + std::string(key) + "=on)";
    return "keyval has no bare flags: write " + std::string(key) + "=on";
  }

  tl::expected<std::uint32_t, Diagnostic> put_object(std::uint32_t cur, const std::string& name,
                                                     std::string_view key_so_far) {
    long long found = tree_.find(cur, name);
    std::uint32_t id;
    if (found >= 0) {
      id = static_cast<std::uint32_t>(found);
      if (tree_.node(id).is_string) {
        return tl::unexpected(error(
            "Parameters " + in_quotes(std::string(key_so_far) + ".*") + " used inconsistently",
            std::string(key_so_far),
            "'" + std::string(key_so_far) + "' is given both a value and sub-keys"));
      }
    } else {
      id = tree_.add(cur, name, false);
    }
    tree_.mutable_node(id).written = sequence_;
    return id;
  }

  tl::expected<void, Diagnostic> put_string(std::uint32_t cur, const std::string& name,
                                            std::string value, std::string_view key) {
    long long found = tree_.find(cur, name);
    std::uint32_t id;
    if (found >= 0) {
      id = static_cast<std::uint32_t>(found);
      if (!tree_.node(id).is_string) {
        return tl::unexpected(error(
            "Parameters " + in_quotes(std::string(key) + ".*") + " used inconsistently",
            std::string(key), "'" + std::string(key) + "' is given both a value and sub-keys"));
      }
    } else {
      id = tree_.add(cur, name, true);
    }
    Node& node = tree_.mutable_node(id);
    node.value = std::move(value);
    node.written = sequence_;
    return {};
  }

  std::string_view text_;
  std::string_view implied_key_;
  Tree tree_;
  bool help_ = false;
  std::uint64_t sequence_ = 0;
};

// Turns the parse tree into JSON, making an array of every object whose
// members are all list indices. Post-order like QEMU's keyval_listify, so
// the first error reported is the same, but with an explicit stack.
tl::expected<Json, Diagnostic> listify(const Tree& tree) {
  struct Frame {
    std::uint32_t id;
    std::size_t next = 0;
    std::size_t path_length = 0;  // of `path` while in this node: "a.b."
  };
  std::vector<Json> built(tree.size());
  std::vector<Frame> stack{{Tree::root, 0, 0}};
  std::string path;

  while (!stack.empty()) {
    Frame& frame = stack.back();
    const Node& node = tree.node(frame.id);
    if (frame.next < node.members.size()) {
      const auto& [name, child] = node.members[frame.next++];
      if (tree.node(child).is_string) continue;
      path.resize(frame.path_length);
      path += name;
      path += '.';
      stack.push_back({child, 0, path.size()});
      continue;
    }
    path.resize(frame.path_length);

    bool has_index = false;
    bool has_member = false;
    for (const auto& member : node.members)
      (is_digit(member.first[0]) ? has_index : has_member) = true;
    if (has_index && has_member) {
      return tl::unexpected(error("Parameters " + in_quotes(path + "*") + " used inconsistently",
                                  path.empty() ? path : path.substr(0, path.size() - 1),
                                  "a list takes only numeric indices (key.0, key.1, ...)"));
    }

    auto value_of = [&](std::uint32_t child) {
      const Node& c = tree.node(child);
      return c.is_string ? Json(c.value) : std::move(built[child]);
    };
    Json result;
    if (!has_index) {
      result = Json::object();
      auto& object = result.get_ref<Json::object_t&>();
      object.reserve(node.members.size());
      for (const auto& [name, child] : node.members) object.emplace_back(name, value_of(child));
    } else {
      // Like QEMU: an index past the number of members cannot be filled, so
      // the first gap is reported; for indices written twice ("1", "01") the
      // later write wins (QEMU takes whichever its hash table yields last).
      const std::size_t slots = node.members.size() + 1;
      std::vector<long long> element(slots, -1);
      long long max_index = -1;
      for (const auto& [name, child] : node.members) {
        int index = index_value(name);
        max_index = std::max<long long>(max_index, index);
        if (static_cast<std::size_t>(index) >= slots - 1) continue;
        long long& slot = element[static_cast<std::size_t>(index)];
        if (slot < 0 ||
            tree.node(child).written > tree.node(static_cast<std::uint32_t>(slot)).written)
          slot = child;
      }
      result = Json::array();
      auto count = std::min<long long>(static_cast<long long>(slots), max_index + 1);
      for (long long i = 0; i < count; ++i) {
        if (element[static_cast<std::size_t>(i)] < 0) {
          std::string missing = path + std::to_string(i);
          return tl::unexpected(error("Parameter " + in_quotes(missing) + " missing", missing,
                                      "list indices run from 0 without gaps"));
        }
        result.push_back(
            value_of(static_cast<std::uint32_t>(element[static_cast<std::size_t>(i)])));
      }
    }
    built[frame.id] = std::move(result);
    stack.pop_back();
  }
  return std::move(built[Tree::root]);
}

}  // namespace

tl::expected<KeyvalResult, Diagnostic> parse_keyval(std::string_view text,
                                                    std::string_view implied_key, KeyvalHelp help) {
  Parser parser(text, implied_key);
  if (auto parsed = parser.parse_items(); !parsed) return tl::unexpected(parsed.error());
  if (parser.help() && help == KeyvalHelp::refused)
    return tl::unexpected(error("Help is not available for this option", {}));
  auto tree = listify(parser.tree());
  if (!tree) return tl::unexpected(tree.error());
  return KeyvalResult{std::move(*tree), parser.help()};
}

tl::expected<Json, Diagnostic> parse_keyval_words(std::span<const std::string> words) {
  // One keyval text, each value's commas doubled so they stay in the value.
  std::string text;
  for (const std::string& word : words) {
    auto eq = word.find('=');
    if (eq == std::string::npos)
      return tl::unexpected(error("argument " + in_quotes(word) + " is not KEY=VALUE", word,
                                  "write " + word + "=VALUE"));
    std::string_view key(word.data(), eq);
    if (key.find(',') != std::string_view::npos)
      return tl::unexpected(error("Invalid parameter " + in_quotes(key), std::string(key),
                                  invalid_key_hint(key, key, false, {})));
    if (!text.empty()) text += ',';
    text += key;
    text += '=';
    for (char c : std::string_view(word).substr(eq + 1)) {
      text += c;
      if (c == ',') text += ',';
    }
  }
  auto parsed = parse_keyval(text);
  if (!parsed) return tl::unexpected(parsed.error());
  return std::move(parsed->tree);
}

// --- writing -------------------------------------------------------------

std::optional<std::string> scalar_option_text(const Json& value) {
  switch (value.type()) {
    case Json::value_t::string:
      return value.get<std::string>();
    case Json::value_t::boolean:
      return std::string(value.get<bool>() ? "on" : "off");
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      return dump_json(value);
    default:
      return std::nullopt;
  }
}

namespace {

tl::expected<std::string, Diagnostic> leaf_text(const Json& leaf, const std::string& key) {
  if (auto text = scalar_option_text(leaf)) return *text;
  return tl::unexpected(error(
      "keyval cannot express the value of '" + key + "' (" + std::string(leaf.type_name()) + ")",
      key, "keyval has no syntax for null, {} or []"));
}

void append_escaped(std::string& out, std::string_view value) {
  for (char c : value) {
    out += c;
    if (c == ',') out += ',';
  }
}

bool valid_member_fragment(const std::string& name, bool at_root) {
  if (name.empty() || name.size() > keyval_max_fragment) return false;
  if (!at_root && std::all_of(name.begin(), name.end(), is_digit)) return false;  // an index
  return qapi_name_length(name) == name.size();
}

// The string leaf at dotted `path` in `tree`, if there is one.
const Json* find_leaf(const Json& tree, std::string_view path) {
  const Json* cur = &tree;
  while (true) {
    auto dot = path.find('.');
    std::string name(path.substr(0, dot));
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(name);
    if (it == cur->end()) return nullptr;
    cur = &*it;
    if (dot == std::string_view::npos) return cur;
    path.remove_prefix(dot + 1);
  }
}

}  // namespace

tl::expected<std::string, Diagnostic> format_keyval(const Json& tree,
                                                    std::string_view implied_key) {
  if (!tree.is_object()) return tl::unexpected(error("keyval can only express an object", {}));
  std::string out;
  const Json* implied = nullptr;
  if (!implied_key.empty()) {
    implied = find_leaf(tree, implied_key);
    if (implied && implied->is_string()) {
      const auto& v = implied->get_ref<const std::string&>();
      if (v.empty() || v.find_first_of(",=") != std::string::npos ||
          help_prefix_length(v) == v.size())
        implied = nullptr;  // written as key=value with the rest
      else
        out = v;
    } else {
      implied = nullptr;
    }
  }

  struct Frame {
    const Json* value;
    Json::const_iterator it;
    std::size_t index = 0;
    std::size_t prefix_length = 0;  // of `prefix`: "a.b."
  };
  std::string prefix;
  std::vector<Frame> stack{{&tree, tree.begin(), 0, 0}};
  while (!stack.empty()) {
    Frame& frame = stack.back();
    if (frame.it == frame.value->end()) {
      stack.pop_back();
      continue;
    }
    prefix.resize(frame.prefix_length);
    std::string name;
    if (frame.value->is_object()) {
      name = frame.it.key();
      if (!valid_member_fragment(name, stack.size() == 1))
        return tl::unexpected(
            error(fmt::format("keyval cannot express the key '{}{}'", prefix, name), prefix + name,
                  "a key fragment is a name: a letter, then letters, digits, "
                  "'-' and '_', at most 127 characters"));
    } else {
      name = std::to_string(frame.index);
    }
    const Json& child = *frame.it;
    ++frame.it;
    ++frame.index;
    std::string key = prefix + name;
    if (&child == implied) continue;
    if (child.is_object() || child.is_array()) {
      if (child.empty())
        return tl::unexpected(error("keyval cannot express the empty " +
                                        std::string(child.is_object() ? "object" : "array") + " '" +
                                        key + "'",
                                    key, "keyval has no syntax for {} or []"));
      prefix = key + '.';
      stack.push_back({&child, child.begin(), 0, prefix.size()});
      continue;
    }
    auto text = leaf_text(child, key);
    if (!text) return tl::unexpected(text.error());
    if (!out.empty()) out += ',';
    out += key;
    out += '=';
    append_escaped(out, *text);
  }
  return out;
}

// --- the JSON form ---------------------------------------------------------

namespace {

class JsonReader {
 public:
  explicit JsonReader(std::string_view text) : text_(text) {}

  tl::expected<Json, Diagnostic> read_argument() {
    skip_space();
    if (peek() != '{')
      return fail("expected a JSON object starting with '{'",
                  "an option argument in JSON form is one object: {\"key\": value, ...}");
    auto value = read_value();
    if (!value) return value;
    skip_space();
    if (pos_ < text_.size())
      return fail("unexpected text after the JSON object",
                  "the argument must end with the object's closing '}'");
    return value;
  }

 private:
  char peek() const { return peek_at(pos_); }
  char peek_at(std::size_t i) const { return i < text_.size() ? text_[i] : '\0'; }
  bool at_end() const { return pos_ >= text_.size(); }

  void skip_space() {
    while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r'))
      ++pos_;
  }

  std::string path() const {
    std::string out;
    for (const auto& [is_index, step] : path_) {
      if (is_index) {
        out += "[" + step + "]";
      } else {
        if (!out.empty()) out += '.';
        out += step;
      }
    }
    return out;
  }

  tl::unexpected<Diagnostic> fail(const std::string& what, std::string hint = {}) const {
    std::size_t line = 1;
    std::size_t column = 1;
    for (std::size_t i = 0; i < std::min(pos_, text_.size()); ++i) {
      if (text_[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    return tl::unexpected(Diagnostic{"invalid JSON at line " + std::to_string(line) + ", column " +
                                         std::to_string(column) + ": " + what,
                                     path(), std::move(hint)});
  }

  tl::expected<Json, Diagnostic> read_value() {
    skip_space();
    char c = peek();
    if (c == '{' || c == '[') {
      if (depth_ >= json_max_nesting)
        return fail("nesting deeper than " + std::to_string(json_max_nesting) + " levels");
      ++depth_;
      auto value = c == '{' ? read_object() : read_array();
      --depth_;
      return value;
    }
    if (c == '"' || c == '\'') {
      auto s = read_string();
      if (!s) return tl::unexpected(s.error());
      return Json(std::move(*s));
    }
    if (c == '-' || is_digit(c)) return read_number();
    for (std::string_view word : {"true", "false", "null"}) {
      if (text_.substr(pos_, word.size()) == word) {
        if (is_alnum(peek_at(pos_ + word.size()))) break;
        pos_ += word.size();
        if (word == "true") return Json(true);
        if (word == "false") return Json(false);
        return Json(nullptr);
      }
    }
    if (at_end()) return fail("unexpected end of input, expected a value");
    if (is_alpha(c))
      return fail("unexpected word, expected a value",
                  "strings are quoted; the literals are true, false and null");
    return fail(std::string("unexpected '") + c + "', expected a value");
  }

  tl::expected<Json, Diagnostic> read_object() {
    ++pos_;  // '{'
    Json object = Json::object();
    auto& members = object.get_ref<Json::object_t&>();
    std::unordered_map<std::string, bool> seen;
    skip_space();
    if (peek() == '}') {
      ++pos_;
      return object;
    }
    for (;;) {
      skip_space();
      if (peek() != '"' && peek() != '\'') {
        if (peek() == '}') return fail("expected a member name", "JSON allows no trailing ','");
        return fail("expected a member name in quotes",
                    is_alpha(peek()) ? "member names are quoted: \"name\": value" : "");
      }
      auto name = read_string();
      if (!name) return tl::unexpected(name.error());
      path_.emplace_back(false, *name);
      if (!seen.emplace(*name, true).second) return fail("duplicate member '" + *name + "'");
      skip_space();
      if (peek() != ':') return fail("expected ':' after the member name");
      ++pos_;
      auto value = read_value();
      if (!value) return value;
      members.emplace_back(*name, std::move(*value));
      skip_space();
      if (peek() == ',' || peek() == '}') {
        path_.pop_back();
        if (peek() == '}') {
          ++pos_;
          return object;
        }
        ++pos_;
        continue;
      }
      return fail(at_end() ? "unexpected end of input, expected ',' or '}'"
                           : "expected ',' or '}'");
    }
  }

  tl::expected<Json, Diagnostic> read_array() {
    ++pos_;  // '['
    Json array = Json::array();
    skip_space();
    if (peek() == ']') {
      ++pos_;
      return array;
    }
    for (std::size_t i = 0;; ++i) {
      path_.emplace_back(true, std::to_string(i));
      skip_space();
      if (peek() == ']') return fail("expected a value", "JSON allows no trailing ','");
      auto value = read_value();
      if (!value) return value;
      array.push_back(std::move(*value));
      skip_space();
      if (peek() == ',' || peek() == ']') {
        path_.pop_back();
        if (peek() == ']') {
          ++pos_;
          return array;
        }
        ++pos_;
        continue;
      }
      return fail(at_end() ? "unexpected end of input, expected ',' or ']'"
                           : "expected ',' or ']'");
    }
  }

  tl::expected<Json, Diagnostic> read_number() {
    const std::size_t start = pos_;
    if (peek() == '-') ++pos_;
    if (peek() == '0') {
      ++pos_;
      if (is_digit(peek())) return fail("a number has no leading zeros");
    } else if (is_digit(peek())) {
      while (is_digit(peek())) ++pos_;
    } else {
      return fail("expected a digit after '-'");
    }
    bool integral = true;
    if (peek() == '.') {
      integral = false;
      ++pos_;
      if (!is_digit(peek())) return fail("expected a digit after '.'");
      while (is_digit(peek())) ++pos_;
    }
    if (peek() == 'e' || peek() == 'E') {
      integral = false;
      ++pos_;
      if (peek() == '+' || peek() == '-') ++pos_;
      if (!is_digit(peek())) return fail("expected a digit in the exponent");
      while (is_digit(peek())) ++pos_;
    }
    std::string token(text_.substr(start, pos_ - start));
    // Like QEMU: integers as int64 or, when too large, uint64; else double.
    if (integral) {
      errno = 0;
      char* end = nullptr;
      long long i = std::strtoll(token.c_str(), &end, 10);
      if (errno == 0) return Json(static_cast<std::int64_t>(i));
      if (token.front() != '-') {
        errno = 0;
        unsigned long long u = std::strtoull(token.c_str(), &end, 10);
        if (errno == 0) return Json(static_cast<std::uint64_t>(u));
      }
    }
    errno = 0;
    double d = std::strtod(token.c_str(), nullptr);
    if (errno == ERANGE && (d > 1 || d < -1)) {
      pos_ = start;
      return fail("number out of range");
    }
    return Json(d);
  }

  // Reads a hex quad of a \u escape.
  tl::expected<unsigned, Diagnostic> read_hex4() {
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = peek();
      unsigned digit;
      if (is_digit(c))
        digit = static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f')
        digit = static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        digit = static_cast<unsigned>(c - 'A' + 10);
      else
        return fail("expected four hex digits after \\u");
      v = v * 16 + digit;
      ++pos_;
    }
    return v;
  }

  static void append_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  // Length of the valid UTF-8 sequence at pos_, or 0.
  std::size_t utf8_length() const {
    auto byte = [&](std::size_t i) {
      return pos_ + i < text_.size() ? static_cast<unsigned char>(text_[pos_ + i]) : 0u;
    };
    unsigned b0 = byte(0);
    auto cont = [&](std::size_t i) { return (byte(i) & 0xC0) == 0x80; };
    if (b0 >= 0xC2 && b0 <= 0xDF) return cont(1) ? 2 : 0;
    if (b0 >= 0xE0 && b0 <= 0xEF) {
      unsigned b1 = byte(1);
      if (b0 == 0xE0 && b1 < 0xA0) return 0;  // overlong
      if (b0 == 0xED && b1 > 0x9F) return 0;  // surrogates
      return cont(1) && cont(2) ? 3 : 0;
    }
    if (b0 >= 0xF0 && b0 <= 0xF4) {
      unsigned b1 = byte(1);
      if (b0 == 0xF0 && b1 < 0x90) return 0;
      if (b0 == 0xF4 && b1 > 0x8F) return 0;
      return cont(1) && cont(2) && cont(3) ? 4 : 0;
    }
    return 0;
  }

  tl::expected<std::string, Diagnostic> read_string() {
    const char quote = peek();
    ++pos_;
    std::string out;
    for (;;) {
      if (at_end()) return fail("unexpected end of input in a string");
      char c = peek();
      auto u = static_cast<unsigned char>(c);
      if (c == quote) {
        ++pos_;
        return out;
      }
      if (u < 0x20) return fail("control character in a string", "write it as a \\u escape");
      if (u >= 0x80) {
        std::size_t n = utf8_length();
        if (n == 0) return fail("invalid UTF-8 in a string");
        out.append(text_.substr(pos_, n));
        pos_ += n;
        continue;
      }
      if (c != '\\') {
        out += c;
        ++pos_;
        continue;
      }
      ++pos_;
      char e = peek();
      ++pos_;
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\'':
          out += '\'';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          auto cp = read_hex4();
          if (!cp) return tl::unexpected(cp.error());
          unsigned code = *cp;
          if (code >= 0xDC00 && code <= 0xDFFF) return fail("lone low surrogate in a \\u escape");
          if (code >= 0xD800 && code <= 0xDBFF) {
            if (peek() != '\\' || pos_ + 1 >= text_.size() || text_[pos_ + 1] != 'u')
              return fail("high surrogate not followed by a low one");
            pos_ += 2;
            auto low = read_hex4();
            if (!low) return tl::unexpected(low.error());
            if (*low < 0xDC00 || *low > 0xDFFF)
              return fail("high surrogate not followed by a low one");
            code = 0x10000 + ((code - 0xD800) << 10) + (*low - 0xDC00);
          }
          if (code == 0) return fail("\\u0000 is not allowed", "QEMU strings cannot hold a NUL");
          append_utf8(out, code);
          break;
        }
        default:
          --pos_;
          if (at_end()) return fail("unexpected end of input in a string");
          return fail(std::string("invalid escape '\\") + e + "'");
      }
    }
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t depth_ = 0;
  std::vector<std::pair<bool, std::string>> path_;  // (is an index, name)
};

}  // namespace

tl::expected<Json, Diagnostic> parse_json_argument(std::string_view text) {
  return JsonReader(text).read_argument();
}

}  // namespace qsock::uri
