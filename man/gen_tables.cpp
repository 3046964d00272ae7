// gen_tables TEMPLATE OUTPUT: copies an scdoc man page source, replacing each
// placeholder line with a list of options generated from the embedded QAPI
// schema, so the man pages cannot disagree with what `qsock check` accepts.
//
//   @TABLE:Type:prefix@   the members of Type (base members first), each
//                         name written with prefix ("addr.", "" for none);
//                         "addr.,local." gives each member under both names,
//                         one a line
//   @CHARDEV@             the flat -chardev options the socket backend reads
//
// Each option is a tagged entry (scdoc's definition style): its full name
// alone on a line, then an indented paragraph. A name on a line of its own is
// never broken across lines, so a reader's search in man(1) finds it at any
// terminal width; the columns of a table were split inside names instead.
// The paragraph comes from the schema: the type, the release that has the
// member (or "proposed"), the QAPI 'if' condition, the values of an
// enumeration, and the member's doc comment. The unit and default are read
// from the doc comment's wording, which the schema files keep uniform
// ("Milliseconds ...", "false by default", "0 leaves the system setting").
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>
#include <string>

#include "schema/loader.h"
#include "uri/chardev_opts.h"

namespace {

using qsock::schema::Availability;
using qsock::schema::Member;
using qsock::schema::Schema;
using qsock::schema::TypeDef;

// Escapes the characters scdoc gives meaning to inside a line.
std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '*' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

// A doc comment as one line: "@member" references become plain names and the
// availability notes are dropped (the QEMU column has them).
std::string plain_doc(const std::string& doc) {
  static const std::regex notes(R"(\s*\((since [0-9.]+|proposed|removed in [0-9.]+)\))");
  static const std::regex refs(R"(@([A-Za-z0-9_-]+))");
  static const std::regex space(R"(\s+)");
  std::string s = std::regex_replace(doc, notes, "");
  s = std::regex_replace(s, refs, "$1");
  s = std::regex_replace(s, space, " ");
  while (!s.empty() && s.back() == ' ') s.pop_back();
  while (!s.empty() && s.front() == ' ') s.erase(0, 1);
  return s;
}

// The unit a number is counted in, when its doc comment opens with it.
std::string unit_of(const std::string& doc) {
  static const std::regex unit(R"(^(Milliseconds|Seconds|How many [a-z-]+ probes))",
                               std::regex::icase);
  std::smatch m;
  if (!std::regex_search(doc, m, unit)) return "";
  std::string u = m[1];
  if (u[0] == 'M' || u[0] == 'm') return "milliseconds";
  if (u[0] == 'S' || u[0] == 's') return "seconds";
  return "probes";
}

// The default, when the doc comment states one.
std::string default_of(const Member& m, const std::string& doc) {
  if (!m.optional) return "required";
  static const std::regex by_default(R"(\b(true|false|on|off) by default)");
  static const std::regex the_default(R"(when (true|false) \(the default\))");
  static const std::regex system(R"(\b0 leaves the system setting)");
  std::smatch match;
  if (std::regex_search(doc, match, by_default)) return match[1];
  if (std::regex_search(doc, match, the_default)) return match[1];
  if (std::regex_search(doc, match, system)) return "0 (the system setting)";
  return "";
}

// What qsock knows of a member that every release it models has.
std::string every_release() {
  return "QEMU " + qsock::schema::oldest_supported_qemu.str() +
         " and later (every release qsock knows)";
}

// The releases that have it, as a sentence.
std::string release(const Availability& a) {
  std::string text;
  switch (a.status) {
    case Availability::Status::always:
      text = every_release();
      break;
    case Availability::Status::proposed:
      return "Proposed: no released QEMU has it.";
    case Availability::Status::released:
      text = "QEMU " + a.since.str() + " and later";
      break;
  }
  if (a.removed) text += ", removed in " + a.removed->str();
  return text + ".";
}

// "Values: a, b (9.0), c." for a member whose type is an enumeration: the
// releases of a value only when they differ from the member's.
std::string enum_values(const Schema& schema, const std::string& type, const Availability& member) {
  const TypeDef* def = schema.find(type);
  if (!def || def->meta != qsock::schema::Meta::enumeration || def->values.empty()) return "";
  std::string out = " Values:";
  const char* sep = " ";
  for (const auto& v : def->values) {
    out += sep;
    out += "*" + escape(v.name) + "*";
    if (v.avail.status != Availability::Status::always && !(v.avail == member))
      out += " (" + escape(v.avail.describe()) + ")";
    sep = ", ";
  }
  return out + ".";
}

// One tagged entry per member: the name on its own line, then what it is.
bool member_table(const Schema& schema, const std::string& type, const std::string& prefixes,
                  std::ostream& out, std::string* err) {
  const TypeDef* def = schema.find(type);
  if (!def || def->meta != qsock::schema::Meta::object) {
    *err = "no object type '" + type + "' in the embedded schema";
    return false;
  }
  bool first = true;
  for (const Member* m : schema.members_of(*def)) {
    std::string doc = plain_doc(m->doc);
    std::string facts = "_" + escape(m->type) + "_";
    std::string unit = unit_of(doc);
    if (!unit.empty()) facts += " (" + unit + ")";
    std::string def_value = default_of(*m, doc);
    if (def_value == "required")
      facts += ", required.";
    else if (def_value.empty())
      facts += ", optional.";
    else
      facts += ", optional, default " + escape(def_value) + ".";
    facts += " " + escape(release(m->avail));
    if (!m->condition.empty()) facts += " Only in builds with _" + escape(m->condition) + "_.";
    for (const std::string& f : m->features) facts += " Feature: _" + escape(f) + "_.";
    facts += enum_values(schema, m->type, m->avail);
    if (!first) out << "\n";
    first = false;
    // Every spelling on a line of its own (scdoc's "++" breaks the line):
    // filled, a long name would break after one of its hyphens.
    std::string::size_type start = 0;
    for (;;) {
      std::string::size_type end = prefixes.find(',', start);
      out << "*" << escape(prefixes.substr(start, end - start) + m->name) << "*";
      if (end == std::string::npos) break;
      out << ",++\n";
      start = end + 1;
    }
    out << "\n";
    out << "\t" << facts << "\n";
    if (!doc.empty()) out << "\t" << escape(doc) << "\n";
  }
  return true;
}

const char* opt_type(qsock::uri::QemuOptType t) {
  switch (t) {
    case qsock::uri::QemuOptType::string:
      return "string";
    case qsock::uri::QemuOptType::boolean:
      return "bool";
    case qsock::uri::QemuOptType::number:
      return "number";
    case qsock::uri::QemuOptType::size:
      return "size";
  }
  return "?";
}

// The flat -chardev options that the socket backend reads, in QEMU's order.
void chardev_table(std::ostream& out) {
  bool first = true;
  for (const auto& o : qsock::uri::chardev_options()) {
    if (!o.socket) continue;
    std::string since = o.since == qsock::schema::QemuVersion{}
                            ? every_release()
                            : "QEMU " + o.since.str() + " and later";
    if (o.removed) since += ", removed in " + o.removed->str();
    if (!first) out << "\n";
    first = false;
    out << "*" << escape(std::string(o.name)) << "*\n";
    out << "\t_" << opt_type(o.type) << "_. " << escape(since) << ".\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: gen_tables TEMPLATE.scd OUTPUT.scd\n";
    return 2;
  }
  std::ifstream in(argv[1]);
  if (!in) {
    std::cerr << "gen_tables: cannot read " << argv[1] << "\n";
    return 1;
  }
  const Schema& schema = qsock::schema::embedded_schema();
  static const std::regex table(R"(^@TABLE:([A-Za-z0-9_-]+):([A-Za-z0-9_.,-]*)@$)");
  std::ostringstream out;
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    std::smatch m;
    std::string err;
    if (std::regex_match(line, m, table)) {
      if (!member_table(schema, m[1], m[2], out, &err)) {
        std::cerr << argv[1] << ":" << lineno << ": " << err << "\n";
        return 1;
      }
    } else if (line == "@CHARDEV@") {
      chardev_table(out);
    } else if (line.find("@TABLE") != std::string::npos) {
      std::cerr << argv[1] << ":" << lineno << ": malformed placeholder: " << line << "\n";
      return 1;
    } else {
      out << line << "\n";
    }
  }
  std::ofstream file(argv[2]);
  file << out.str();
  if (!file) {
    std::cerr << "gen_tables: cannot write " << argv[2] << "\n";
    return 1;
  }
  return 0;
}
