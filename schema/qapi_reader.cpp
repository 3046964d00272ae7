#include "schema/qapi_reader.h"

#include "base/names.h"
#include "base/text.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <utility>

#include <fmt/format.h>

namespace qsock::schema {

std::string QapiError::str() const {
  if (line == 0) return fmt::format("{}: {}", file, message);
  return fmt::format("{}:{}:{}: {}", file, line, column, message);
}

namespace {

struct Pos {
  int line = 1;
  int column = 1;
};

// ---------------------------------------------------------------------------
// Values: the JSON-like tree an expression is parsed into.

struct Entry;

struct Value {
  enum class Kind { string, boolean, list, dict };
  Kind kind = Kind::string;
  Pos pos;
  std::string text;            // string
  bool flag = false;           // boolean
  std::vector<Value> items;    // list
  std::vector<Entry> entries;  // dict, in written order

  const Value* get(std::string_view key) const;
  const Entry* entry(std::string_view key) const;
};

struct Entry {
  std::string key;
  Pos key_pos;
  Value value;
};

const Entry* Value::entry(std::string_view key) const {
  for (const Entry& e : entries)
    if (e.key == key) return &e;
  return nullptr;
}

const Value* Value::get(std::string_view key) const {
  const Entry* e = entry(key);
  return e ? &e->value : nullptr;
}

std::string_view kind_name(Value::Kind kind) {
  static constexpr Named<Value::Kind> names[] = {
      {Value::Kind::string, "a string"},
      {Value::Kind::boolean, "a boolean"},
      {Value::Kind::list, "a list"},
      {Value::Kind::dict, "a dictionary"},
  };
  return name_in<Value::Kind>(names, kind, "a value");
}

// ---------------------------------------------------------------------------
// Doc blocks.

struct DocLine {
  std::string text;  // after the '#' and one space
  Pos pos;           // of text's first character
};

// Text joined from several doc lines, remembering where each piece came from
// so that an error inside it can point at the line and column.
struct DocText {
  std::string text;
  std::vector<std::pair<std::size_t, Pos>> starts;

  void append(std::string_view piece, Pos pos, std::string_view separator = " ") {
    if (!text.empty()) text += separator;
    starts.emplace_back(text.size(), pos);
    text += piece;
  }
  Pos pos_at(std::size_t offset) const {
    Pos pos;
    std::size_t start = 0;
    for (const auto& [at, p] : starts) {
      if (at > offset) break;
      start = at;
      pos = p;
    }
    pos.column += static_cast<int>(offset - start);
    return pos;
  }
};

struct DocSection {
  std::string name;
  Pos pos;  // of the '@'
  DocText text;
};

struct Doc {
  std::string name;  // the definition it documents
  Pos pos;
  DocText body;
  std::vector<DocSection> members;
  std::string since;
  Pos since_pos;
};

bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
}

// "@name: rest" at the start of a line: the name, and where rest starts.
std::optional<std::pair<std::string, std::size_t>> at_name(std::string_view line) {
  if (line.empty() || line[0] != '@') return std::nullopt;
  std::size_t i = 1;
  while (i < line.size() && is_name_char(line[i])) ++i;
  if (i == 1 || i >= line.size() || line[i] != ':') return std::nullopt;
  return std::make_pair(std::string(line.substr(1, i - 1)), i + 1);
}

// "Tag: rest" at the start of a line, for the section tags QAPI knows.
std::optional<std::pair<std::string, std::size_t>> tag_name(std::string_view line) {
  static constexpr std::string_view tags[] = {"Since",   "Features", "Returns", "Errors",
                                              "Example", "Examples", "Note",    "Notes",
                                              "TODO",    "See also", "Raises"};
  for (std::string_view tag : tags) {
    if (line.substr(0, tag.size()) == tag && line.size() > tag.size() && line[tag.size()] == ':')
      return std::make_pair(std::string(tag), tag.size() + 1);
  }
  return std::nullopt;
}

// Splits a doc block into the definition's name, its body, its member
// sections and its Since. A block whose first line is not "@Name:" is
// free-form text and documents nothing (nullopt).
std::optional<Doc> parse_doc(const std::vector<DocLine>& lines) {
  if (lines.empty()) return std::nullopt;
  auto head = at_name(lines[0].text);
  if (!head || !trim(std::string_view(lines[0].text).substr(head->second)).empty())
    return std::nullopt;
  Doc doc;
  doc.name = head->first;
  doc.pos = lines[0].pos;

  enum class State { body, member, features, skipped };
  State state = State::body;
  bool after_blank = false;
  bool body_paragraph = false;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::string_view text = lines[i].text;
    Pos pos = lines[i].pos;
    if (trim(text).empty()) {
      after_blank = true;
      continue;
    }
    bool indented = std::isspace(static_cast<unsigned char>(text[0])) != 0;
    std::string_view content = trim(text);
    Pos content_pos{pos.line, pos.column + static_cast<int>(text.find(content[0]))};
    bool blank_before = after_blank;
    after_blank = false;

    if (!indented) {
      if (auto at = at_name(text)) {
        if (state == State::features) continue;  // a feature's description
        DocSection section;
        section.name = at->first;
        section.pos = pos;
        std::string_view rest = trim(text.substr(at->second));
        if (!rest.empty())
          section.text.append(rest, Pos{pos.line, pos.column + static_cast<int>(text.find(rest))});
        doc.members.push_back(std::move(section));
        state = State::member;
        continue;
      }
      if (auto tag = tag_name(text)) {
        if (tag->first == "Since") {
          doc.since = std::string(trim(text.substr(tag->second)));
          doc.since_pos = Pos{pos.line, pos.column + static_cast<int>(tag->second) + 1};
          state = State::skipped;
        } else if (tag->first == "Features") {
          state = State::features;
        } else {
          state = State::skipped;
        }
        continue;
      }
      if (content.substr(0, 3) == ".. ") {  // a directive: example, note, ...
        state = State::skipped;
        continue;
      }
    }
    // Continuation of the current section, or body text.
    if (state == State::member && (indented || !blank_before)) {
      doc.members.back().text.append(content, content_pos);
      continue;
    }
    if ((state == State::skipped || state == State::features) && indented) continue;
    state = State::body;
    if (blank_before && body_paragraph) {
      doc.body.append(content, content_pos, "\n");
    } else {
      doc.body.append(content, content_pos);
    }
    body_paragraph = true;
  }
  return doc;
}

