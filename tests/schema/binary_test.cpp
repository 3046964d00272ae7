#include <doctest/doctest.h>

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "schema/binary.h"
#include "schema/embedded.h"
#include "schema/loader.h"

using namespace qsock;
using namespace qsock::schema;

namespace {

// Equal in everything the model holds, with a message naming what differs.
void check_same(const Schema& got, const Schema& want) {
  CHECK(got.origin == want.origin);
  CHECK(got.versioned == want.versioned);
  REQUIRE(got.names() == want.names());
  for (const std::string& name : want.names()) {
    const TypeDef& g = *got.find(name);
    const TypeDef& w = *want.find(name);
    if (g == w) continue;
    // Narrow the message down to the member or value that differs.
    CHECK_MESSAGE(g.members.size() == w.members.size(), name);
    for (std::size_t i = 0; i < g.members.size() && i < w.members.size(); ++i)
      CHECK_MESSAGE(g.members[i] == w.members[i], (name + "." + w.members[i].name));
    CHECK_MESSAGE(g.values.size() == w.values.size(), name);
    for (std::size_t i = 0; i < g.values.size() && i < w.values.size(); ++i)
      CHECK_MESSAGE(g.values[i] == w.values[i], (name + "." + w.values[i].name));
    FAIL_CHECK("definition differs: " << name);
  }
}

Schema roundtrip(const Schema& s) {
  auto decoded = decode_schema(encode_schema(s));
  REQUIRE_MESSAGE(decoded.has_value(), decoded.error());
  return std::move(*decoded);
}

// A schema that sets every field of the model to something other than its default.
Schema every_field() {
  Schema s;
  s.origin = "directory /tmp/x";
  s.versioned = false;

  TypeDef e;
  e.name = "Kind";
  e.meta = Meta::enumeration;
  e.avail = Availability::released_in({7, 2});
  e.features = {"unstable"};
  e.condition = "CONFIG_POSIX";
  e.doc = "Kinds.\nTwo lines, \"quotes\", a \\ and \x01 and UTF-8 \xc3\xa9.";
  e.file = "k.json";
  e.values = {{"a", {}, {}, ""},
              {"b", Availability::proposed_only(), {"deprecated", "unstable"}, "B."},
              {"c", {Availability::Status::released, {8, 1}, QemuVersion{10, 2}}, {}, "C."}};
  s.add(e);

  TypeDef o;
  o.name = "Obj";
  o.meta = Meta::object;
  o.base = "Base";
  o.discriminator = "kind";
  o.variants = {{"a", "A"}, {"b", "B"}};
  o.members = {{"kind", "Kind", false, {}, {}, "", "The kind."},
               {"list",
                "[uint16]",
                true,
                Availability::released_in({9, 0}),
                {"unstable"},
                "HAVE_TCP_KEEPCNT",
                ""}};
  o.avail = {Availability::Status::always, {}, QemuVersion{9, 1}};
  s.add(o);

  TypeDef b;
  b.name = "Builtin";
  b.meta = Meta::builtin;
  b.builtin = "uint64";
  s.add(b);

  TypeDef a;
  a.name = "Alt";
  a.meta = Meta::alternate;
  a.alternatives = {"str", "Obj"};
  s.add(a);

  TypeDef arr;
  arr.name = "Arr";
  arr.meta = Meta::array;
  arr.element_type = "Obj";
  s.add(arr);

  TypeDef c;
  c.name = "do-it";
  c.meta = Meta::command;
  c.arg_type = "Obj";
  c.ret_type = "[Kind]";
  c.boxed = true;
  c.allow_oob = true;
  s.add(c);

  TypeDef ev;
  ev.name = "DONE";
  ev.meta = Meta::event;
  s.add(ev);
  return s;
}

}  // namespace

TEST_CASE("schema binary: the pre-parsed embedded schema is what the QAPI reader reads") {
  // The build pre-parses schema/qapi/*.json; here the same files, compiled in
  // as text, go through the reader at run time. They must never disagree.
  auto read = load_embedded_schema();
  REQUIRE_MESSAGE(read.has_value(), read.error());
  auto preparsed = load_preparsed_schema();
  REQUIRE_MESSAGE(preparsed.has_value(), preparsed.error());
  CHECK(read->names().size() > 50);
  check_same(*preparsed, *read);
  check_same(embedded_schema(), *read);
  // load_preparsed_schema() decodes each definition on first use; the eager
  // decoder checks every byte of the same encoding now, so that no lookup in
  // qsock can meet a body that does not decode.
  auto eager = decode_schema(embedded_schema_preparsed());
  REQUIRE_MESSAGE(eager.has_value(), eager.error());
  check_same(*eager, *read);
}

