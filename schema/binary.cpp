#include "schema/binary.h"

#include <cstdint>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

namespace qsock::schema {

namespace {

// Bumped whenever the layout below changes.
constexpr std::string_view format_tag{"qsock-schema-2\n"};

// Unsigned numbers are LEB128 varints, strings a varint length and the bytes,
// lists a varint count and the items. After the tag, origin, versioned and
// the count, each definition is its name and then its body as one string, so
// that a reader can index the definitions without decoding them.
class Encoder {
 public:
  std::string out;

  void number(std::uint64_t v) {
    do {
      auto byte = static_cast<unsigned char>(v & 0x7f);
      v >>= 7;
      if (v) byte |= 0x80;
      out.push_back(static_cast<char>(byte));
    } while (v != 0);
  }
  void flag(bool b) { number(b ? 1 : 0); }
  void text(std::string_view s) {
    number(s.size());
    out.append(s);
  }
  void texts(const std::vector<std::string>& list) {
    number(list.size());
    for (const std::string& s : list) text(s);
  }
  void version(QemuVersion v) {
    number(static_cast<std::uint64_t>(v.major));
    number(static_cast<std::uint64_t>(v.minor));
  }
  void availability(const Availability& a) {
    number(static_cast<std::uint64_t>(a.status));
    version(a.since);
    flag(a.removed.has_value());
    if (a.removed) version(*a.removed);
  }
  void meta(Meta m) { number(static_cast<std::uint64_t>(m)); }
  template <typename T, typename Item>
  void list(const std::vector<T>& items, Item item) {
    number(items.size());
    for (const T& i : items) item(i);
  }
};

// Reads what Encoder wrote. The first problem stops it: every read after
// that returns a zero value, and `error` says what and where.
class Decoder {
 public:
  // `offset`: where `in` starts in the whole encoding, for error positions.
  explicit Decoder(std::string_view in, std::size_t offset = 0) : in_(in), offset_(offset) {}

  std::string error;
  bool failed() const { return !error.empty(); }
  bool at_end() const { return pos_ == in_.size(); }
  std::size_t pos() const { return pos_; }

  void fail(std::string what) {
    if (!failed()) error = fmt::format("{} at byte {}", what, offset_ + pos_);
  }
  bool tag(std::string_view expected) {
    if (in_.substr(0, expected.size()) != expected) {
      fail("not a pre-parsed schema of this qsock (format tag differs)");
      return false;
    }
    pos_ = expected.size();
    return true;
  }
  std::uint64_t number() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= in_.size()) {
        fail("truncated");
        return 0;
      }
      auto byte = static_cast<unsigned char>(in_[pos_++]);
      v |= std::uint64_t{byte & 0x7fu} << shift;
      if (!(byte & 0x80)) return v;
    }
    fail("a number longer than 64 bits");
    return 0;
  }
  // A count of items that take at least one byte each: more than the bytes
  // left is corrupt (and must not reach reserve()).
  std::size_t count() {
    std::uint64_t n = number();
    if (n > in_.size() - pos_) {
      fail("a count larger than the data");
      return 0;
    }
    return static_cast<std::size_t>(n);
  }
  std::uint64_t below(std::uint64_t limit, std::string_view what) {
    std::uint64_t v = number();
    if (v >= limit) {
      fail(fmt::format("{} {} out of range", what, v));
      return 0;
    }
    return v;
  }
  bool flag() { return below(2, "flag") == 1; }
  std::string text() { return std::string(view()); }
  // A string as a view of the input.
  std::string_view view() {
    std::size_t n = count();
    std::string_view s = in_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  std::vector<std::string> texts() {
    std::vector<std::string> list(count());
    for (std::string& s : list) s = text();
    return list;
  }
  QemuVersion version() {
    QemuVersion v;
    v.major = static_cast<int>(below(10000, "release number"));
    v.minor = static_cast<int>(below(10000, "release number"));
    return v;
  }
  Availability availability() {
    Availability a;
    a.status = static_cast<Availability::Status>(
        below(static_cast<std::uint64_t>(Availability::Status::always) + 1, "availability"));
    a.since = version();
    if (flag()) a.removed = version();
    return a;
  }

  // The same reads into their places, for body_fields.
  void text(std::string& out) { out = text(); }
  void texts(std::vector<std::string>& out) { out = texts(); }
  void flag(bool& out) { out = flag(); }
  void availability(Availability& out) { out = availability(); }
  void meta(Meta& out) {
    out = static_cast<Meta>(below(static_cast<std::uint64_t>(Meta::event) + 1, "meta-type"));
  }
  template <typename T, typename Item>
  void list(std::vector<T>& items, Item item) {
    items.resize(count());
    for (T& i : items) item(i);
  }

 private:
  std::string_view in_;
  std::size_t offset_;
  std::size_t pos_ = 0;
};