// The availability notes in a piece of doc text. `own` tells whether the
// text had a since/proposed note of its own.
struct Notes {
  std::optional<QemuVersion> since;
  bool proposed = false;
  std::optional<QemuVersion> removed;
  bool own() const { return since || proposed; }
};

bool starts_with_ci(std::string_view text, std::size_t at, std::string_view word) {
  if (text.size() - at < word.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(text[at + i])) != word[i]) return false;
  return true;
}

// Finds and removes "(since X.Y)", "(proposed)" and "(removed in X.Y)", and a
// leading "Since X.Y" (the older style of some enum value docs).
tl::expected<Notes, std::pair<Pos, std::string>> take_notes(DocText& doc) {
  Notes notes;
  std::string& text = doc.text;
  std::string kept;
  kept.reserve(text.size());
  std::size_t i = 0;
  auto version_at = [&](std::size_t from,
                        std::size_t to) -> tl::expected<QemuVersion, std::pair<Pos, std::string>> {
    std::string_view v = trim(std::string_view(text).substr(from, to - from));
    if (auto parsed = parse_qemu_version(v)) return *parsed;
    return tl::unexpected(std::make_pair(
        doc.pos_at(from), fmt::format("'{}' is not a QEMU version (expected X.Y)", v)));
  };
  if (starts_with_ci(text, 0, "since ")) {
    std::size_t end = 6;
    while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end]))) ++end;
    std::size_t stop = end;
    if (stop > 6 && text[stop - 1] == '.') --stop;  // "Since 1.5."
    auto v = version_at(6, stop);
    if (!v) return tl::unexpected(v.error());
    notes.since = *v;
    i = end;
  }
  while (i < text.size()) {
    if (text[i] == '(') {
      std::size_t close = text.find(')', i);
      std::size_t word = i + 1;
      while (word < text.size() && text[word] == ' ') ++word;
      if (starts_with_ci(text, word, "since ") || starts_with_ci(text, word, "since\t")) {
        if (close == std::string::npos)
          return tl::unexpected(std::make_pair(doc.pos_at(i), "unclosed '(since'"));
        auto v = version_at(word + 6, close);
        if (!v) return tl::unexpected(v.error());
        notes.since = *v;
        i = close + 1;
        continue;
      }
      if (starts_with_ci(text, word, "removed in ")) {
        if (close == std::string::npos)
          return tl::unexpected(std::make_pair(doc.pos_at(i), "unclosed '(removed in'"));
        auto v = version_at(word + 11, close);
        if (!v) return tl::unexpected(v.error());
        notes.removed = *v;
        i = close + 1;
        continue;
      }
      if (starts_with_ci(text, word, "proposed") && close != std::string::npos &&
          trim(std::string_view(text).substr(word, close - word)) == "proposed") {
        notes.proposed = true;
        i = close + 1;
        continue;
      }
    }
    // Copy up to the next '(' in one piece: this runs over every doc comment
    // of the embedded schema on every qsock start.
    std::size_t next = text.find('(', i + 1);
    if (next == std::string::npos) next = text.size();
    kept.append(text, i, next - i);
    i = next;
  }
  if (notes.since && notes.proposed)
    return tl::unexpected(std::make_pair(doc.pos_at(0), "both '(since ...)' and '(proposed)'"));
  // Collapse the spaces the removed notes leave behind.
  std::string clean;
  clean.reserve(kept.size());
  for (char c : kept) {
    if (c == ' ' && (clean.empty() || clean.back() == ' ' || clean.back() == '\n')) continue;
    if ((c == '.' || c == ',' || c == '\n') && !clean.empty() && clean.back() == ' ')
      clean.pop_back();
    clean += c;
  }
  while (!clean.empty() && (clean.back() == ' ' || clean.back() == '\n')) clean.pop_back();
  text = std::move(clean);
  return notes;
}

Availability apply_notes(const Notes& notes, const Availability& inherited) {
  Availability a = inherited;
  if (notes.since) a = Availability::released_in(*notes.since);
  if (notes.proposed) a = Availability::proposed_only();
  if (notes.removed) a.removed = notes.removed;
  return a;
}

// ---------------------------------------------------------------------------
// The reader of one file.

struct SharedState {
  Schema* schema = nullptr;
  const QapiIncludeLookup* lookup = nullptr;
  std::set<std::string, std::less<>> files_read;
  std::map<std::string, std::pair<std::string, Pos>, std::less<>> defined_at;
};