TEST_CASE("schema binary: decoding in place decodes a definition when it is looked up") {
  const std::string bytes = encode_schema(every_field());
  auto lazy = decode_schema_in_place(bytes);
  REQUIRE_MESSAGE(lazy.has_value(), lazy.error());
  const Schema eager = every_field();
  CHECK(lazy->origin == eager.origin);
  CHECK(lazy->versioned == eager.versioned);
  CHECK(lazy->names() == eager.names());  // before any definition is decoded
  const TypeDef* kind = lazy->find("Kind");
  REQUIRE(kind != nullptr);
  CHECK(*kind == *eager.find("Kind"));
  CHECK(lazy->find("Kind") == kind);      // decoded once, the pointer stays
  CHECK(lazy->names() == eager.names());  // one decoded, the others not yet
  // add() replaces a definition that was never decoded.
  TypeDef replacement = *eager.find("Obj");
  replacement.doc = "replaced";
  lazy->add(replacement);
  CHECK(lazy->find("Obj")->doc == "replaced");
  CHECK(lazy->names() == eager.names());
  Schema want = eager;
  want.add(replacement);
  check_same(*lazy, want);
}

TEST_CASE("schema binary: a damaged body shows when decoded in place, and to the eager decoder") {
  Schema one;
  TypeDef kind;
  kind.name = "Kind";
  kind.meta = Meta::enumeration;
  kind.values = {{"a", {}, {}, ""}};
  one.add(kind);
  std::string bytes = encode_schema(one);
  // The last byte is Kind's last field (allow-oob, a flag): make it 2. The
  // error gives the position after the value read, as for the other fields.
  REQUIRE(bytes.back() == '\0');
  bytes.back() = '\x02';
  auto eager = decode_schema(bytes);
  REQUIRE_FALSE(eager.has_value());
  CHECK(eager.error().find("flag 2 out of range at byte " + std::to_string(bytes.size())) !=
        std::string::npos);
  auto lazy = decode_schema_in_place(bytes);
  REQUIRE_MESSAGE(lazy.has_value(), lazy.error());  // the index is whole
  CHECK(lazy->names() == std::vector<std::string>{"Kind"});
  CHECK_THROWS_WITH_AS(lazy->find("Kind"),
                       doctest::Contains("the pre-parsed schema's Kind does not decode: flag 2"),
                       std::logic_error);
}

TEST_CASE("schema binary: every field survives encoding and decoding") {
  Schema s = every_field();
  check_same(roundtrip(s), s);
  check_same(roundtrip(Schema{}), Schema{});
}

