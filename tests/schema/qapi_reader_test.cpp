#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "schema/qapi_reader.h"
#include "tests/schema/lookup.h"

using namespace qsock;
using namespace qsock::schema;
using qsock::schema::testing::member;
using qsock::schema::testing::member_names;

namespace {

Schema read_ok(std::string_view text) {
  Schema schema;
  auto r = read_qapi("t.json", text, schema);
  if (!r) FAIL_CHECK(r.error().str());
  REQUIRE(r.has_value());
  return schema;
}

QapiError read_error(std::string_view text) {
  Schema schema;
  auto r = read_qapi("t.json", text, schema);
  REQUIRE_FALSE(r.has_value());
  return r.error();
}

}  // namespace

TEST_CASE("qapi reader: struct members keep their order, optionality, types and conditions") {
  Schema s = read_ok(R"(
{ 'struct': 'Base', 'data': { 'host': 'str' } }
# a plain comment
{ 'struct': 'Addr', 'base': 'Base',   # trailing comment
  'data': { 'zeta': 'int',
            '*alpha': 'bool',
            '*list': ['uint32'],
            '*cond': { 'type': 'uint16', 'if': 'HAVE_X', 'features': [ 'unstable' ] } },
  'if': 'CONFIG_Y', 'features': [ 'deprecated', { 'name': 'f2', 'if': 'Z' } ] }
)");
  CHECK(member_names(s, "Addr") ==
        std::vector<std::string>{"host", "zeta", "alpha", "list", "cond"});
  const TypeDef& addr = *s.find("Addr");
  CHECK(addr.meta == Meta::object);
  CHECK(addr.base == "Base");
  CHECK(addr.condition == "CONFIG_Y");
  CHECK(addr.features == std::vector<std::string>{"deprecated", "f2"});
  CHECK(addr.file == "t.json");
  CHECK_FALSE(member(s, "Addr", "zeta").optional);
  CHECK(member(s, "Addr", "alpha").optional);
  CHECK(member(s, "Addr", "list").type == "[uint32]");
  const Member& cond = member(s, "Addr", "cond");
  CHECK(cond.type == "uint16");
  CHECK(cond.condition == "HAVE_X");
  CHECK(cond.features == std::vector<std::string>{"unstable"});
  // Without doc comments nothing is versioned.
  CHECK(cond.avail.status == Availability::Status::always);
}

TEST_CASE("qapi reader: unions with an inline or a named base") {
  Schema s = read_ok(R"(
{ 'enum': 'Kind', 'data': [ 'a', 'b' ] }
{ 'struct': 'A', 'data': { 'x': 'int' } }
{ 'struct': 'B', 'data': { 'y': 'int' } }
{ 'union': 'U', 'base': { 'type': 'Kind', '*id': 'str' }, 'discriminator': 'type',
  'data': { 'a': 'A', 'b': { 'type': 'B', 'if': 'HAVE_B' } } }
{ 'struct': 'UBase', 'data': { 'kind': 'Kind' } }
{ 'union': 'V', 'base': 'UBase', 'discriminator': 'kind', 'data': { 'a': 'A' } }
)");
  const TypeDef& u = *s.find("U");
  CHECK(u.base.empty());
  CHECK(member_names(s, "U") == std::vector<std::string>{"type", "id"});
  CHECK(u.discriminator == "type");
  REQUIRE(u.variants.size() == 2);
  CHECK(u.variants[1].value == "b");
  CHECK(u.variants[1].type == "B");
  CHECK(s.variant_type(u, "a")->name == "A");
  const TypeDef& v = *s.find("V");
  CHECK(v.base == "UBase");
  CHECK(member_names(s, "V") == std::vector<std::string>{"kind"});
  CHECK(check_schema_references(s).has_value());
}