class FileReader {
 public:
  FileReader(std::string_view file, std::string_view text, SharedState& shared)
      : file_(file), text_(text), shared_(shared) {}

  tl::expected<void, QapiError> read();

 private:
  using Fail = tl::unexpected<QapiError>;

  Fail error(Pos pos, std::string message) const {
    return Fail(QapiError{file_, pos.line, pos.column, std::move(message)});
  }
  Pos here() const { return Pos{line_, static_cast<int>(pos_ - line_start_) + 1}; }
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  void advance() {
    if (text_[pos_] == '\n') {
      ++line_;
      line_start_ = pos_ + 1;
    }
    ++pos_;
  }
  std::string_view rest_of_line() {
    std::size_t end = text_.find('\n', pos_);
    if (end == std::string_view::npos) end = text_.size();
    std::string_view line = text_.substr(pos_, end - pos_);
    pos_ = end;
    return line;
  }

  tl::expected<void, QapiError> skip_space();
  tl::expected<void, QapiError> read_doc_block(Pos start);
  tl::expected<Value, QapiError> parse_value();
  tl::expected<Value, QapiError> parse_string();
  tl::expected<Value, QapiError> parse_dict();
  tl::expected<Value, QapiError> parse_list();

  tl::expected<void, QapiError> expression(const Value& expr, std::optional<Doc> doc);
  tl::expected<void, QapiError> apply_doc(TypeDef& def, std::optional<Doc>& doc,
                                          bool check_member_docs) const;
  tl::expected<void, QapiError> add(TypeDef def, Pos pos);
  tl::expected<void, QapiError> define(TypeDef def, Pos pos, std::optional<Doc>& doc,
                                       bool check_member_docs);
  tl::expected<std::string, QapiError> type_ref(const Value& v, std::string_view what) const;
  tl::expected<std::string, QapiError> condition(const Value& v) const;
  tl::expected<std::vector<std::string>, QapiError> features(const Value& v) const;
  tl::expected<std::vector<Member>, QapiError> members(const Value& data) const;
  tl::expected<std::vector<EnumValue>, QapiError> enum_values(const Value& data) const;
  tl::expected<void, QapiError> check_keys(const Value& dict, std::string_view what,
                                           std::initializer_list<std::string_view> allowed) const;
  tl::expected<std::string, QapiError> name_of(const Value& v, std::string_view what) const;

  std::string file_;
  std::string_view text_;
  SharedState& shared_;
  std::size_t pos_ = 0;
  int line_ = 1;
  std::size_t line_start_ = 0;
  std::optional<std::vector<DocLine>> pending_doc_;
  Pos pending_doc_pos_;
};

tl::expected<void, QapiError> FileReader::skip_space() {
  while (!at_end()) {
    char c = peek();
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      advance();
    } else if (c == '#') {
      Pos start = here();
      std::string_view line = rest_of_line();
      if (trim(line) == "##" && start.column == 1) {
        if (auto r = read_doc_block(start); !r) return r;
      }
    } else {
      break;
    }
  }
  return {};
}

// Reads the lines after an opening "##" up to the closing "##".
tl::expected<void, QapiError> FileReader::read_doc_block(Pos start) {
  if (pending_doc_) {
    auto doc = parse_doc(*pending_doc_);
    if (doc)
      return error(
          pending_doc_pos_,
          fmt::format("doc comment for '{}' is not followed by its definition", doc->name));
  }
  std::vector<DocLine> lines;
  while (true) {
    if (at_end()) return error(start, "doc comment is not closed with a '##' line");
    advance();  // the newline
    Pos line_pos = here();
    if (peek() != '#') return error(line_pos, "doc comment is not closed with a '##' line");
    std::string_view line = rest_of_line();
    if (trim(line) == "##") break;
    std::string_view text = line.substr(1);
    int column = line_pos.column + 1;
    if (!text.empty() && text[0] == ' ') {
      text.remove_prefix(1);
      ++column;
    }
    while (!text.empty() && (text.back() == '\r' || text.back() == ' ')) text.remove_suffix(1);
    lines.push_back(DocLine{std::string(text), Pos{line_pos.line, column}});
  }
  pending_doc_ = std::move(lines);
  pending_doc_pos_ = start;
  return {};
}

tl::expected<Value, QapiError> FileReader::parse_value() {
  if (auto r = skip_space(); !r) return tl::unexpected(r.error());
  Pos pos = here();
  if (at_end()) return error(pos, "unexpected end of file; expected a value");
  char c = peek();
  if (c == '\'') return parse_string();
  if (c == '{') return parse_dict();
  if (c == '[') return parse_list();
  if (c == '"') return error(pos, "strings are written in single quotes");
  if (std::isalpha(static_cast<unsigned char>(c))) {
    std::size_t end = pos_;
    while (end < text_.size() && std::isalnum(static_cast<unsigned char>(text_[end]))) ++end;
    std::string_view word = text_.substr(pos_, end - pos_);
    if (word == "true" || word == "false") {
      pos_ = end;
      Value v;
      v.kind = Value::Kind::boolean;
      v.pos = pos;
      v.flag = word == "true";
      return v;
    }
    return error(pos, fmt::format("unexpected '{}'; strings are written in single quotes", word));
  }
  return error(pos, fmt::format("unexpected '{}'; expected a value", c));
}

