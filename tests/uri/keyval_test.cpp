#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "uri/keyval.h"

using namespace qsock;
using namespace qsock::uri;

namespace {

struct Good {
  const char* input;
  const char* implied;
  const char* tree;  // JSON
  bool help = false;
};

struct Bad {
  const char* input;
  const char* implied;
  const char* message;  // QEMU's own words
  const char* key = nullptr;
  const char* hint_contains = nullptr;
};

std::string repeat(char c, std::size_t n) { return std::string(n, c); }

}  // namespace

TEST_CASE("keyval: grammar (QEMU's test-keyval vectors)") {
  const std::vector<Good> cases = {
      {"", "", "{}"},
      {"a=1,b=2,,x,a=3", "", R"({"a":"3","b":"2,x"})"},
      {"id=foo,id=bar", "", R"({"id":"bar"})"},
      {"a.b.c=1,a.b.c=2,d=3", "", R"({"a":{"b":{"c":"2"}},"d":"3"})"},
      {"x=y,", "", R"({"x":"y"})"},
      {"x=,,id=bar", "", R"({"x":",id=bar"})"},
      {"id=666", "", R"({"id":"666"})"},
      {"an,aus=off,noaus=", "implied", R"({"implied":"an","aus":"off","noaus":""})"},
      {"val", "eins.zwei", R"({"eins":{"zwei":"val"}})"},
      {"help=on", "", R"({"help":"on"})"},
      {"help.abc", "implied", R"({"implied":"help.abc"})"},
      // Downstream __RFQDN_ names are one fragment, dots and all.
      {"__com.redhat_drive=1", "", R"({"__com.redhat_drive":"1"})"},
      {"a.__org.qemu_x-y=2", "", R"({"a":{"__org.qemu_x-y":"2"}})"},
      {"x=a,,", "", R"({"x":"a,"})"},
      {"x=", "", R"({"x":""})"},
      {"k-1_x=v", "", R"({"k-1_x":"v"})"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.input);
    CAPTURE(c.implied);
    auto r = parse_keyval(c.input, c.implied);
    REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().message));
    CHECK(r->tree == Json::parse(c.tree));
    CHECK_FALSE(r->help);
  }
}

TEST_CASE("keyval: key fragment length 1..127") {
  const std::string k127 = repeat('k', 127);
  const std::string k128 = repeat('k', 128);
  auto whole = parse_keyval(k127 + "=v");
  REQUIRE(whole);
  CHECK(whole->tree == Json{{k127, "v"}});
  auto nested = parse_keyval("k." + k127 + "=v");
  REQUIRE(nested);
  CHECK(nested->tree == Json{{"k", {{k127, "v"}}}});

  auto too_long = parse_keyval(k128 + "=v");
  REQUIRE_FALSE(too_long);
  CHECK(too_long.error().message == "Parameter '" + k128 + "' is too long");
  auto fragment = parse_keyval("k." + k128 + "=v");
  REQUIRE_FALSE(fragment);
  CHECK(fragment.error().message == "Parameter fragment '" + k128 + "' is too long");
  CHECK(fragment.error().key == "k." + k128);
  auto first_fragment = parse_keyval(k128 + ".k=v");
  REQUIRE_FALSE(first_fragment);
  CHECK(first_fragment.error().message == "Parameter fragment '" + k128 + "' is too long");
  auto long_index = parse_keyval("k." + repeat('0', 128) + "=v");
  REQUIRE_FALSE(long_index);
  CHECK(long_index.error().message == "Parameter fragment '" + repeat('0', 128) + "' is too long");
}

