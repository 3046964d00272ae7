#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "schema/loader.h"
#include "uri/convert.h"
#include "uri/keyval.h"

using namespace qsock;
using namespace qsock::uri;
using namespace qsock::schema;

namespace {

// -1 = server absent, 0 = off, 1 = on
Endpoint endpoint(const char* address, int server = -1, const char* id = "",
                  const char* extras = "{}") {
  Endpoint e;
  e.address = Json::parse(address);
  if (server >= 0) e.server = server == 1;
  e.id = id;
  e.extras = Json::parse(extras);
  return e;
}

struct Golden {
  Endpoint in;
  Syntax syntax;
  const char* out;
};

struct Refused {
  Endpoint in;
  Syntax syntax;
  const char* key;
  const char* message_contains;
  const char* hint_contains = nullptr;
};

const char* inet_v4 = R"({"type":"inet","host":"10.0.0.1","port":"4444"})";
const char* inet_v6_ka =
    R"({"type":"inet","host":"::1","port":"4444","keep-alive":true,"keep-alive-idle":60})";
const char* inet_full =
    R"({"type":"inet","host":"h","port":"5000","to":5006,"ipv4":false,"ipv6":true})";
const char* unix_plain = R"({"type":"unix","path":"/run/q.sock"})";
const char* unix_abstract = R"({"type":"unix","path":"qsock","abstract":true,"tight":false})";
const char* vsock = R"({"type":"vsock","cid":"3","port":"1234"})";
const char* fd = R"({"type":"fd","str":"migfd"})";
const char* exec_sh = R"({"transport":"exec","args":["/bin/sh","-c","nc -l 4444"]})";
const char* exec_argv = R"({"transport":"exec","args":["nc","-l","4444"]})";
const char* file = R"({"transport":"file","filename":"/tmp/vm.img","offset":4096})";
const char* rdma = R"({"transport":"rdma","host":"192.168.1.2","port":"4444"})";
const char* socket_transport = R"({"transport":"socket","type":"inet","host":"h","port":"1"})";

}  // namespace