TEST_CASE("qapi reader: enums, alternates, commands, events, pragmas") {
  Schema s = read_ok(R"(
{ 'pragma': { 'doc-required': true } }
{ 'enum': 'E', 'prefix': 'X',
  'data': [ 'plain', { 'name': 'gated', 'if': 'HAVE_G', 'features': [ 'unstable' ] } ] }
{ 'alternate': 'StrOrNull', 'data': { 's': 'str', 'n': 'null' } }
{ 'struct': 'Args', 'data': { 'x': 'int' } }
{ 'command': 'do-it', 'data': { 'id': 'str', '*opt': 'E' }, 'returns': ['Args'],
  'allow-oob': true, 'allow-preconfig': true }
{ 'command': 'boxed-one', 'boxed': true, 'data': 'Args' }
{ 'command': 'bare' }
{ 'event': 'HAPPENED', 'data': { 'what': 'E' } }
)");
  const TypeDef& e = *s.find("E");
  CHECK(e.meta == Meta::enumeration);
  REQUIRE(e.values.size() == 2);
  CHECK(e.values[1].name == "gated");
  CHECK(e.values[1].features == std::vector<std::string>{"unstable"});
  CHECK(e.values[1].doc.find("HAVE_G") != std::string::npos);

  const TypeDef& alt = *s.find("StrOrNull");
  CHECK(alt.meta == Meta::alternate);
  CHECK(alt.alternatives == std::vector<std::string>{"str", "null"});

  const TypeDef& cmd = *s.find("do-it");
  CHECK(cmd.meta == Meta::command);
  CHECK(cmd.arg_type == "q_obj_do-it-arg");
  CHECK(cmd.ret_type == "[Args]");
  CHECK(cmd.allow_oob);
  CHECK_FALSE(cmd.boxed);
  CHECK(member_names(s, "q_obj_do-it-arg") == std::vector<std::string>{"id", "opt"});

  const TypeDef& boxed = *s.find("boxed-one");
  CHECK(boxed.boxed);
  CHECK(boxed.arg_type == "Args");
  CHECK(s.find("bare")->arg_type.empty());

  const TypeDef& ev = *s.find("HAPPENED");
  CHECK(ev.meta == Meta::event);
  CHECK(ev.arg_type == "q_obj_HAPPENED-arg");
  CHECK(check_schema_references(s).has_value());
}

TEST_CASE("qapi reader: 'if' conditions of every form") {
  struct Case {
    std::string cond;
    std::string rendered;
  };
  const Case cases[] = {
      {"'A'", "A"},
      {"{ 'not': 'A' }", "!A"},
      {"{ 'all': [ 'A', 'B' ] }", "A && B"},
      {"{ 'any': [ 'A', { 'not': 'B' } ] }", "A || (!B)"},
      {"{ 'all': [ 'A', { 'any': [ 'B', 'C' ] } ] }", "A && (B || C)"},
      {"{ 'not': { 'all': [ 'A', 'B' ] } }", "!(A && B)"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.cond);
    std::string text = "{ 'struct': 'S', 'data': {}, 'if': " + c.cond + " }";
    Schema s = read_ok(text);
    CHECK(s.find("S")->condition == c.rendered);
  }
}

TEST_CASE("qapi reader: availability from doc comments") {
  Schema s = read_ok(R"(
##
# = A free-form section heading
##

##
# @Addr:
#
# An address.  Shown as the type's doc.
#
# @old: Was here early.
#
# @later: Arrived later.  (since
#     2.9)
#
# @gone: Removed again. (since 4.2) (removed in 10.2)
#
# @gone-with-type: Removed, keeps the type's since. (removed in 9.1)
#
# @new: Not released yet. (proposed)
#
# Features:
#
# @deprecated: @gone is deprecated.
#
# Since: 1.3
##
{ 'struct': 'Addr',
  'data': { 'old': 'str', 'later': 'bool', 'gone': 'int', 'gone-with-type': 'int',
            'new': { 'type': 'uint32', 'features': [ 'unstable' ] },
            'undocumented': 'str' } }

##
# @Kind:
#
# Kinds. (proposed)
#
# @a: First.
#
# @b: Second, older style.
##
{ 'enum': 'Kind', 'data': [ 'a', 'b' ] }

##
# @OldKind:
#
# @x: Since 1.5
#
# Since: 1.4
##
{ 'enum': 'OldKind', 'data': [ 'w', 'x' ] }
)");
  const TypeDef& addr = *s.find("Addr");
  CHECK(addr.avail.describe() == "1.3");
  CHECK(addr.doc == "An address. Shown as the type's doc.");  // spaces collapse
  CHECK(member(s, "Addr", "old").avail.describe() == "1.3");
  CHECK(member(s, "Addr", "old").doc == "Was here early.");
  CHECK(member(s, "Addr", "later").avail.describe() == "2.9");
  CHECK(member(s, "Addr", "later").doc == "Arrived later.");
  CHECK(member(s, "Addr", "gone").avail.describe() == "4.2 (removed in 10.2)");
  CHECK(member(s, "Addr", "gone").avail.in_release(QemuVersion{10, 1}));
  CHECK_FALSE(member(s, "Addr", "gone").avail.in_release(QemuVersion{10, 2}));
  CHECK(member(s, "Addr", "gone-with-type").avail.describe() == "1.3 (removed in 9.1)");
  CHECK(member(s, "Addr", "new").avail.is_proposed());
  CHECK(member(s, "Addr", "new").doc == "Not released yet.");
  CHECK(member(s, "Addr", "undocumented").avail.describe() == "1.3");

  const TypeDef& kind = *s.find("Kind");
  CHECK(kind.avail.is_proposed());
  CHECK(kind.doc == "Kinds.");
  CHECK(kind.values[0].avail.is_proposed());
  CHECK(kind.values[1].avail.is_proposed());

  const TypeDef& old_kind = *s.find("OldKind");
  CHECK(old_kind.values[0].avail.describe() == "1.4");
  CHECK(old_kind.values[1].avail.describe() == "1.5");
}