TEST_CASE("schema binary: a change to any one field is carried, and seen as a change") {
  // Each case changes one field of every_field(): the decoded schema must
  // have the change (the encoding carries it) and differ from the original
  // (the comparison the embedded-schema test relies on sees it).
  using Edit = std::function<void(TypeDef & obj, TypeDef & kind)>;
  const std::vector<std::pair<const char*, Edit>> cases = {
      {"type doc", [](TypeDef& o, TypeDef&) { o.doc += "x"; }},
      {"meta", [](TypeDef& o, TypeDef&) { o.meta = Meta::event; }},
      {"type since",
       [](TypeDef& o, TypeDef&) {
         o.avail = Availability::released_in({10, 0});
       }},
      {"type removed", [](TypeDef& o, TypeDef&) { o.avail.removed.reset(); }},
      {"type features", [](TypeDef& o, TypeDef&) { o.features.emplace_back("deprecated"); }},
      {"type if", [](TypeDef& o, TypeDef&) { o.condition = "CONFIG_LINUX"; }},
      {"file", [](TypeDef& o, TypeDef&) { o.file = "o.json"; }},
      {"builtin", [](TypeDef& o, TypeDef&) { o.builtin = "str"; }},
      {"base", [](TypeDef& o, TypeDef&) { o.base.clear(); }},
      {"discriminator", [](TypeDef& o, TypeDef&) { o.discriminator = "type"; }},
      {"variant value", [](TypeDef& o, TypeDef&) { o.variants[1].value = "c"; }},
      {"variant type", [](TypeDef& o, TypeDef&) { o.variants[1].type = "C"; }},
      {"element type", [](TypeDef& o, TypeDef&) { o.element_type = "str"; }},
      {"alternatives", [](TypeDef& o, TypeDef&) { o.alternatives = {"int"}; }},
      {"arg type", [](TypeDef& o, TypeDef&) { o.arg_type = "X"; }},
      {"ret type", [](TypeDef& o, TypeDef&) { o.ret_type = "X"; }},
      {"boxed", [](TypeDef& o, TypeDef&) { o.boxed = true; }},
      {"allow-oob", [](TypeDef& o, TypeDef&) { o.allow_oob = true; }},
      {"member name", [](TypeDef& o, TypeDef&) { o.members[1].name = "lst"; }},
      {"member type", [](TypeDef& o, TypeDef&) { o.members[1].type = "[uint32]"; }},
      {"member optional", [](TypeDef& o, TypeDef&) { o.members[0].optional = true; }},
      {"member since",
       [](TypeDef& o, TypeDef&) {
         o.members[1].avail.since = {9, 1};
       }},
      {"member proposed",
       [](TypeDef& o, TypeDef&) { o.members[1].avail = Availability::proposed_only(); }},
      {"member removed",
       [](TypeDef& o, TypeDef&) {
         o.members[1].avail.removed = {{10, 1}};
       }},
      {"member features", [](TypeDef& o, TypeDef&) { o.members[1].features.clear(); }},
      {"member if", [](TypeDef& o, TypeDef&) { o.members[1].condition.clear(); }},
      {"member doc", [](TypeDef& o, TypeDef&) { o.members[0].doc = "Other."; }},
      {"member added", [](TypeDef& o, TypeDef&) { o.members.push_back(o.members[0]); }},
      {"value name", [](TypeDef&, TypeDef& k) { k.values[0].name = "aa"; }},
      {"value since",
       [](TypeDef&, TypeDef& k) {
         k.values[2].avail.since = {8, 2};
       }},
      {"value removed", [](TypeDef&, TypeDef& k) { k.values[2].avail.removed.reset(); }},
      {"value features", [](TypeDef&, TypeDef& k) { k.values[1].features.pop_back(); }},
      {"value doc", [](TypeDef&, TypeDef& k) { k.values[1].doc.clear(); }},
  };
  const Schema original = every_field();
  for (const auto& c : cases) {
    const auto& what = c.first;  // clang 14 cannot capture a structured binding in CAPTURE
    const auto& edit = c.second;
    CAPTURE(what);
    Schema changed = original;
    TypeDef obj = *original.find("Obj");
    TypeDef kind = *original.find("Kind");
    edit(obj, kind);
    changed.add(obj);
    changed.add(kind);
    Schema decoded = roundtrip(changed);
    CHECK((*decoded.find("Obj") == obj && *decoded.find("Kind") == kind));
    CHECK_FALSE((*decoded.find("Obj") == *original.find("Obj") &&
                 *decoded.find("Kind") == *original.find("Kind")));
  }
}

TEST_CASE("schema binary: damaged data is an error, never a crash") {
  const std::string good = encode_schema(every_field());
  // Every truncation: the error says where.
  for (std::size_t n = 0; n < good.size(); ++n) {
    auto r = decode_schema(std::string_view(good).substr(0, n));
    REQUIRE_FALSE_MESSAGE(r.has_value(), "decoded a prefix of " << n << " bytes");
    CHECK(r.error().find("the pre-parsed schema does not decode: ") == 0);
  }
  struct Case {
    std::string bytes;
    std::string error;
  };
  std::string bad_tag = good;
  bad_tag[0] = 'Q';
  const std::string tag = "qsock-schema-2\n";
  const char none = 0;  // an empty origin, or 0 definitions
  const Case cases[] = {
      {bad_tag, "format tag differs"},
      {good + "x", "data after the last definition at byte"},
      {tag + '\x05' + "ab", "a count larger than the data at byte 16"},
      {tag + none + '\x02' + none, "flag 2 out of range at byte 17"},
      {tag + none + '\x01' + std::string(10, '\xff'), "a number longer than 64 bits"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.error);
    auto r = decode_schema(c.bytes);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().find(c.error) != std::string::npos);
  }
}