tl::expected<Value, QapiError> FileReader::parse_string() {
  Value v;
  v.pos = here();
  advance();  // the quote
  while (true) {
    if (at_end() || peek() == '\n') return error(v.pos, "string is not closed");
    char c = peek();
    if (c == '\'') {
      advance();
      return v;
    }
    if (c == '\\') return error(here(), "backslash escapes are not supported in QAPI strings");
    if (static_cast<unsigned char>(c) < 0x20) return error(here(), "control character in a string");
    v.text += c;
    advance();
  }
}

tl::expected<Value, QapiError> FileReader::parse_dict() {
  Value v;
  v.kind = Value::Kind::dict;
  v.pos = here();
  advance();  // '{'
  if (auto r = skip_space(); !r) return tl::unexpected(r.error());
  if (peek() == '}') {
    advance();
    return v;
  }
  while (true) {
    if (auto r = skip_space(); !r) return tl::unexpected(r.error());
    Pos key_pos = here();
    if (peek() != '\'') return error(key_pos, "expected a key (a single-quoted string)");
    auto key = parse_string();
    if (!key) return tl::unexpected(key.error());
    if (v.entry(key->text)) return error(key_pos, fmt::format("duplicate key '{}'", key->text));
    if (auto r = skip_space(); !r) return tl::unexpected(r.error());
    if (peek() != ':') return error(here(), fmt::format("expected ':' after key '{}'", key->text));
    advance();
    auto value = parse_value();
    if (!value) return value;
    v.entries.push_back(Entry{key->text, key_pos, std::move(*value)});
    if (auto r = skip_space(); !r) return tl::unexpected(r.error());
    if (peek() == ',') {
      advance();
      continue;
    }
    if (peek() == '}') {
      advance();
      return v;
    }
    if (at_end()) return error(v.pos, "dictionary is not closed");
    return error(here(), "expected ',' or '}' in a dictionary");
  }
}

tl::expected<Value, QapiError> FileReader::parse_list() {
  Value v;
  v.kind = Value::Kind::list;
  v.pos = here();
  advance();  // '['
  if (auto r = skip_space(); !r) return tl::unexpected(r.error());
  if (peek() == ']') {
    advance();
    return v;
  }
  while (true) {
    auto item = parse_value();
    if (!item) return item;
    v.items.push_back(std::move(*item));
    if (auto r = skip_space(); !r) return tl::unexpected(r.error());
    if (peek() == ',') {
      advance();
      continue;
    }
    if (peek() == ']') {
      advance();
      return v;
    }
    if (at_end()) return error(v.pos, "list is not closed");
    return error(here(), "expected ',' or ']' in a list");
  }
}

tl::expected<void, QapiError> FileReader::read() {
  while (true) {
    if (auto r = skip_space(); !r) return r;
    if (at_end()) break;
    Pos pos = here();
    if (peek() != '{') return error(pos, "expected '{' to start an expression");
    auto expr = parse_dict();
    if (!expr) return tl::unexpected(expr.error());
    std::optional<Doc> doc;
    if (pending_doc_) doc = parse_doc(*pending_doc_);
    pending_doc_.reset();
    if (auto r = expression(*expr, std::move(doc)); !r) return r;
  }
  if (pending_doc_) {
    if (auto doc = parse_doc(*pending_doc_))
      return error(
          pending_doc_pos_,
          fmt::format("doc comment for '{}' is not followed by its definition", doc->name));
  }
  return {};
}

tl::expected<void, QapiError> FileReader::check_keys(
    const Value& dict, std::string_view what,
    std::initializer_list<std::string_view> allowed) const {
  for (const Entry& e : dict.entries) {
    if (std::find(allowed.begin(), allowed.end(), e.key) == allowed.end())
      return error(e.key_pos, fmt::format("unknown key '{}' in {}", e.key, what));
  }
  return {};
}

bool valid_name(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), is_name_char);
}

tl::expected<std::string, QapiError> FileReader::name_of(const Value& v,
                                                         std::string_view what) const {
  if (v.kind != Value::Kind::string)
    return error(v.pos, fmt::format("{} must be a string, not {}", what, kind_name(v.kind)));
  if (!valid_name(v.text))
    return error(v.pos, fmt::format("'{}' is not a valid name for {}", v.text, what));
  return v.text;
}

// A type reference: 'T' or ['T'].
tl::expected<std::string, QapiError> FileReader::type_ref(const Value& v,
                                                          std::string_view what) const {
  if (v.kind == Value::Kind::string) {
    if (!valid_name(v.text)) return error(v.pos, fmt::format("'{}' is not a type name", v.text));
    return v.text;
  }
  if (v.kind == Value::Kind::list) {
    if (v.items.size() != 1 || v.items[0].kind != Value::Kind::string)
      return error(v.pos, fmt::format("{}: a list type is written ['Type'] with one name", what));
    if (!valid_name(v.items[0].text))
      return error(v.items[0].pos, fmt::format("'{}' is not a type name", v.items[0].text));
    return "[" + v.items[0].text + "]";
  }
  return error(
      v.pos, fmt::format("{}: expected a type name or ['Type'], not {}", what, kind_name(v.kind)));
}