TEST_CASE("keyval: errors carry QEMU's message, the key and a hint") {
  const std::vector<Bad> cases = {
      {"=val", "", "Invalid parameter ''", "", "key before '=' is missing"},
      {".", "", "Invalid parameter '.'", ".", "empty"},
      {"key.", "", "Invalid parameter 'key.'", "key.", "empty"},
      {"7up=val", "", "Invalid parameter '7up'", "7up", "a key starts with a letter"},
      {"key[0]=val", "", "Invalid parameter 'key[0]'", "key[0]", "key.0=..."},
      {"a.b[1][2]=val", "", "Invalid parameter 'a.b[1][2]'", "a.b[1][2]", "a.b.1.2=..."},
      {"a.1b=v", "", "Invalid parameter 'a.1b'", "a.1b", "list indices"},
      {"a b=v", "", "Invalid parameter 'a b'", "a b", nullptr},
      {"a..b=v", "", "Invalid parameter 'a..b'", "a..b", "empty"},
      {"_x=v", "", "Invalid parameter '_x'", "_x", nullptr},
      {"__x=v", "", "Invalid parameter '__x'", "__x", nullptr},
      {"a.b=1,a=2", "", "Parameters 'a.*' used inconsistently", "a", "both a value and sub-keys"},
      {"a.b=1,a.b.c=2", "", "Parameters 'a.b.*' used inconsistently", "a.b", nullptr},
      {"a=1,a.b=2", "", "Parameters 'a.*' used inconsistently", "a", nullptr},
      {",", "", "Invalid parameter ''", "", "remove the extra ','"},
      {"an,noaus,noaus=", "", "Expected '=' after parameter 'an'", "an", "an=on"},
      {"no", "", "Expected '=' after parameter 'no'", "no", "no=on"},
      {"a=1,noaus", "", "Expected '=' after parameter 'noaus'", "noaus", "aus=off"},
      {",", "implied", "Invalid parameter ''", ""},
      {",,,a=1", "implied", "Invalid parameter ''", ""},
      {"val,,ue", "implied", "Invalid parameter ''", "", "implied=VALUE"},
      {"=val", "implied", "Invalid parameter ''", ""},
      {"help", "", "Help is not available for this option", ""},
      {"?", "", "Help is not available for this option", ""},
      {"help", "implied", "Help is not available for this option", ""},
      {"help.abc", "", "Expected '=' after parameter 'help.abc'", "help.abc"},
      {"a=1,helpx", "", "Expected '=' after parameter 'helpx'", "helpx"},
      {"?=1", "", "Invalid parameter '?'", "?"},
      {"help,val", "implied", "Expected '=' after parameter 'val'", "val"},
      // Lists
      {"0=1", "", "Invalid parameter '0'", "0", "a key starts with a letter"},
      {"a.b.c=1,a.b.0=2", "", "Parameters 'a.b.*' used inconsistently", "a.b", "numeric indices"},
      {"a.0.c=1,a.b.c=2", "", "Parameters 'a.*' used inconsistently", "a", nullptr},
      {"list.1=lonely", "", "Parameter 'list.0' missing", "list.0", "without gaps"},
      {"list.0=null,list.2=eins,list.02=zwei", "", "Parameter 'list.1' missing", "list.1"},
      {"list.99999999999999999999=x", "", "Parameter 'list.0' missing", "list.0"},
      {"a.0.1=x", "", "Parameter 'a.0.0' missing", "a.0.0"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.input);
    CAPTURE(c.implied);
    auto r = parse_keyval(c.input, c.implied);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message == c.message);
    if (c.key) CHECK(r.error().key == c.key);
    if (c.hint_contains) {
      CAPTURE(r.error().hint);
      CHECK(r.error().hint.find(c.hint_contains) != std::string::npos);
    }
  }
}

TEST_CASE("keyval: help requests") {
  const std::vector<Good> cases = {
      {"help", "", "{}", true},
      {"?", "", "{}", true},
      {"help", "implied", "{}", true},
      {"help,", "", "{}", true},
      {"help=on", "", R"({"help":"on"})", false},
      {"help.abc", "implied", R"({"implied":"help.abc"})", false},
      {"number=42,help,foo=bar", "", R"({"number":"42","foo":"bar"})", true},
      {"val,help,foo=bar", "implied", R"({"implied":"val","foo":"bar"})", true},
      {"a=1,?", "", R"({"a":"1"})", true},
  };
  for (const auto& c : cases) {
    CAPTURE(c.input);
    auto r = parse_keyval(c.input, c.implied, KeyvalHelp::allowed);
    REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().message));
    CHECK(r->tree == Json::parse(c.tree));
    CHECK(r->help == c.help);
  }
}