TEST_CASE("qapi reader: a command's doc documents its arguments") {
  Schema s = read_ok(R"(
##
# @go:
#
# Goes.
#
# @where: Where to. (since 8.1)
#
# @how: How.
#
# Returns: nothing
#
# Since: 2.0
##
{ 'command': 'go', 'data': { '*where': 'str', 'how': 'str' } }
)");
  CHECK(s.find("go")->avail.describe() == "2.0");
  CHECK(s.find("q_obj_go-arg")->avail.describe() == "2.0");
  CHECK(member(s, "q_obj_go-arg", "where").avail.describe() == "8.1");
  CHECK(member(s, "q_obj_go-arg", "how").avail.describe() == "2.0");
  CHECK(member(s, "q_obj_go-arg", "how").doc == "How.");
}

TEST_CASE("qapi reader: includes resolve within the file set, once each") {
  std::vector<QapiFile> files = {
      {"main.json",
       "{ 'include': 'common.json' }\n{ 'include': 'sub/common.json' }\n"
       "{ 'struct': 'S', 'data': { 'c': 'C' } }\n"},
      {"common.json", "{ 'struct': 'C', 'data': { 'x': 'int' } }\n"},
  };
  auto s = read_qapi_files(files, "test");
  REQUIRE_MESSAGE(s.has_value(), s.error().str());
  CHECK(s->find("C")->file == "common.json");
  CHECK(s->find("S")->file == "main.json");
  CHECK(s->origin == "test");

  std::vector<QapiFile> missing = {{"main.json", "\n  { 'include': 'nowhere.json' }\n"}};
  auto e = read_qapi_files(missing, "test");
  REQUIRE_FALSE(e.has_value());
  CHECK(e.error().str() == "main.json:2:16: included file 'nowhere.json' is not in the schema");

  // read_qapi alone has no other files.
  QapiError lone = read_error("{ 'include': 'x.json' }");
  CHECK(lone.str() == "t.json:1:14: cannot include 'x.json': no other files are available");
}