// 'if': a string, or {'all': [...]}, {'any': [...]}, {'not': ...}.
tl::expected<std::string, QapiError> FileReader::condition(const Value& v) const {
  if (v.kind == Value::Kind::string) {
    if (v.text.empty()) return error(v.pos, "'if' condition is empty");
    return v.text;
  }
  if (v.kind != Value::Kind::dict || v.entries.size() != 1)
    return error(v.pos, "'if' must be a string or a dictionary with one of 'all', 'any', 'not'");
  const Entry& e = v.entries[0];
  auto wrap = [](const Value& operand, const std::string& text) {
    return operand.kind == Value::Kind::string ? text : "(" + text + ")";
  };
  if (e.key == "not") {
    auto inner = condition(e.value);
    if (!inner) return inner;
    return "!" + wrap(e.value, *inner);
  }
  if (e.key == "all" || e.key == "any") {
    if (e.value.kind != Value::Kind::list || e.value.items.empty())
      return error(e.value.pos, fmt::format("'{}' needs a non-empty list of conditions", e.key));
    std::string out;
    for (const Value& operand : e.value.items) {
      auto inner = condition(operand);
      if (!inner) return inner;
      if (!out.empty()) out += e.key == "all" ? " && " : " || ";
      out += wrap(operand, *inner);
    }
    return out;
  }
  return error(e.key_pos,
               fmt::format("unknown 'if' operator '{}'; expected all, any or not", e.key));
}

tl::expected<std::vector<std::string>, QapiError> FileReader::features(const Value& v) const {
  if (v.kind != Value::Kind::list) return error(v.pos, "'features' must be a list");
  std::vector<std::string> out;
  for (const Value& f : v.items) {
    if (f.kind == Value::Kind::dict) {
      if (auto r = check_keys(f, "a feature", {"name", "if"}); !r) return tl::unexpected(r.error());
      const Value* name = f.get("name");
      if (!name) return error(f.pos, "feature has no 'name'");
      auto n = name_of(*name, "a feature");
      if (!n) return tl::unexpected(n.error());
      out.push_back(*n);
    } else {
      auto n = name_of(f, "a feature");
      if (!n) return tl::unexpected(n.error());
      out.push_back(*n);
    }
  }
  return out;
}

tl::expected<std::vector<Member>, QapiError> FileReader::members(const Value& data) const {
  if (data.kind != Value::Kind::dict)
    return error(data.pos,
                 fmt::format("members must be a dictionary, not {}", kind_name(data.kind)));
  std::vector<Member> out;
  for (const Entry& e : data.entries) {
    Member m;
    std::string_view name = e.key;
    if (!name.empty() && name[0] == '*') {
      m.optional = true;
      name.remove_prefix(1);
    }
    if (!valid_name(name))
      return error(e.key_pos, fmt::format("'{}' is not a valid member name", e.key));
    m.name = std::string(name);
    for (const Member& other : out)
      if (other.name == m.name)
        return error(e.key_pos, fmt::format("duplicate member '{}'", m.name));
    const Value* type = &e.value;
    if (e.value.kind == Value::Kind::dict) {
      if (auto r =
              check_keys(e.value, fmt::format("member '{}'", m.name), {"type", "if", "features"});
          !r)
        return tl::unexpected(r.error());
      type = e.value.get("type");
      if (!type) return error(e.value.pos, fmt::format("member '{}' has no 'type'", m.name));
      if (const Value* c = e.value.get("if")) {
        auto cond = condition(*c);
        if (!cond) return tl::unexpected(cond.error());
        m.condition = *cond;
      }
      if (const Value* f = e.value.get("features")) {
        auto fs = features(*f);
        if (!fs) return tl::unexpected(fs.error());
        m.features = *fs;
      }
    }
    auto t = type_ref(*type, fmt::format("member '{}'", m.name));
    if (!t) return tl::unexpected(t.error());
    m.type = *t;
    out.push_back(std::move(m));
  }
  return out;
}

tl::expected<std::vector<EnumValue>, QapiError> FileReader::enum_values(const Value& data) const {
  if (data.kind != Value::Kind::list)
    return error(data.pos, fmt::format("enum 'data' must be a list, not {}", kind_name(data.kind)));
  std::vector<EnumValue> out;
  for (const Value& item : data.items) {
    EnumValue v;
    const Value* name = &item;
    if (item.kind == Value::Kind::dict) {
      if (auto r = check_keys(item, "an enum value", {"name", "if", "features"}); !r)
        return tl::unexpected(r.error());
      name = item.get("name");
      if (!name) return error(item.pos, "enum value has no 'name'");
      if (const Value* f = item.get("features")) {
        auto fs = features(*f);
        if (!fs) return tl::unexpected(fs.error());
        v.features = *fs;
      }
      if (const Value* c = item.get("if")) {
        // EnumValue has no condition of its own; keep it visible in the doc.
        auto cond = condition(*c);
        if (!cond) return tl::unexpected(cond.error());
        v.doc = "[if " + *cond + "]";
      }
    }
    auto n = name_of(*name, "an enum value");
    if (!n) return tl::unexpected(n.error());
    for (const EnumValue& other : out)
      if (other.name == *n) return error(name->pos, fmt::format("duplicate enum value '{}'", *n));
    v.name = *n;
    out.push_back(std::move(v));
  }
  return out;
}