// A definition's body (everything but the name, which the index carries),
// field by field in encoding order. The encoder walks it over a const
// TypeDef, the decoder over one it fills: the two cannot drift apart.
template <typename Codec, typename Def>
void body_fields(Codec& c, Def& t) {
  c.meta(t.meta);
  c.availability(t.avail);
  c.texts(t.features);
  c.text(t.condition);
  c.text(t.doc);
  c.text(t.file);
  c.text(t.builtin);
  c.list(t.values, [&c](auto& v) {
    c.text(v.name);
    c.availability(v.avail);
    c.texts(v.features);
    c.text(v.doc);
  });
  c.text(t.base);
  c.list(t.members, [&c](auto& m) {
    c.text(m.name);
    c.text(m.type);
    c.flag(m.optional);
    c.availability(m.avail);
    c.texts(m.features);
    c.text(m.condition);
    c.text(m.doc);
  });
  c.text(t.discriminator);
  c.list(t.variants, [&c](auto& v) {
    c.text(v.value);
    c.text(v.type);
  });
  c.text(t.element_type);
  c.texts(t.alternatives);
  c.text(t.arg_type);
  c.text(t.ret_type);
  c.flag(t.boxed);
  c.flag(t.allow_oob);
}

TypeDef decode_body(Decoder& d, std::string_view name) {
  TypeDef t;
  t.name = std::string(name);
  body_fields(d, t);
  if (!d.failed() && !d.at_end()) d.fail("data after the end of " + t.name);
  return t;
}

// One entry of the index: a definition's name and its undecoded body, with
// the body's position in the whole encoding.
struct IndexEntry {
  std::string_view name;
  std::string_view body;
  std::size_t offset;
};

// Reads the tag, origin, versioned and index; the bodies are left as they are.
tl::expected<std::vector<IndexEntry>, std::string> read_index(std::string_view bytes,
                                                              Schema& schema) {
  Decoder d(bytes);
  std::vector<IndexEntry> entries;
  if (d.tag(format_tag)) {
    schema.origin = d.text();
    schema.versioned = d.flag();
    entries.resize(d.count());
    for (IndexEntry& e : entries) {
      e.name = d.view();
      e.body = d.view();
      e.offset = d.pos() - e.body.size();
    }
    if (!d.failed() && !d.at_end()) d.fail("data after the last definition");
  }
  if (d.failed()) return tl::unexpected("the pre-parsed schema does not decode: " + d.error);
  return entries;
}

// For Schema::add_encoded: the embedded encoding is checked whole by the
// unit tests, so a body that does not decode here is a bug in this build.
TypeDef decode_or_throw(std::string_view name, std::string_view body) {
  Decoder d(body);
  TypeDef t = decode_body(d, name);
  if (d.failed())
    throw std::logic_error(
        fmt::format("the pre-parsed schema's {} does not decode: {}", name, d.error));
  return t;
}

}  // namespace

std::string encode_schema(const Schema& schema) {
  Encoder e;
  e.out.append(format_tag);
  e.text(schema.origin);
  e.flag(schema.versioned);
  std::vector<std::string> names = schema.names();
  e.number(names.size());
  for (const std::string& name : names) {
    Encoder body;
    body_fields(body, *schema.find(name));
    e.text(name);
    e.text(body.out);
  }
  return std::move(e.out);
}

tl::expected<Schema, std::string> decode_schema(std::string_view bytes) {
  Schema schema;
  auto entries = read_index(bytes, schema);
  if (!entries) return tl::unexpected(entries.error());
  for (const IndexEntry& e : *entries) {
    Decoder d(e.body, e.offset);
    TypeDef t = decode_body(d, e.name);
    if (d.failed()) return tl::unexpected("the pre-parsed schema does not decode: " + d.error);
    schema.add(std::move(t));
  }
  return schema;
}

tl::expected<Schema, std::string> decode_schema_in_place(std::string_view bytes) {
  Schema schema;
  auto entries = read_index(bytes, schema);
  if (!entries) return tl::unexpected(entries.error());
  for (const IndexEntry& e : *entries) schema.add_encoded(e.name, e.body, decode_or_throw);
  return schema;
}

}  // namespace qsock::schema