TEST_CASE("render: golden table") {
  const std::vector<Golden> cases = {
      // uri
      {endpoint(inet_v4), Syntax::uri, "tcp:10.0.0.1:4444"},
      {endpoint(inet_v6_ka), Syntax::uri, "tcp:[::1]:4444,keep-alive=on,keep-alive-idle=60"},
      {endpoint(inet_full), Syntax::uri, "tcp:h:5000,to=5006,ipv4=off,ipv6=on"},
      {endpoint(R"({"type":"inet","host":"","port":"4444"})"), Syntax::uri, "tcp::4444"},
      {endpoint(R"({"type":"inet","host":"fe80::1%eth0","port":"1"})"), Syntax::uri,
       "tcp:[fe80::1%eth0]:1"},
      {endpoint(unix_plain), Syntax::uri, "unix:/run/q.sock"},
      {endpoint(R"({"type":"unix","path":"/a,b","abstract":false,"tight":true})"), Syntax::uri,
       "unix:/a,b"},
      {endpoint(vsock), Syntax::uri, "vsock:3:1234"},
      {endpoint(fd), Syntax::uri, "fd:migfd"},
      {endpoint(exec_sh), Syntax::uri, "exec:nc -l 4444"},
      {endpoint(file), Syntax::uri, "file:/tmp/vm.img,offset=4096"},
      {endpoint(R"({"transport":"file","filename":"/tmp/vm.img"})"), Syntax::uri,
       "file:/tmp/vm.img"},
      {endpoint(rdma), Syntax::uri, "rdma:192.168.1.2:4444"},
      {endpoint(socket_transport), Syntax::uri, "tcp:h:1"},
      {endpoint(inet_v4, 1, "n0"), Syntax::uri, "tcp:10.0.0.1:4444"},
      // json
      {endpoint(inet_v6_ka), Syntax::json,
       R"({"type":"inet","host":"::1","port":"4444","keep-alive":true,"keep-alive-idle":60})"},
      {endpoint(R"({"host":"h","port":"1","type":"inet"})"), Syntax::json,
       R"({"type":"inet","host":"h","port":"1"})"},
      {endpoint(unix_abstract), Syntax::json,
       R"({"type":"unix","path":"qsock","abstract":true,"tight":false})"},
      {endpoint(vsock), Syntax::json, R"({"type":"vsock","cid":"3","port":"1234"})"},
      {endpoint(socket_transport), Syntax::json, R"({"type":"inet","host":"h","port":"1"})"},
      {endpoint(exec_argv), Syntax::json, R"({"transport":"exec","args":["nc","-l","4444"]})"},
      {endpoint(file), Syntax::json,
       R"({"transport":"file","filename":"/tmp/vm.img","offset":4096})"},
      // netdev
      {endpoint(inet_v4), Syntax::netdev,
       "stream,id=net0,server=off,addr.type=inet,addr.host=10.0.0.1,addr.port=4444"},
      {endpoint(inet_v6_ka, 1, "n1", R"({"reconnect-ms":1000})"), Syntax::netdev,
       "stream,id=n1,server=on,addr.type=inet,addr.host=::1,addr.port=4444,addr.keep-alive=on,"
       "addr.keep-alive-idle=60,reconnect-ms=1000"},
      {endpoint(unix_abstract, 0), Syntax::netdev,
       "stream,id=net0,server=off,addr.type=unix,addr.path=qsock,addr.abstract=on,addr.tight=off"},
      {endpoint(R"({"type":"unix","path":"/tmp/a,b"})"), Syntax::netdev,
       "stream,id=net0,server=off,addr.type=unix,addr.path=/tmp/a,,b"},
      {endpoint(fd, 1), Syntax::netdev, "stream,id=net0,server=on,addr.type=fd,addr.str=migfd"},
      {endpoint(socket_transport), Syntax::netdev,
       "stream,id=net0,server=off,addr.type=inet,addr.host=h,addr.port=1"},
      // incoming
      {endpoint(inet_v4), Syntax::incoming,
       "main,addr.transport=socket,addr.type=inet,addr.host=10.0.0.1,addr.port=4444"},
      {endpoint(inet_v6_ka, 1), Syntax::incoming,
       "main,addr.transport=socket,addr.type=inet,addr.host=::1,addr.port=4444,"
       "addr.keep-alive=on,addr.keep-alive-idle=60"},
      {endpoint(unix_plain, -1, "", R"({"channel-type":"cpr"})"), Syntax::incoming,
       "cpr,addr.transport=socket,addr.type=unix,addr.path=/run/q.sock"},
      {endpoint(vsock), Syntax::incoming,
       "main,addr.transport=socket,addr.type=vsock,addr.cid=3,addr.port=1234"},
      {endpoint(exec_argv), Syntax::incoming,
       "main,addr.transport=exec,addr.args.0=nc,addr.args.1=-l,addr.args.2=4444"},
      {endpoint(file), Syntax::incoming,
       "main,addr.transport=file,addr.filename=/tmp/vm.img,addr.offset=4096"},
      {endpoint(rdma), Syntax::incoming,
       "main,addr.transport=rdma,addr.host=192.168.1.2,addr.port=4444"},
      {endpoint(socket_transport), Syntax::incoming,
       "main,addr.transport=socket,addr.type=inet,addr.host=h,addr.port=1"},
      {endpoint(R"({"type":"unix","path":"/a,b"})"), Syntax::incoming,
       "main,addr.transport=socket,addr.type=unix,addr.path=/a,,b"},
      // chardev
      {endpoint(inet_v4, 1, "mon0"), Syntax::chardev,
       "socket,id=mon0,host=10.0.0.1,port=4444,server=on,wait=off"},
      {endpoint(inet_full), Syntax::chardev,
       "socket,id=char0,host=h,port=5000,to=5006,ipv4=off,ipv6=on,server=off"},
      {endpoint(inet_v4, 1, "c", R"({"wait":true,"nodelay":true,"reconnect-ms":0})"),
       Syntax::chardev,
       "socket,id=c,host=10.0.0.1,port=4444,server=on,wait=on,nodelay=on,reconnect-ms=0"},
      {endpoint(unix_abstract, 1), Syntax::chardev,
       "socket,id=char0,path=qsock,abstract=on,tight=off,server=on,wait=off"},
      {endpoint(R"({"type":"unix","path":"/tmp/a,b"})", 0), Syntax::chardev,
       "socket,id=char0,path=/tmp/a,,b,server=off"},
      {endpoint(fd, 0), Syntax::chardev, "socket,id=char0,fd=migfd,server=off"},
      {endpoint(inet_v4, 0, "c", R"({"tls-creds":"tls0","logfile":"/l,og"})"), Syntax::chardev,
       "socket,id=c,host=10.0.0.1,port=4444,server=off,tls-creds=tls0,logfile=/l,,og"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.in.address.dump());
    CAPTURE(syntax_name(c.syntax));
    auto out = render(c.in, c.syntax, embedded_schema());
    REQUIRE_MESSAGE(out.has_value(), (out ? "" : out.error().message));
    CHECK(*out == c.out);
  }
}

