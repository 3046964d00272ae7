#include <doctest/doctest.h>

#include <string>

#include "tests/uri/inet_schema_fixture.h"
#include "uri/chardev_opts.h"

using namespace qsock::uri;
using namespace qsock::uri::testing;
using namespace qsock::schema;

namespace {
void run_chardev(const ParseCase& c) { run_parse_case(parse_chardev, c); }
}  // namespace

TEST_CASE("-chardev socket to chardev-add") {
  const ParseCase cases[] = {
      {"socket,id=c0,host=127.0.0.1,port=4444,server=on,wait=off", v102,
       R"({"id":"c0","backend":{"type":"socket","data":{"logappend":false,
          "addr":{"type":"inet","data":{"host":"127.0.0.1","port":"4444"}},
          "server":true,"wait":false}}})",
       ""},
      {"socket,id=c0,path=/tmp/c0.sock,server=on", v72,
       R"({"id":"c0","backend":{"type":"socket","data":{"logappend":false,
          "addr":{"type":"unix","data":{"path":"/tmp/c0.sock","tight":true,"abstract":false}},
          "server":true,"wait":true}}})",
       ""},
      {"socket,id=c0,fd=3", v72,
       R"({"id":"c0","backend":{"type":"socket","data":{"logappend":false,
          "addr":{"type":"fd","data":{"str":"3"}},"server":false}}})",
       ""},
      {"socket,id=c0,host=h,port=1,to=9,ipv4=on,ipv6=off,nodelay=on,telnet=on,tn3270=off,"
       "logfile=/tmp/log,logappend=on",
       v72,
       R"({"id":"c0","backend":{"type":"socket","data":{"logfile":"/tmp/log","logappend":true,
          "addr":{"type":"inet","data":{"host":"h","port":"1","to":9,"ipv4":true,"ipv6":false}},
          "server":false,"nodelay":true,"telnet":true,"tn3270":false}}})",
       ""},
      {"socket,id=c0,path=/s,abstract=on,tight=off,server=on,wait=off,websocket=on", v102,
       R"({"id":"c0","backend":{"type":"socket","data":{"logappend":false,
          "addr":{"type":"unix","data":{"path":"/s","tight":false,"abstract":true}},
          "server":true,"wait":false,"websocket":true}}})",
       ""},
      {"socket,id=c0,host=h,port=1,reconnect-ms=500", v92,
       R"({"id":"c0","backend":{"type":"socket","data":{"logappend":false,
          "addr":{"type":"inet","data":{"host":"h","port":"1"}},
          "server":false,"reconnect-ms":500}}})",
       ""},
      {"socket,id=c0,host=h,port=1,reconnect=5", v72,
       R"({"id":"c0","backend":{"type":"socket","data":{"logappend":false,
          "addr":{"type":"inet","data":{"host":"h","port":"1"}},"server":false,"reconnect":5}}})",
       ""},
      {"socket,id=c0,host=h,port=1,tls-creds=tls0,tls-authz=authz0", v102,
       R"({"id":"c0","backend":{"type":"socket","data":{"logappend":false,
          "addr":{"type":"inet","data":{"host":"h","port":"1"}},"tls-creds":"tls0",
          "tls-authz":"authz0","server":false}}})",
       ""},
      // delay=off is nodelay; the short form "nodelay" is delay=off too
      {"socket,id=c0,host=h,port=1,delay=off", v102,
       R"({"id":"c0","backend":{"type":"socket","data":{"logappend":false,
          "addr":{"type":"inet","data":{"host":"h","port":"1"}},"server":false,"nodelay":true}}})",
       ""},
      {"socket,id=c0,host=h,port=1,nodelay", v102,
       R"({"id":"c0","backend":{"type":"socket","data":{"logappend":false,
          "addr":{"type":"inet","data":{"host":"h","port":"1"}},"server":false,"nodelay":true}}})",
       ""},
      // backend= may come anywhere; ",," in a path; last occurrence wins
      {"id=c0,backend=socket,path=/tmp/a,,b,server=off,server=on,wait=off", v102,
       R"({"id":"c0","backend":{"type":"socket","data":{"logappend":false,
          "addr":{"type":"unix","data":{"path":"/tmp/a,b","tight":true,"abstract":false}},
          "server":true,"wait":false}}})",
       ""},
      // options of other backends are accepted and ignored
      {"socket,id=c0,host=h,port=1,width=80,size=64k,signal=off", v72,
       R"({"id":"c0","backend":{"type":"socket","data":{"logappend":false,
          "addr":{"type":"inet","data":{"host":"h","port":"1"}},"server":false}}})",
       ""},
  };
  for (const auto& c : cases) run_chardev(c);
}