TEST_CASE("keyval: lists") {
  const std::vector<Good> cases = {
      {"list.0=null,list.2=zwei,list.1=eins", "", R"({"list":["null","eins","zwei"]})"},
      {"list.1=goner,list.0=null,list.01=eins,list.2=zwei", "",
       R"({"list":["null","eins","zwei"]})"},
      {"a.list.1=eins,a.list.00=null,a.list.2=zwei", "",
       R"({"a":{"list":["null","eins","zwei"]}})"},
      {"a.0=,a.1=I,a.2.0=II", "", R"({"a":["","I",["II"]]})"},
      {"a.0.x=1,a.0.y=2,a.1.x=3", "", R"({"a":[{"x":"1","y":"2"},{"x":"3"}]})"},
      {"a.0=x,a.0=y", "", R"({"a":["y"]})"},
      // Of two spellings of one index, the later write wins (QEMU: hash order).
      {"list.0=a,list.01=first,list.1=second", "", R"({"list":["a","second"]})"},
      {"list.0=a,list.1=first,list.01=second", "", R"({"list":["a","second"]})"},
      {"list.0=a,list.1.x=first,list.01.y=second", "", R"({"list":["a",{"y":"second"}]})"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.input);
    auto r = parse_keyval(c.input, c.implied);
    REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().message));
    CHECK(r->tree == Json::parse(c.tree));
  }
}

TEST_CASE("parse_keyval_words: one item per word, as a shell passes them") {
  struct Words {
    std::vector<std::string> words;
    const char* tree;  // JSON, or the error message
    const char* key = nullptr;
  };
  const std::vector<Words> good = {
      {{}, "{}"},
      {{"fdname=mig"}, R"({"fdname":"mig"})"},
      // A value keeps its ',' and '=' as they are.
      {{"command-line=info status", "b=x=y", "c=a,b,,c"},
       R"({"command-line":"info status","b":"x=y","c":"a,b,,c"})"},
      {{"a="}, R"({"a":""})"},
      {{"a=x,", "b=1"}, R"({"a":"x,","b":"1"})"},
      {{"addr.type=inet", "addr.port=4444", "id=n0"},
       R"({"addr":{"type":"inet","port":"4444"},"id":"n0"})"},
      {{"keys.1.data=29", "keys.0.type=qcode", "keys.0.data=ctrl", "keys.1.type=number"},
       R"({"keys":[{"type":"qcode","data":"ctrl"},{"data":"29","type":"number"}]})"},
      // As in keyval, a key given twice keeps its last value.
      {{"a=1", "a=2"}, R"({"a":"2"})"},
  };
  for (const auto& c : good) {
    CAPTURE(c.tree);
    auto r = parse_keyval_words(c.words);
    REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().message));
    CHECK(dump_json(*r) == c.tree);
  }
  const std::vector<Words> bad = {
      {{"fdname"}, "argument 'fdname' is not KEY=VALUE", "fdname"},
      {{"a=1", "help"}, "argument 'help' is not KEY=VALUE", "help"},
      {{"a,b=1"}, "Invalid parameter 'a,b'", "a,b"},
      {{"=1"}, "Invalid parameter ''", ""},
      {{"a..b=1"}, "Invalid parameter 'a..b'", "a..b"},
      {{"a=1", "a.b=2"}, "Parameters 'a.*' used inconsistently", "a"},
      {{"a.b=1", "a=2"}, "Parameters 'a.*' used inconsistently", "a"},
      {{"l.0=x", "l.2=y"}, "Parameter 'l.1' missing", "l.1"},
  };
  for (const auto& c : bad) {
    CAPTURE(c.tree);
    auto r = parse_keyval_words(c.words);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message == c.tree);
    CHECK(r.error().key == c.key);
  }
}