TEST_CASE("render: what a syntax cannot express") {
  const std::vector<Refused> cases = {
      // uri
      {endpoint(unix_abstract), Syntax::uri, "abstract", "cannot express 'abstract'", "json"},
      {endpoint(R"({"type":"unix","path":"p","tight":false})"), Syntax::uri, "tight",
       "cannot express 'tight'"},
      {endpoint(R"({"type":"inet","host":"a,b","port":"1"})"), Syntax::uri, "host", "contains ','",
       "json"},
      {endpoint(R"({"type":"inet","host":"h","port":"1","x":"a,b"})"), Syntax::uri, "x",
       "contains ','"},
      {endpoint(R"({"type":"inet","host":"h","port":"1","x":[1]})"), Syntax::uri, "x",
       "cannot express the array value"},
      {endpoint(R"({"type":"inet","host":"h","port":""})"), Syntax::uri, "port", "empty"},
      {endpoint(R"({"type":"inet","host":"h"})"), Syntax::uri, "port", "needs the string member"},
      {endpoint(R"({"type":"unix","path":""})"), Syntax::uri, "path", "empty"},
      {endpoint(R"({"type":"vsock","cid":"3","port":"1,2"})"), Syntax::uri, "port", "contains ','"},
      {endpoint(R"({"type":"fd","str":""})"), Syntax::uri, "str", "empty"},
      {endpoint(exec_argv), Syntax::uri, "args", "/bin/sh -c", "exec:'nc' '-l' '4444'"},
      {endpoint(R"({"transport":"file","filename":"/a,b"})"), Syntax::uri, "filename",
       "contains ','"},
      {endpoint(inet_v4, -1, "", R"({"reconnect-ms":1000})"), Syntax::uri, "reconnect-ms",
       "'reconnect-ms' cannot be expressed in the uri syntax",
       "the netdev and chardev syntaxes keep it"},
      {endpoint(R"({"type":"bogus"})"), Syntax::uri, "type", "no form for the address type"},
      {endpoint(R"({"host":"h"})"), Syntax::uri, "type", "neither 'type' nor 'transport'"},
      {endpoint(R"("tcp:h:1")"), Syntax::uri, "addr", "not an object"},
      // json
      {endpoint(inet_v4, -1, "", R"({"wait":false})"), Syntax::json, "wait",
       "'wait' cannot be expressed in the json syntax", "chardev syntax keeps it"},
      {endpoint(R"({"type":"unix","path":"\u00ff"})"), Syntax::json, "", nullptr},  // valid
      // netdev
      {endpoint(vsock), Syntax::netdev, "addr.type", "vsock", "uri, json and incoming"},
      {endpoint(exec_sh), Syntax::netdev, "transport", "an exec migration address",
       "uri and incoming"},
      {endpoint(file), Syntax::netdev, "transport", "file migration address"},
      {endpoint(inet_v4, -1, "", R"({"wait":false})"), Syntax::netdev, "wait",
       "'wait' cannot be expressed in the netdev syntax", "chardev syntax keeps it"},
      {endpoint(inet_v4, -1, "", R"({"channel-type":"main"})"), Syntax::netdev, "channel-type",
       "netdev syntax", "incoming syntax keeps it"},
      {endpoint(inet_v4, -1, "n 0"), Syntax::netdev, "id", "invalid id 'n 0'"},
      {endpoint(R"({"type":"inet","host":"h","port":"1","x":{}})"), Syntax::netdev, "addr.x",
       "empty object"},
      {endpoint(R"({"type":"inet","host":"h","port":"1","x":null})"), Syntax::netdev, "addr.x",
       "null"},
      // incoming
      {endpoint(inet_v4, 0), Syntax::incoming, "server", "listens"},
      {endpoint(inet_v4, -1, "", R"({"reconnect-ms":5})"), Syntax::incoming, "reconnect-ms",
       "incoming syntax"},
      {endpoint(R"({"transport":"exec","args":[]})"), Syntax::incoming, "addr.args", "empty array"},
      // chardev
      {endpoint(inet_v6_ka, 1), Syntax::chardev, "keep-alive",
       "cannot express 'keep-alive' of an inet address",
       "-chardev socket takes host, port, to, ipv4, ipv6"},
      {endpoint(R"({"type":"inet","host":"h","port":"1","numeric":true})"), Syntax::chardev,
       "numeric", "cannot express 'numeric'"},
      {endpoint(R"({"type":"inet","host":"h","port":"1","mptcp":true})"), Syntax::chardev, "mptcp",
       "cannot express 'mptcp'"},
      {endpoint(vsock), Syntax::chardev, "type", "vsock",
       "take inet (host= and port=), unix (path=) and fd (fd=); chardev-add"},
      {endpoint(exec_sh), Syntax::chardev, "transport", "an exec migration address"},
      {endpoint(inet_v4, 1, "", R"({"reconnect-ms":1,"channel-type":"main"})"), Syntax::chardev,
       "channel-type", "chardev syntax", "incoming syntax keeps it"},
      {endpoint(inet_v4, 1, "9lives"), Syntax::chardev, "id", "invalid id"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.in.address.dump());
    CAPTURE(syntax_name(c.syntax));
    auto out = render(c.in, c.syntax, embedded_schema());
    if (!c.message_contains) {
      CHECK(out.has_value());
      continue;
    }
    REQUIRE_FALSE(out.has_value());
    CAPTURE(out.error().message);
    CAPTURE(out.error().hint);
    CHECK(out.error().key == c.key);
    CHECK(out.error().message.find(c.message_contains) != std::string::npos);
    if (c.hint_contains) CHECK(out.error().hint.find(c.hint_contains) != std::string::npos);
  }
}