TEST_CASE("-chardev socket: QEMU's errors") {
  const ParseCase cases[] = {
      {"socket,id=c0,host=h", v102, "", "chardev: socket: no port given"},
      {"socket,id=c0,host=h,port=1,path=/x", v102, "",
       "None or one of 'path', 'fd' or 'host' option required."},
      {"socket,id=c0,fd=3,path=/x", v102, "",
       "None or one of 'path', 'fd' or 'host' option required."},
      {"socket,host=h,port=1", v102, "", "chardev: no id specified"},
      {"id=c0,host=h,port=1", v102, "", "chardev: \"c0\" missing backend"},
      {"sockte,id=c0", v102, "", "'sockte' is not a valid char driver name"},
      {"socket,id=c0,host=h,port=1,delay=on,nodelay=on", v102, "",
       "'delay' and 'nodelay' are mutually exclusive"},
      {"socket,id=c0,host=h,port=1,server=maybe", v102, "",
       "Parameter 'server' expects 'on' or 'off'"},
      {"socket,id=c0,host=h,port=1,reconnect-ms=soon", v102, "",
       "Parameter 'reconnect-ms' expects a number"},
      {"socket,id=c0,host=h,port=1,keep-alive=on", v102, "", "Invalid parameter 'keep-alive'"},
      {"socket,id=c0,host=h,port=1,bogus=1", v102, "", "Invalid parameter 'bogus'"},
      {"socket,id=c0,host=h,port=1,reconnect=1", v102, "", "Invalid parameter 'reconnect'"},
      {"socket,id=c0,host=h,port=1,reconnect-ms=1", v91, "", "Invalid parameter 'reconnect-ms'"},
      {"file,id=c0,path=/x,input-path=/y", v72, "", "Invalid parameter 'input-path'"},
      {"socket,id=1c,host=h,port=1", v102, "", "Parameter 'id' expects an identifier"},
      {"socket,id=c0,fd=3,reconnect-ms=100", v102, "",
       "'reconnect-ms' option is incompatible with 'fd' address type"},
      {"socket,id=c0,fd=3,reconnect=1", v101, "",
       "'reconnect' option is incompatible with 'fd' address type"},
      {"socket,id=c0,fd=3,tls-creds=t", v102, "",
       "'tls_creds' option is incompatible with 'fd' address type as client"},
      {"socket,id=c0,path=/x,tls-creds=t,server=on", v102, "",
       "'tls_creds' option is incompatible with 'unix' address type"},
      {"socket,id=c0,host=h,port=1,tls-authz=a", v102, "",
       "'tls_authz' option requires 'tls_creds' option"},
      {"socket,id=c0,host=h,port=1,server=on,reconnect-ms=100", v102, "",
       "'reconnect-ms' option is incompatible with socket in server listen mode"},
      {"socket,id=c0,host=h,port=1,server=on,reconnect=1", v72, "",
       "'reconnect' option is incompatible with socket in server listen mode"},
      {"socket,id=c0,host=h,port=1,websocket=on", v102, "", "Websocket client is not implemented"},
      {"socket,id=c0,host=h,port=1,wait=off", v102, "",
       "'wait' option is incompatible with socket in client connect mode"},
      {"socket,id=c0,host=h,port=1,reconnect=1,reconnect-ms=5", v92, "",
       "'reconnect' and 'reconnect-ms' are mutually exclusive"},
      {"socket,id=c0", v102, "", "chardev: socket: no address given"},
  };
  for (const auto& c : cases) run_chardev(c);
}