TEST_CASE("keyval: the implied key is only for the first item") {
  auto r = parse_keyval("stream,id=n0,addr.type=inet", "type");
  REQUIRE(r);
  CHECK(r->tree == Json::parse(R"({"type":"stream","id":"n0","addr":{"type":"inet"}})"));
  auto explicit_first = parse_keyval("type=stream,id=n0", "type");
  REQUIRE(explicit_first);
  CHECK(explicit_first->tree == Json::parse(R"({"type":"stream","id":"n0"})"));
  auto second = parse_keyval("stream,other", "type");
  REQUIRE_FALSE(second);
  CHECK(second.error().message == "Expected '=' after parameter 'other'");
}

TEST_CASE("keyval: robustness") {
  SUBCASE("empty and separators only") {
    CHECK(parse_keyval("")->tree == Json::object());
    CHECK_FALSE(parse_keyval(",,"));
    CHECK_FALSE(parse_keyval("="));
    CHECK_FALSE(parse_keyval("", "implied")->tree.contains("implied"));
  }
  SUBCASE("1 MiB value") {
    std::string big(1 << 20, 'x');
    auto r = parse_keyval("k=" + big);
    REQUIRE(r);
    CHECK(r->tree["k"].get<std::string>().size() == big.size());
    std::string commas(1 << 20, ',');
    auto escaped = parse_keyval("k=" + commas);  // 2^19 escaped commas
    REQUIRE(escaped);
    CHECK(escaped->tree["k"].get<std::string>().size() == commas.size() / 2);
  }
  SUBCASE("NUL bytes are ordinary characters") {
    using namespace std::string_literals;
    auto value = parse_keyval("k=a\0b"s);
    REQUIRE(value);
    CHECK(value->tree["k"] == "a\0b"s);
    auto key = parse_keyval("k\0=v"s);
    REQUIRE_FALSE(key);
    CHECK(key.error().message == "Invalid parameter 'k\0'"s);
  }
  SUBCASE("invalid UTF-8 passes through values and fails keys") {
    auto value = parse_keyval("k=\xff\xfe");
    REQUIRE(value);
    CHECK(value->tree["k"] == "\xff\xfe");
    CHECK_FALSE(parse_keyval("\xc3\xa9=v"));
  }
  SUBCASE("10 000 key fragments") {
    std::string key = "a";
    for (int i = 1; i < 10000; ++i) key += ".a";
    auto r = parse_keyval(key + "=v");
    REQUIRE(r);
    const Json* cur = &r->tree;
    int depth = 0;
    while (cur->is_object()) {
      cur = &(*cur)["a"];
      ++depth;
    }
    CHECK(depth == 10000);
    CHECK(*cur == "v");
    auto text = format_keyval(r->tree);
    REQUIRE(text);
    CHECK(*text == key + "=v");
    // And a 10 000 deep list.
    std::string list = "a";
    for (int i = 1; i < 10000; ++i) list += ".0";
    auto l = parse_keyval(list + "=v");
    REQUIRE(l);
  }
  SUBCASE("10 000 pairs") {
    std::string text;
    for (int i = 0; i < 10000; ++i) text += "k" + std::to_string(i) + "=" + std::to_string(i) + ",";
    auto r = parse_keyval(text);
    REQUIRE(r);
    CHECK(r->tree.size() == 10000);
    CHECK(r->tree["k9999"] == "9999");
    std::string list;
    for (int i = 9999; i >= 0; --i) list += "l." + std::to_string(i) + "=x,";
    auto l = parse_keyval(list);
    REQUIRE(l);
    CHECK(l->tree["l"].size() == 10000);
  }
  SUBCASE("an implied key that is no key") {
    auto r = parse_keyval("val", "7up");
    REQUIRE_FALSE(r);
    CHECK(r.error().message == "Invalid parameter '7up'");
  }
}