// Applies the doc block to a definition and its members: the definition's
// availability and text, and each member's or value's.
tl::expected<void, QapiError> FileReader::apply_doc(TypeDef& def, std::optional<Doc>& doc,
                                                    bool check_member_docs) const {
  if (doc) {
    if (doc->name != def.name)
      return error(doc->pos,
                   fmt::format("doc comment is for '{}' but the definition after it is '{}'",
                               doc->name, def.name));
    auto notes = take_notes(doc->body);
    if (!notes) return error(notes.error().first, notes.error().second);
    if (!doc->since.empty()) {
      auto v = parse_qemu_version(doc->since);
      if (!v)
        return error(doc->since_pos, fmt::format("'Since: {}' is not a QEMU version", doc->since));
      if (notes->proposed) return error(doc->since_pos, "a proposed definition has no 'Since:'");
      def.avail = Availability::released_in(*v);
    }
    def.avail = apply_notes(*notes, def.avail);
    def.doc = doc->body.text;
  }
  std::vector<bool> member_noted(def.members.size()), value_noted(def.values.size());
  if (doc) {
    for (DocSection& section : doc->members) {
      Member* member = nullptr;
      EnumValue* value = nullptr;
      std::size_t index = 0;
      for (std::size_t i = 0; i < def.members.size(); ++i)
        if (def.members[i].name == section.name) member = &def.members[index = i];
      for (std::size_t i = 0; i < def.values.size(); ++i)
        if (def.values[i].name == section.name) value = &def.values[index = i];
      if (!member && !value) {
        if (!check_member_docs) continue;
        return error(section.pos,
                     fmt::format("'@{}' documents nothing: '{}' has no member of that name",
                                 section.name, def.name));
      }
      auto member_notes = take_notes(section.text);
      if (!member_notes) return error(member_notes.error().first, member_notes.error().second);
      Availability a = apply_notes(*member_notes, def.avail);
      if (member) {
        member->avail = a;
        member->doc = section.text.text;
        member_noted[index] = true;
      } else {
        value->avail = a;
        value->doc = value->doc.empty() ? section.text.text : section.text.text + " " + value->doc;
        value_noted[index] = true;
      }
    }
  }
  // Members and values without a doc section take the definition's.
  for (std::size_t i = 0; i < def.members.size(); ++i)
    if (!member_noted[i]) def.members[i].avail = def.avail;
  for (std::size_t i = 0; i < def.values.size(); ++i)
    if (!value_noted[i]) def.values[i].avail = def.avail;
  return {};
}

tl::expected<void, QapiError> FileReader::add(TypeDef def, Pos pos) {
  if (auto it = shared_.defined_at.find(def.name); it != shared_.defined_at.end())
    return error(pos, fmt::format("'{}' is already defined at {}:{}", def.name, it->second.first,
                                  it->second.second.line));
  def.file = file_;
  shared_.defined_at.emplace(def.name, std::make_pair(file_, pos));
  shared_.schema->add(std::move(def));
  return {};
}

tl::expected<void, QapiError> FileReader::define(TypeDef def, Pos pos, std::optional<Doc>& doc,
                                                 bool check_member_docs) {
  if (auto r = apply_doc(def, doc, check_member_docs); !r) return r;
  return add(std::move(def), pos);
}