TEST_CASE("-chardev socket: hints and warnings") {
  {
    Parsed p =
        parse_chardev("socket,id=c0,host=h,port=1,server,nowait", target(10, 2), test_schema());
    REQUIRE(p.ok());
    CHECK(p.value["backend"]["data"]["wait"] == false);
    REQUIRE(p.diags.warnings.size() == 2);
    CHECK(p.diags.warnings[0].message == "short-form boolean option 'server' deprecated");
    CHECK(p.diags.warnings[0].hint == "Please use server=on instead");
    CHECK(p.diags.warnings[1].message == "short-form boolean option 'nowait' deprecated");
    CHECK(p.diags.warnings[1].hint == "Please use wait=off instead");
  }
  {
    Parsed p = parse_chardev("socket,id=c0,host=h,port=1,nodelay", target(10, 2), test_schema());
    CHECK(p.diags.warnings.at(0).hint == "Please use nodelay=on instead");
  }
  {
    Parsed p =
        parse_chardev("socket,id=c0,host=h,port=1,reconnect=1", target(10, 2), test_schema());
    CHECK(p.diags.errors.at(0).hint == "reconnect was removed in QEMU 10.2; use reconnect-ms");
  }
  {
    Parsed p =
        parse_chardev("socket,id=c0,host=h,port=1,reconnect-ms=1", target(9, 1), test_schema());
    CHECK(p.diags.errors.at(0).hint.find("needs QEMU 9.2") != std::string::npos);
  }
  {
    Parsed p =
        parse_chardev("socket,id=c0,host=h,port=1,keep-alive=on", target(10, 2), test_schema());
    CHECK(p.diags.errors.at(0).hint.find("addr.data.keep-alive") != std::string::npos);
  }
  {
    Parsed p = parse_chardev("socket,id=c0,host=h,port=1,sever=on", target(10, 2), test_schema());
    CHECK(p.diags.errors.at(0).hint == "did you mean 'server'?");
  }
  {
    Parsed p = parse_chardev("socket,id=c0,port=1", target(10, 2), test_schema());
    CHECK(p.diags.errors.at(0).message == "Unable to parse FD number");
    CHECK(p.diags.errors.at(0).hint.find("host=") != std::string::npos);
  }
  {
    Parsed p = parse_chardev("socket,id=c0,host=h,port=1,reconnect=1", target(9, 2), test_schema());
    REQUIRE(p.ok());
    CHECK(p.diags.warnings.at(0).message == "reconnect is deprecated since QEMU 9.2");
  }
  {
    // Accepted by QEMU, unused by the socket backend: warn, leave out.
    Parsed p =
        parse_chardev("socket,id=c0,path=/x,to=5,width=80,mux=on", target(10, 2), test_schema());
    REQUIRE(p.ok());
    CHECK(p.diags.warnings.size() == 3);
    CHECK_FALSE(p.value["backend"]["data"]["addr"]["data"].contains("to"));
  }
  {
    Parsed p = parse_chardev("socket,id=c0,host=h,port=1,to=65536", target(10, 2), test_schema());
    REQUIRE(p.ok());
    CHECK(p.value["backend"]["data"]["addr"]["data"]["to"] == 0);
    CHECK(p.diags.warnings.size() == 1);
  }
  {
    // Every bad name is reported; the first is QEMU's.
    Parsed p =
        parse_chardev("socket,id=c0,bogus=1,host=h,port=1,nope", target(10, 2), test_schema());
    REQUIRE(p.diags.errors.size() == 2);
    CHECK(p.diags.errors[1].message == "Invalid parameter 'pe'");  // "nope" is no+pe
  }
  CHECK_FALSE(parse_chardev("file,id=f,path=/x", target(10, 2), test_schema()).ok());
  CHECK(
      parse_chardev("socket,id=c0,host=h,port=1,chardevs.0=x", target(10, 0), test_schema()).ok());
  CHECK_FALSE(
      parse_chardev("socket,id=c0,host=h,port=1,chardevs.0=x", target(9, 2), test_schema()).ok());
  CHECK_FALSE(parse_chardev("help", target(10, 2), test_schema()).ok());
}