TEST_CASE("format_keyval writes what parse_keyval reads back") {
  struct Case {
    const char* tree;
    const char* implied;
    const char* text;
  };
  const std::vector<Case> cases = {
      {R"({})", "", ""},
      {R"({"a":"1","b":"2,x"})", "", "a=1,b=2,,x"},
      {R"({"type":"stream","id":"n0","addr":{"type":"inet","port":"1"}})", "type",
       "stream,id=n0,addr.type=inet,addr.port=1"},
      {R"({"a":{"list":["x","y"]}})", "", "a.list.0=x,a.list.1=y"},
      {R"({"a":[{"x":"1"},["y"]]})", "", "a.0.x=1,a.1.0=y"},
      {R"({"b":true,"n":42,"u":-1,"f":1.5})", "", "b=on,n=42,u=-1,f=1.5"},
      // The implied value is written with its key when it cannot go bare.
      {R"({"type":"a,b"})", "type", "type=a,,b"},
      {R"({"type":""})", "type", "type="},
      {R"({"type":"help"})", "type", "type=help"},
      {R"({"x":"1","type":"s"})", "type", "s,x=1"},
      {R"({"e":{"z":"v"}})", "e.z", "v"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.tree);
    auto text = format_keyval(Json::parse(c.tree), c.implied);
    REQUIRE_MESSAGE(text.has_value(), (text ? "" : text.error().message));
    CHECK(*text == c.text);
    auto back = parse_keyval(*text, c.implied);
    REQUIRE(back);
  }

  const std::vector<std::pair<const char*, const char*>> bad = {
      {R"({"a":{}})", "a"},
      {R"({"a":[]})", "a"},
      {R"({"a":null})", "a"},
      {R"({"7up":"x"})", "7up"},
      {R"({"a":{"0":"x"}})", "a.0"},
      {R"({"a b":"x"})", "a b"},
      {R"({"a":[{"b":[]}]})", "a.0.b"},
  };
  for (const auto& [tree, key] : bad) {
    const auto& tree_case = tree;  // clang 14 cannot capture a structured binding
    CAPTURE(tree_case);
    auto text = format_keyval(Json::parse(tree));
    REQUIRE_FALSE(text);
    CHECK(text.error().key == key);
  }
  CHECK_FALSE(format_keyval(Json::array()));
}