tl::expected<void, QapiError> FileReader::expression(const Value& expr, std::optional<Doc> doc) {
  static constexpr std::string_view kinds[] = {"struct",  "union", "enum",    "alternate",
                                               "command", "event", "include", "pragma"};
  const Entry* kind = nullptr;
  for (std::string_view k : kinds) {
    if (const Entry* e = expr.entry(k)) {
      if (kind)
        return error(e->key_pos, fmt::format("expression has both '{}' and '{}'", kind->key, k));
      kind = e;
    }
  }
  if (!kind)
    return error(expr.pos,
                 "expression must have one of 'struct', 'union', 'enum', 'alternate', 'command', "
                 "'event', 'include', 'pragma'");

  if (kind->key == "pragma") {
    if (doc) return error(doc->pos, "a doc comment cannot document a pragma");
    return check_keys(expr, "a pragma", {"pragma"});
  }
  if (kind->key == "include") {
    if (auto r = check_keys(expr, "an include", {"include"}); !r) return r;
    if (kind->value.kind != Value::Kind::string)
      return error(kind->value.pos, "'include' must name a file");
    std::string name = kind->value.text;
    if (!shared_.lookup || !*shared_.lookup)
      return error(kind->value.pos,
                   fmt::format("cannot include '{}': no other files are available", name));
    auto text = (*shared_.lookup)(name);
    if (!text) {
      // Upstream files include with a directory part; the set is flat.
      std::string base = name.substr(name.find_last_of('/') + 1);
      text = (*shared_.lookup)(base);
      name = base;
    }
    if (!text)
      return error(kind->value.pos, fmt::format("included file '{}' is not in the schema", name));
    if (!shared_.files_read.insert(name).second) return {};
    FileReader inner(name, *text, shared_);
    return inner.read();
  }

  std::string what = fmt::format("{} '{}'", kind->key,
                                 kind->value.kind == Value::Kind::string ? kind->value.text : "?");
  auto name = name_of(kind->value, fmt::format("a {}", kind->key));
  if (!name) return tl::unexpected(name.error());
  TypeDef def;
  def.name = *name;
  if (const Value* c = expr.get("if")) {
    auto cond = condition(*c);
    if (!cond) return tl::unexpected(cond.error());
    def.condition = *cond;
  }
  if (const Value* f = expr.get("features")) {
    auto fs = features(*f);
    if (!fs) return tl::unexpected(fs.error());
    def.features = *fs;
  }
  const Value* data = expr.get("data");

  if (kind->key == "struct") {
    if (auto r = check_keys(expr, what, {"struct", "data", "base", "if", "features"}); !r) return r;
    def.meta = Meta::object;
    if (!data) return error(expr.pos, fmt::format("{} has no 'data'", what));
    auto ms = members(*data);
    if (!ms) return tl::unexpected(ms.error());
    def.members = std::move(*ms);
    if (const Value* base = expr.get("base")) {
      auto b = name_of(*base, "a struct's base");
      if (!b) return tl::unexpected(b.error());
      def.base = *b;
    }
    return define(std::move(def), kind->key_pos, doc, true);
  }

  if (kind->key == "union") {
    if (auto r =
            check_keys(expr, what, {"union", "base", "discriminator", "data", "if", "features"});
        !r)
      return r;
    def.meta = Meta::object;
    const Value* base = expr.get("base");
    if (!base) return error(expr.pos, fmt::format("{} has no 'base'", what));
    if (base->kind == Value::Kind::dict) {
      auto ms = members(*base);
      if (!ms) return tl::unexpected(ms.error());
      def.members = std::move(*ms);
    } else {
      auto b = name_of(*base, "a union's base");
      if (!b) return tl::unexpected(b.error());
      def.base = *b;
    }
    const Value* disc = expr.get("discriminator");
    if (!disc) return error(expr.pos, fmt::format("{} has no 'discriminator'", what));
    auto d = name_of(*disc, "a discriminator");
    if (!d) return tl::unexpected(d.error());
    def.discriminator = *d;
    if (!data) return error(expr.pos, fmt::format("{} has no 'data'", what));
    if (data->kind != Value::Kind::dict)
      return error(data->pos, "union branches must be a dictionary");
    for (const Entry& e : data->entries) {
      const Value* type = &e.value;
      if (e.value.kind == Value::Kind::dict) {
        if (auto r = check_keys(e.value, fmt::format("branch '{}'", e.key), {"type", "if"}); !r)
          return r;
        type = e.value.get("type");
        if (!type) return error(e.value.pos, fmt::format("branch '{}' has no 'type'", e.key));
      }
      if (type->kind != Value::Kind::string)
        return error(type->pos, fmt::format("branch '{}' must name a struct type", e.key));
      auto t = type_ref(*type, fmt::format("branch '{}'", e.key));
      if (!t) return tl::unexpected(t.error());
      def.variants.push_back(Variant{e.key, *t});
    }
    return define(std::move(def), kind->key_pos, doc, true);
  }

  if (kind->key == "enum") {
    if (auto r = check_keys(expr, what, {"enum", "data", "if", "features", "prefix"}); !r) return r;
    def.meta = Meta::enumeration;
    if (!data) return error(expr.pos, fmt::format("{} has no 'data'", what));
    auto vs = enum_values(*data);
    if (!vs) return tl::unexpected(vs.error());
    def.values = std::move(*vs);
    return define(std::move(def), kind->key_pos, doc, true);
  }

  if (kind->key == "alternate") {
    if (auto r = check_keys(expr, what, {"alternate", "data", "if", "features"}); !r) return r;
    def.meta = Meta::alternate;
    if (!data || data->kind != Value::Kind::dict || data->entries.empty())
      return error(expr.pos, fmt::format("{} needs 'data' with at least one alternative", what));
    for (const Entry& e : data->entries) {
      const Value* type = &e.value;
      if (e.value.kind == Value::Kind::dict) {
        if (auto r = check_keys(e.value, fmt::format("alternative '{}'", e.key), {"type", "if"});
            !r)
          return r;
        type = e.value.get("type");
        if (!type) return error(e.value.pos, fmt::format("alternative '{}' has no 'type'", e.key));
      }
      auto t = type_ref(*type, fmt::format("alternative '{}'", e.key));
      if (!t) return tl::unexpected(t.error());
      def.alternatives.push_back(*t);
    }
    return define(std::move(def), kind->key_pos, doc, false);
  }

  // command or event
  bool is_command = kind->key == "command";
  if (is_command) {
    if (auto r = check_keys(expr, what,
                            {"command", "data", "returns", "boxed", "allow-oob", "if", "features",
                             "gen", "success-response", "allow-preconfig", "coroutine"});
        !r)
      return r;
  } else {
    if (auto r = check_keys(expr, what, {"event", "data", "boxed", "if", "features"}); !r) return r;
  }
  def.meta = is_command ? Meta::command : Meta::event;
  auto flag = [&](std::string_view key, bool& out) -> tl::expected<void, QapiError> {
    if (const Value* v = expr.get(key)) {
      if (v->kind != Value::Kind::boolean)
        return error(v->pos, fmt::format("'{}' must be true or false", key));
      out = v->flag;
    }
    return {};
  };
  if (auto r = flag("boxed", def.boxed); !r) return r;
  if (auto r = flag("allow-oob", def.allow_oob); !r) return r;
  if (const Value* ret = expr.get("returns")) {
    auto t = type_ref(*ret, "'returns'");
    if (!t) return tl::unexpected(t.error());
    def.ret_type = *t;
  }
  std::optional<TypeDef> arg;
  if (data) {
    if (data->kind == Value::Kind::dict) {
      if (def.boxed) return error(data->pos, "a boxed command or event names its argument type");
      arg.emplace();
      arg->name = "q_obj_" + def.name + "-arg";
      arg->meta = Meta::object;
      auto ms = members(*data);
      if (!ms) return tl::unexpected(ms.error());
      arg->members = std::move(*ms);
      def.arg_type = arg->name;
    } else {
      auto t = name_of(*data, "an argument type");
      if (!t) return tl::unexpected(t.error());
      def.arg_type = *t;
    }
  }
  // The doc documents the arguments: read it with the arguments in place,
  // then move them to the implicit argument type.
  if (arg) {
    def.members = std::move(arg->members);
    if (auto r = apply_doc(def, doc, true); !r) return r;
    arg->members = std::move(def.members);
    def.members.clear();
    arg->avail = def.avail;
    arg->condition = def.condition;
    if (auto r = add(std::move(def), kind->key_pos); !r) return r;
    return add(std::move(*arg), kind->key_pos);
  }
  bool check_docs = def.arg_type.empty();  // a named argument type documents itself
  return define(std::move(def), kind->key_pos, doc, check_docs);
}