TEST_CASE("qapi reader: syntax and structure errors name file, line and column") {
  struct Case {
    std::string text;
    std::string error;
  };
  const Case cases[] = {
      {"{ 'struct': 'A', 'data': { 'x': 'int' }", "t.json:1:1: dictionary is not closed"},
      {"{ \"struct\": 'A' }", "t.json:1:3: expected a key (a single-quoted string)"},
      {"{ 'struct': \"A\" }", "t.json:1:13: strings are written in single quotes"},
      {"{ 'struct': 'A', 'data': { 'x': int } }",
       "t.json:1:33: unexpected 'int'; strings are written in single quotes"},
      {"{ 'struct': 'A', 'data': {}, }", "t.json:1:30: expected a key (a single-quoted string)"},
      {"{ 'struct': 'A' 'data': {} }", "t.json:1:17: expected ',' or '}' in a dictionary"},
      {"{ 'struct': 'A', 'data': { 'x': ['int' } }", "t.json:1:40: expected ',' or ']' in a list"},
      {"{ 'struct': 'A\n', 'data': {} }", "t.json:1:13: string is not closed"},
      {"{ 'struct': 'A\\n', 'data': {} }",
       "t.json:1:15: backslash escapes are not supported in QAPI strings"},
      {"[ 'struct' ]", "t.json:1:1: expected '{' to start an expression"},
      {"{ 'data': {} }",
       "t.json:1:1: expression must have one of 'struct', 'union', 'enum', 'alternate', "
       "'command', 'event', 'include', 'pragma'"},
      {"{ 'struct': 'A', 'enum': 'B' }", "t.json:1:18: expression has both 'struct' and 'enum'"},
      {"{ 'struct': 'A', 'struct': 'B' }", "t.json:1:18: duplicate key 'struct'"},
      {"{ 'struct': 'A', 'data': {}, 'bogus': 'x' }",
       "t.json:1:30: unknown key 'bogus' in struct 'A'"},
      {"{ 'struct': 'A' }", "t.json:1:1: struct 'A' has no 'data'"},
      {"{ 'struct': 'A', 'data': { 'x': 'int', '*x': 'str' } }",
       "t.json:1:40: duplicate member 'x'"},
      {"{ 'struct': 'A', 'data': { 'x': [ 'int', 'str' ] } }",
       "t.json:1:33: member 'x': a list type is written ['Type'] with one name"},
      {"{ 'struct': 'A', 'data': { 'x': { 'if': 'C' } } }",
       "t.json:1:33: member 'x' has no 'type'"},
      {"{ 'struct': 'A', 'data': { 'x': { 'type': 'int', 'default': '1' } } }",
       "t.json:1:50: unknown key 'default' in member 'x'"},
      {"{ 'struct': 'A', 'data': { 'x bad': 'int' } }",
       "t.json:1:28: 'x bad' is not a valid member name"},
      {"{ 'struct': 'A', 'data': {} }\n{ 'enum': 'A', 'data': [] }",
       "t.json:2:3: 'A' is already defined at t.json:1"},
      {"{ 'enum': 'E', 'data': [ 'a', 'a' ] }", "t.json:1:31: duplicate enum value 'a'"},
      {"{ 'enum': 'E', 'data': { 'a': 'b' } }",
       "t.json:1:24: enum 'data' must be a list, not a dictionary"},
      {"{ 'enum': 'E', 'data': [ { 'if': 'X' } ] }", "t.json:1:26: enum value has no 'name'"},
      {"{ 'struct': 'A', 'data': {}, 'if': { 'maybe': 'X' } }",
       "t.json:1:38: unknown 'if' operator 'maybe'; expected all, any or not"},
      {"{ 'struct': 'A', 'data': {}, 'if': { 'all': [] } }",
       "t.json:1:45: 'all' needs a non-empty list of conditions"},
      {"{ 'struct': 'A', 'data': {}, 'if': '' }", "t.json:1:36: 'if' condition is empty"},
      {"{ 'struct': 'A', 'data': {}, 'features': 'unstable' }",
       "t.json:1:42: 'features' must be a list"},
      {"{ 'union': 'U', 'base': { 'type': 'E' }, 'data': {} }",
       "t.json:1:1: union 'U' has no 'discriminator'"},
      {"{ 'union': 'U', 'discriminator': 'type', 'data': {} }",
       "t.json:1:1: union 'U' has no 'base'"},
      {"{ 'union': 'U', 'base': 'B', 'discriminator': 'type', 'data': { 'a': ['A'] } }",
       "t.json:1:70: branch 'a' must name a struct type"},
      {"{ 'alternate': 'Alt', 'data': {} }",
       "t.json:1:1: alternate 'Alt' needs 'data' with at least one alternative"},
      {"{ 'command': 'c', 'boxed': 'yes' }", "t.json:1:28: 'boxed' must be true or false"},
      {"{ 'command': 'c', 'boxed': true, 'data': { 'x': 'int' } }",
       "t.json:1:42: a boxed command or event names its argument type"},
      {"{ 'event': 'E', 'returns': 'int' }", "t.json:1:17: unknown key 'returns' in event 'E'"},
      {"{ 'include': 'a.json', 'data': {} }", "t.json:1:24: unknown key 'data' in an include"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    CHECK(read_error(c.text).str() == c.error);
  }
}

TEST_CASE("qapi reader: doc comment errors point into the comment") {
  struct Case {
    std::string text;
    std::string error;
  };
  const Case cases[] = {
      {"##\n# @A:\n##\n{ 'struct': 'B', 'data': {} }",
       "t.json:2:3: doc comment is for 'A' but the definition after it is 'B'"},
      {"##\n# @A:\n#\n# @nope: Not a member.\n##\n{ 'struct': 'A', 'data': { 'x': 'int' } }",
       "t.json:4:3: '@nope' documents nothing: 'A' has no member of that name"},
      {"##\n# @A:\n#\n# @x: Bad. (since ten)\n##\n{ 'struct': 'A', 'data': { 'x': 'int' } }",
       "t.json:4:19: 'ten' is not a QEMU version (expected X.Y)"},
      {"##\n# @A:\n#\n# @x: Text\n#     more (removed in\n#     soon)\n##\n"
       "{ 'struct': 'A', 'data': { 'x': 'int' } }",
       "t.json:6:7: 'soon' is not a QEMU version (expected X.Y)"},
      {"##\n# @A:\n#\n# Since: 1.x\n##\n{ 'struct': 'A', 'data': {} }",
       "t.json:4:10: 'Since: 1.x' is not a QEMU version"},
      {"##\n# @A:\n#\n# @x: Both. (since 1.2) (proposed)\n##\n{ 'struct': 'A', 'data': { 'x': "
       "'int' } }",
       "t.json:4:7: both '(since ...)' and '(proposed)'"},
      {"##\n# @A:\n#\n# Missing its end.\n{ 'struct': 'A', 'data': {} }",
       "t.json:5:1: doc comment is not closed with a '##' line"},
      {"##\n# @A:\n##\n\n##\n# @B:\n##\n{ 'struct': 'B', 'data': {} }",
       "t.json:1:1: doc comment for 'A' is not followed by its definition"},
      {"{ 'struct': 'B', 'data': {} }\n##\n# @A:\n##\n",
       "t.json:2:1: doc comment for 'A' is not followed by its definition"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    CHECK(read_error(c.text).str() == c.error);
  }
}

TEST_CASE("qapi reader: whole-schema checks of names and unions") {
  struct Case {
    std::string text;
    std::string error;
  };
  const Case cases[] = {
      {"{ 'struct': 'A', 'data': { 'x': 'Nope' } }",
       "t.json:1:3: type 'Nope' of member 'x' of 'A' is not defined"},
      {"{ 'struct': 'A', 'data': { 'x': ['Nope'] } }",
       "t.json:1:3: type '[Nope]' of member 'x' of 'A' is not defined"},
      {"{ 'struct': 'A', 'base': 'Nope', 'data': {} }",
       "t.json:1:3: base 'Nope' of 'A' is not defined"},
      {"{ 'enum': 'E', 'data': [ 'a' ] }\n{ 'struct': 'S', 'data': {} }\n"
       "{ 'union': 'U', 'base': { 'kind': 'E' }, 'discriminator': 'type', 'data': { 'a': 'S' } }",
       "t.json:3:3: discriminator 'type' of 'U' is not a member of its base"},
      {"{ 'struct': 'S', 'data': {} }\n"
       "{ 'union': 'U', 'base': { 'type': 'str' }, 'discriminator': 'type', 'data': { 'a': 'S' } }",
       "t.json:2:3: discriminator 'type' of 'U' is not of an enum type"},
      {"{ 'enum': 'E', 'data': [ 'a' ] }\n{ 'struct': 'S', 'data': {} }\n"
       "{ 'union': 'U', 'base': { 'type': 'E' }, 'discriminator': 'type', 'data': { 'b': 'S' } }",
       "t.json:3:3: branch 'b' of 'U' is not a value of 'E'"},
      {"{ 'enum': 'E', 'data': [ 'a' ] }\n"
       "{ 'union': 'U', 'base': { 'type': 'E' }, 'discriminator': 'type', 'data': { 'a': 'E' } }",
       "t.json:2:3: branch 'a' of 'U' is not an object type"},
      {"{ 'alternate': 'Alt', 'data': { 'a': 'Nope' } }",
       "t.json:1:3: alternative 'Nope' of 'Alt' is not defined"},
      {"{ 'command': 'c', 'returns': 'Nope' }",
       "t.json:1:3: return type 'Nope' of 'c' is not defined"},
      {"{ 'command': 'c', 'data': 'str' }",
       "t.json:1:3: argument type 'str' of 'c' is not an object type"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    auto s = read_qapi_files({{"t.json", c.text}}, "test");
    REQUIRE_FALSE(s.has_value());
    CHECK(s.error().str() == c.error);
  }
}
