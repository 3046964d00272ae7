#include "cli/completion.h"

#include <algorithm>
#include <optional>
#include <string_view>

#include "schema/versions.h"
#include "uri/address_completion.h"
#include "uri/check.h"

namespace qsock::cli {

namespace {

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// A help text as one short line: up to the first sentence end or 70 characters.
std::string one_line(std::string_view text) {
  std::string out(text.substr(0, text.find('\n')));
  if (auto end = out.find(". "); end != std::string::npos) out.erase(end + 1);
  if (out.size() > 70) out.replace(67, std::string::npos, "...");
  return out;
}

bool hidden(const CLI::Option* opt) { return opt->get_group().empty(); }
bool takes_value(const CLI::Option* opt) { return opt->get_items_expected_max() > 0; }

// The options usable in `app`: its own, and its parents' while options fall
// through to them (`qsock check --json X`).
std::vector<CLI::Option*> usable_options(CLI::App* app) {
  std::vector<CLI::Option*> out;
  for (CLI::App* a = app; a; a = a->get_fallthrough() ? a->get_parent() : nullptr)
    for (CLI::Option* opt : a->get_options())
      if (!opt->get_positional() && !hidden(opt) &&
          std::none_of(out.begin(), out.end(),
                       [&](CLI::Option* o) { return o->get_name() == opt->get_name(); }))
        out.push_back(opt);
  return out;
}

CLI::Option* find_option(CLI::App* app, std::string_view word) {
  for (CLI::Option* opt : usable_options(app)) {
    for (const std::string& l : opt->get_lnames())
      if (word == "--" + l) return opt;
    for (const std::string& s : opt->get_snames())
      if (word == "-" + s) return opt;
  }
  return nullptr;
}

// The values an option's CLI::IsMember check allows. CLI11 describes such a
// check as "{a,b,c}"; any other validator leaves the values open.
std::vector<std::string> choices(CLI::Option* opt) {
  for (int i = 0;; ++i) {
    CLI::Validator* v = nullptr;
    try {
      v = opt->get_validator(i);
    } catch (const CLI::OptionNotFound&) {
      return {};
    }
    std::string d = v->get_description();
    if (d.size() < 2 || d.front() != '{' || d.back() != '}') continue;
    std::vector<std::string> out;
    std::string_view list = std::string_view(d).substr(1, d.size() - 2);
    for (std::size_t pos = 0; pos <= list.size();) {
      std::size_t end = std::min(list.find(',', pos), list.size());
      out.emplace_back(list.substr(pos, end - pos));
      pos = end + 1;
    }
    return out;
  }
}

// The values to offer for an option. --qemu-version is free text qsock
// checks itself; its values are the releases qsock knows.
std::vector<std::string> option_values(CLI::Option* opt) {
  if (opt->get_name() == "--qemu-version") {
    std::vector<std::string> out;
    for (schema::QemuVersion v : schema::known_releases()) out.push_back(v.str());
    return out;
  }
  return choices(opt);
}

void add_values(std::vector<Candidate>& out, std::string_view head, std::string_view partial,
                const std::vector<std::string>& values) {
  for (const std::string& v : values)
    if (starts_with(v, partial)) out.push_back({std::string(head) + v, ""});
}

// What the words before the cursor say.
struct LineState {
  CLI::App* app = nullptr;
  CLI::Option* pending = nullptr;  // the option whose value the cursor is at
  bool after_dashes = false;       // past "--": only positionals follow
  std::string as;                  // --as, when given
  std::string qemu_version;        // --qemu-version, when given
  std::string previous_positional;
};

void record(LineState& s, CLI::Option* opt, const std::string& value) {
  if (opt->get_name() == "--as") s.as = value;
  if (opt->get_name() == "--qemu-version") s.qemu_version = value;
}

LineState walk(CLI::App& root, const std::vector<std::string>& words) {
  LineState s;
  s.app = &root;
  for (std::size_t i = 0; i + 1 < words.size(); ++i) {
    const std::string& w = words[i];
    if (s.pending) {
      record(s, s.pending, w);
      s.pending = nullptr;
    } else if (s.after_dashes) {
      s.previous_positional = w;
    } else if (w == "--") {
      s.after_dashes = true;
    } else if (w.size() > 1 && w[0] == '-') {
      auto eq = w.find('=');
      CLI::Option* opt = find_option(s.app, std::string_view(w).substr(0, eq));
      if (opt && takes_value(opt)) {
        if (eq == std::string::npos)
          s.pending = opt;
        else
          record(s, opt, w.substr(eq + 1));
      }
    } else {
      auto subs = s.app->get_subcommands([&](CLI::App* a) { return a->get_name() == w; });
      if (!subs.empty())
        s.app = subs.front();
      else
        s.previous_positional = w;
    }
  }
  return s;
}

schema::Target target_of(const LineState& s) {
  auto v = schema::parse_qemu_version(s.qemu_version);
  return v ? schema::Target::release(*v) : schema::Target::newest();
}

// Inside an address: schema member names. A "-netdev" word before it (as in
// `check -- -netdev stream,...`) names the syntax like a leading "-netdev ".
void address_candidates(std::vector<Candidate>& out, const LineState& s, const std::string& cur,
                        const schema::Schema& schema) {
  std::optional<uri::InputKind> kind = uri::parse_kind(s.as);
  std::string prefix;
  if (!s.previous_positional.empty() && uri::split_option_word(s.previous_positional + " x"))
    prefix = s.previous_positional + " ";
  for (uri::AddressCandidate& c : uri::complete_address(prefix + cur, kind, target_of(s), schema))
    out.push_back({c.text.substr(prefix.size()), one_line(c.doc)});
}

}  // namespace

std::vector<Candidate> complete_words(CLI::App& app, const std::vector<std::string>& words,
                                      const schema::Schema& schema) {
  std::vector<std::string> line = words.empty() ? std::vector<std::string>{""} : words;
  LineState s = walk(app, line);
  const std::string& cur = line.back();
  std::vector<Candidate> out;

  if (s.pending) {
    add_values(out, "", cur, option_values(s.pending));
    return out;
  }
  if (!s.after_dashes && starts_with(cur, "-") && cur != "-") {
    if (auto eq = cur.find('='); eq != std::string::npos) {
      if (CLI::Option* opt = find_option(s.app, std::string_view(cur).substr(0, eq));
          opt && takes_value(opt))
        add_values(out, cur.substr(0, eq + 1), cur.substr(eq + 1), option_values(opt));
      return out;
    }
    for (CLI::Option* opt : usable_options(s.app))
      for (const std::string& l : opt->get_lnames())
        if (starts_with("--" + l, cur)) out.push_back({"--" + l, one_line(opt->get_description())});
    return out;
  }
  if (!s.after_dashes)
    for (CLI::App* sub :
         s.app->get_subcommands([](CLI::App* a) { return !a->get_group().empty(); }))
      if (starts_with(sub->get_name(), cur))
        out.push_back({sub->get_name(), one_line(sub->get_description())});
  for (CLI::Option* opt : s.app->get_options([](CLI::Option* o) { return o->get_positional(); }))
    add_values(out, "", cur, choices(opt));
  // A command that reads addresses has --as: its operands are addresses.
  if (find_option(s.app, "--as")) address_candidates(out, s, cur, schema);
  return out;
}

}  // namespace qsock::cli