TEST_CASE("render: invalid UTF-8 in json is an error, not an exception") {
  auto out = render(endpoint(R"({"type":"unix"})"), Syntax::json, embedded_schema());
  REQUIRE(out);
  Endpoint e = endpoint(R"({"type":"unix"})");
  e.address["path"] = "\xff";
  auto bad = render(e, Syntax::json, embedded_schema());
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.find("UTF-8") != std::string::npos);
}

// A typed value as keyval spells it: the tree parse_keyval gives back.
static Json as_keyval_tree(const Json& value) {
  if (value.is_object()) {
    Json out = Json::object();
    for (const auto& [k, v] : value.items()) out[k] = as_keyval_tree(v);
    return out;
  }
  if (value.is_array()) {
    Json out = Json::array();
    for (const auto& v : value) out.push_back(as_keyval_tree(v));
    return out;
  }
  if (value.is_boolean()) return value.get<bool>() ? "on" : "off";
  if (value.is_string()) return value;
  return value.dump();
}

TEST_CASE("render: netdev and incoming round-trip through parse_keyval") {
  const std::vector<Endpoint> netdev = {
      endpoint(inet_v4),
      endpoint(inet_v6_ka, 1, "n1", R"({"reconnect-ms":1000})"),
      endpoint(unix_abstract, 0),
      endpoint(R"({"type":"unix","path":"/tmp/a,,b,"})"),
      endpoint(fd, 1, "x.y-z_0"),
      endpoint(R"({"type":"inet","host":"h","port":"1","to":5006,"ipv4":false,"mptcp":true})")};
  for (const auto& e : netdev) {
    CAPTURE(e.address.dump());
    auto text = render(e, Syntax::netdev, embedded_schema());
    REQUIRE(text);
    auto back = parse_keyval(*text, "type");
    REQUIRE_MESSAGE(back.has_value(), (back ? "" : back.error().message));
    Json expected = {{"type", "stream"},
                     {"id", e.id.empty() ? "net0" : e.id},
                     {"server", e.server.value_or(false) ? "on" : "off"},
                     {"addr", as_keyval_tree(e.address)}};
    for (const auto& [k, v] : e.extras.items()) expected[k] = as_keyval_tree(v);
    CHECK(back->tree == expected);
  }
  const std::vector<Endpoint> incoming = {endpoint(inet_v6_ka), endpoint(exec_argv), endpoint(file),
                                          endpoint(rdma),
                                          endpoint(R"({"type":"unix","path":"a,b=c"})")};
  for (const auto& e : incoming) {
    CAPTURE(e.address.dump());
    auto text = render(e, Syntax::incoming, embedded_schema());
    REQUIRE(text);
    auto back = parse_keyval(*text, "channel-type");
    REQUIRE(back);
    CHECK(back->tree["channel-type"] == "main");
    Json addr = as_keyval_tree(e.address);
    if (!addr.contains("transport")) {
      Json with_transport = {{"transport", "socket"}};
      for (const auto& [k, v] : addr.items()) with_transport[k] = v;
      addr = with_transport;
    }
    CHECK(back->tree["addr"] == addr);
  }
}