TEST_CASE("parse_json_argument") {
  const std::vector<std::pair<const char*, const char*>> good = {
      {R"({})", R"({})"},
      {R"( {"a": 1, "b": [true, false, null], "c": {"d": "e"}} )",
       R"({"a":1,"b":[true,false,null],"c":{"d":"e"}})"},
      {R"({'type': 'inet', 'host': 'it''s'})", nullptr},
      {R"({'type': 'inet', 'port': '4444', "q": 'say "hi"', 'e': 'it\'s'})",
       R"({"type":"inet","port":"4444","q":"say \"hi\"","e":"it's"})"},
      {R"({"u": "\u00e9\ud83d\ude00\n\t\/"})", "{\"u\":\"\xc3\xa9\xf0\x9f\x98\x80\\n\\t/\"}"},
      {R"({"n": -0, "big": 18446744073709551615, "neg": -9223372036854775808, "f": 1.5e3})",
       R"({"n":0,"big":18446744073709551615,"neg":-9223372036854775808,"f":1500.0})"},
      {"{\"raw\": \"\xc3\xa9\"}", "{\"raw\":\"\xc3\xa9\"}"},
  };
  for (const auto& [input, expected] : good) {
    const auto& input_case = input;  // clang 14 cannot capture a structured binding
    CAPTURE(input_case);
    auto r = parse_json_argument(input);
    if (!expected) {
      CHECK_FALSE(r);
      continue;
    }
    REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().message));
    CHECK(*r == Json::parse(expected));
  }
  CHECK(parse_json_argument(R"({"big": 18446744073709551616})")->at("big").is_number_float());

  struct BadJson {
    const char* input;
    const char* message;
    const char* key;
    const char* hint_contains = nullptr;
  };
  const std::vector<BadJson> bad = {
      {"", "invalid JSON at line 1, column 1: expected a JSON object starting with '{'", ""},
      {"[1]", "invalid JSON at line 1, column 1: expected a JSON object starting with '{'", ""},
      {"{", "invalid JSON at line 1, column 2: expected a member name in quotes", ""},
      {R"({"a":1,})", "invalid JSON at line 1, column 8: expected a member name", "",
       "trailing ','"},
      {R"({"a":[1,]})", "invalid JSON at line 1, column 9: expected a value", "a[1]",
       "trailing ','"},
      {R"({a:1})", "invalid JSON at line 1, column 2: expected a member name in quotes", "",
       "quoted"},
      {"{\"a\":1}x", "invalid JSON at line 1, column 8: unexpected text after the JSON object", ""},
      {"{\n  \"addr\": {\"port\": 44 44}}",
       "invalid JSON at line 2, column 23: expected ',' or '}'", "addr.port"},
      {R"({"a":1,"a":2})", "invalid JSON at line 1, column 11: duplicate member 'a'", "a"},
      {R"({"a":01})", "invalid JSON at line 1, column 7: a number has no leading zeros", "a"},
      {R"({"a":1.})", "invalid JSON at line 1, column 8: expected a digit after '.'", "a"},
      {R"({"a":1e999})", "invalid JSON at line 1, column 6: number out of range", "a"},
      {R"({"a":tru})", "invalid JSON at line 1, column 6: unexpected word, expected a value", "a"},
      {R"({"a":truex})", "invalid JSON at line 1, column 6: unexpected word, expected a value",
       "a"},
      {R"({"a":"\u0000"})", "invalid JSON at line 1, column 13: \\u0000 is not allowed", "a"},
      {R"({"a":"\ud800"})",
       "invalid JSON at line 1, column 13: high surrogate not followed by a low one", "a"},
      {R"({"a":"\udc00"})", "invalid JSON at line 1, column 13: lone low surrogate in a \\u escape",
       "a"},
      {R"({"a":"\x"})", "invalid JSON at line 1, column 8: invalid escape '\\x'", "a"},
      {"{\"a\":\"\t\"}", "invalid JSON at line 1, column 7: control character in a string", "a"},
      {"{\"a\":\"\xff\"}", "invalid JSON at line 1, column 7: invalid UTF-8 in a string", "a"},
      {"{\"a\":\"\xc0\xaf\"}", "invalid JSON at line 1, column 7: invalid UTF-8 in a string", "a"},
      {"{\"a\":\"\xed\xa0\x80\"}", "invalid JSON at line 1, column 7: invalid UTF-8 in a string",
       "a"},
      {R"({"a":"x)", "invalid JSON at line 1, column 8: unexpected end of input in a string", "a"},
      {R"({"a":'x"})", "invalid JSON at line 1, column 10: unexpected end of input in a string",
       "a"},
  };
  for (const auto& c : bad) {
    CAPTURE(c.input);
    auto r = parse_json_argument(c.input);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message == c.message);
    CHECK(r.error().key == c.key);
    if (c.hint_contains) CHECK(r.error().hint.find(c.hint_contains) != std::string::npos);
  }
}

TEST_CASE("parse_json_argument: nesting limit and size") {
  std::string ok = "{\"a\":" + std::string(json_max_nesting - 1, '[') +
                   std::string(json_max_nesting - 1, ']') + "}";
  CHECK(parse_json_argument(ok));
  std::string deep =
      "{\"a\":" + std::string(json_max_nesting, '[') + std::string(json_max_nesting, ']') + "}";
  auto r = parse_json_argument(deep);
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("nesting deeper than 1024 levels") != std::string::npos);
  std::string very_deep(1 << 20, '{');
  CHECK_FALSE(parse_json_argument(very_deep));
  std::string big = "{\"k\":\"" + std::string(1 << 20, 'x') + "\"}";
  CHECK(parse_json_argument(big)->at("k").get<std::string>().size() == (1u << 20));
  CHECK(is_json_argument("{\"a\":1}"));
  CHECK_FALSE(is_json_argument(" {"));
  CHECK_FALSE(is_json_argument(""));
}