// ---------------------------------------------------------------------------
// Whole-schema checks.

using Where = std::map<std::string, std::pair<std::string, Pos>, std::less<>>;

tl::expected<void, QapiError> check_references(const Schema& schema, const Where* where) {
  for (const std::string& name : schema.names()) {
    const TypeDef& def = *schema.find(name);
    auto fail = [&](std::string message) {
      QapiError e{def.file, 0, 0, std::move(message)};
      if (where) {
        if (auto it = where->find(name); it != where->end()) {
          e.line = it->second.second.line;
          e.column = it->second.second.column;
        }
      }
      if (e.file.empty()) e.file = schema.origin;
      return tl::unexpected(std::move(e));
    };
    auto exists = [&](std::string_view type) {
      std::string_view t = type;
      if (t.size() > 2 && t.front() == '[' && t.back() == ']') t = t.substr(1, t.size() - 2);
      return schema.find(t) != nullptr;
    };
    if (!def.base.empty()) {
      const TypeDef* base = schema.find(def.base);
      if (!base) return fail(fmt::format("base '{}' of '{}' is not defined", def.base, name));
      if (base->meta != Meta::object || !base->variants.empty())
        return fail(fmt::format("base '{}' of '{}' is not a struct", def.base, name));
    }
    for (const Member& m : def.members)
      if (!exists(m.type))
        return fail(
            fmt::format("type '{}' of member '{}' of '{}' is not defined", m.type, m.name, name));
    if (!def.discriminator.empty()) {
      const Member* tag = schema.member(def, def.discriminator);
      if (!tag)
        return fail(fmt::format("discriminator '{}' of '{}' is not a member of its base",
                                def.discriminator, name));
      const TypeDef* tag_type = schema.find(tag->type);
      if (!tag_type || tag_type->meta != Meta::enumeration)
        return fail(fmt::format("discriminator '{}' of '{}' is not of an enum type",
                                def.discriminator, name));
      for (const Variant& v : def.variants) {
        if (!schema.enum_value(*tag_type, v.value))
          return fail(fmt::format("branch '{}' of '{}' is not a value of '{}'", v.value, name,
                                  tag_type->name));
        const TypeDef* branch = schema.find(v.type);
        if (!branch)
          return fail(fmt::format("type '{}' of branch '{}' of '{}' is not defined", v.type,
                                  v.value, name));
        if (branch->meta != Meta::object)
          return fail(fmt::format("branch '{}' of '{}' is not an object type", v.value, name));
      }
    }
    for (const std::string& alt : def.alternatives)
      if (!exists(alt))
        return fail(fmt::format("alternative '{}' of '{}' is not defined", alt, name));
    if (!def.arg_type.empty()) {
      const TypeDef* arg = schema.find(def.arg_type);
      if (!arg)
        return fail(fmt::format("argument type '{}' of '{}' is not defined", def.arg_type, name));
      if (arg->meta != Meta::object)
        return fail(
            fmt::format("argument type '{}' of '{}' is not an object type", def.arg_type, name));
    }
    if (!def.ret_type.empty() && !exists(def.ret_type))
      return fail(fmt::format("return type '{}' of '{}' is not defined", def.ret_type, name));
  }
  return {};
}

}  // namespace

tl::expected<void, QapiError> read_qapi(std::string_view file_name, std::string_view text,
                                        Schema& into, const QapiIncludeLookup& lookup) {
  SharedState shared;
  shared.schema = &into;
  shared.lookup = &lookup;
  shared.files_read.insert(std::string(file_name));
  for (const std::string& name : into.names())
    if (const TypeDef* def = into.find(name))
      shared.defined_at.emplace(name, std::make_pair(def->file, Pos{0, 0}));
  FileReader reader(file_name, text, shared);
  return reader.read();
}

tl::expected<Schema, QapiError> read_qapi_files(const std::vector<QapiFile>& files,
                                                std::string origin) {
  Schema schema;
  schema.origin = std::move(origin);
  SharedState shared;
  shared.schema = &schema;
  QapiIncludeLookup lookup = [&files](std::string_view name) -> std::optional<std::string_view> {
    for (const QapiFile& f : files)
      if (f.name == name) return std::string_view(f.text);
    return std::nullopt;
  };
  shared.lookup = &lookup;
  for (const QapiFile& f : files) {
    if (!shared.files_read.insert(f.name).second) continue;
    FileReader reader(f.name, f.text, shared);
    if (auto r = reader.read(); !r) return tl::unexpected(r.error());
  }
  if (auto r = check_references(schema, &shared.defined_at); !r) return tl::unexpected(r.error());
  return schema;
}

tl::expected<void, QapiError> check_schema_references(const Schema& schema) {
  return check_references(schema, nullptr);
}

}  // namespace qsock::schema