namespace {

// The embedded schema with `type` given one more member, or one fewer.
Schema with_member(std::string_view type, const char* member, bool optional = true) {
  Schema s = embedded_schema();
  TypeDef def = *s.find(type);
  Member m;
  m.name = member;
  m.type = "int";
  m.optional = optional;
  def.members.push_back(m);
  s.add(def);
  return s;
}
Schema without_member(std::string_view type, std::string_view member) {
  Schema s = embedded_schema();
  TypeDef def = *s.find(type);
  std::erase_if(def.members, [&](const Member& m) { return m.name == member; });
  s.add(def);
  return s;
}

struct FromSchema {
  Schema schema;
  Endpoint in;
  Syntax syntax;
  const char* out;            // the rendering, or nullptr when refused
  const char* key = nullptr;  // refused: the member named
  const char* hint_contains = nullptr;
};

}  // namespace

TEST_CASE("render: the fronts' members come from the schema") {
  const std::vector<FromSchema> cases = {
      // A member only this schema has is carried by its front ...
      {with_member("NetdevStreamOptions", "x-linger"),
       endpoint(inet_v4, 1, "n", R"({"x-linger":5})"), Syntax::netdev,
       "stream,id=n,server=on,addr.type=inet,addr.host=10.0.0.1,addr.port=4444,x-linger=5"},
      {with_member("MigrationChannel", "x-weight"), endpoint(inet_v4, 1, "", R"({"x-weight":2})"),
       Syntax::incoming,
       "main,addr.transport=socket,addr.type=inet,addr.host=10.0.0.1,addr.port=4444,x-weight=2"},
      // ... and named in the hint when another front cannot carry it.
      {with_member("NetdevStreamOptions", "x-linger"),
       endpoint(inet_v4, 1, "", R"({"x-linger":5})"), Syntax::incoming, nullptr, "x-linger",
       "the netdev syntax keeps it"},
      // Without the schema member, the embedded schema refuses it.
      {embedded_schema(), endpoint(inet_v4, 1, "n", R"({"x-linger":5})"), Syntax::netdev, nullptr,
       "x-linger", nullptr},
      // A schema without reconnect-ms (as QEMU before 9.2): no front keeps it.
      {without_member("NetdevStreamOptions", "reconnect-ms"),
       endpoint(inet_v4, 0, "", R"({"reconnect-ms":1000})"), Syntax::netdev, nullptr,
       "reconnect-ms", "the chardev syntax keeps it"},
      // A ChardevSocket member needs a flat option too: the schema alone
      // cannot add one, but it can take one away.
      {with_member("ChardevSocket", "x-linger"), endpoint(inet_v4, 0, "", R"({"x-linger":5})"),
       Syntax::chardev, nullptr, "x-linger", nullptr},
      {without_member("ChardevSocket", "tn3270"), endpoint(inet_v4, 0, "", R"({"tn3270":true})"),
       Syntax::chardev, nullptr, "tn3270", nullptr},
      {without_member("ChardevCommon", "logfile"), endpoint(inet_v4, 0, "", R"({"logfile":"/l"})"),
       Syntax::chardev, nullptr, "logfile", nullptr},
      // The flat address options follow the address types' members.
      {without_member("UnixSocketAddress", "tight"),
       endpoint(R"({"type":"unix","path":"p","tight":false})", 0), Syntax::chardev, nullptr,
       "tight", "-chardev socket takes path, abstract for a unix address"},
      {with_member("FdSocketAddress", "x-count"), endpoint(fd, 0), Syntax::chardev,
       "socket,id=char0,fd=migfd,server=off"},
      {with_member("FdSocketAddress", "x-count", false), endpoint(fd, 0), Syntax::chardev, nullptr,
       "type", "chardev-add"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.in.extras.dump());
    CAPTURE(syntax_name(c.syntax));
    auto out = render(c.in, c.syntax, c.schema);
    if (c.out) {
      REQUIRE_MESSAGE(out.has_value(), (out ? "" : out.error().message));
      CHECK(*out == c.out);
      continue;
    }
    REQUIRE_FALSE(out.has_value());
    CAPTURE(out.error().message);
    CAPTURE(out.error().hint);
    CHECK(out.error().key == c.key);
    if (c.hint_contains)
      CHECK(out.error().hint.find(c.hint_contains) != std::string::npos);
    else
      CHECK(out.error().hint.empty());
  }
}

TEST_CASE("syntax names") {
  for (Syntax s : {Syntax::uri, Syntax::json, Syntax::netdev, Syntax::incoming, Syntax::chardev})
    CHECK(syntax_from_name(syntax_name(s)) == s);
  CHECK_FALSE(syntax_from_name("qemuopts"));
}
