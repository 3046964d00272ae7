#include "uri/qemu_opts.h"

#include <limits>

#include <fmt/format.h>

namespace qsock::uri {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// One value up to the next lone ',' ; ",," stands for ','. `pos` ends on the
// ',' that ended the value, or at the end.
std::string take_value(std::string_view text, std::size_t& pos) {
  std::string out;
  while (pos < text.size()) {
    char c = text[pos];
    if (c == ',') {
      if (pos + 1 < text.size() && text[pos + 1] == ',') {
        out += ',';
        pos += 2;
        continue;
      }
      break;
    }
    out += c;
    ++pos;
  }
  return out;
}

// One item starting at `pos`; `implied` is the implied option's name or "".
QemuOpt take_item(std::string_view text, std::size_t& pos, std::string_view implied) {
  QemuOpt opt;
  std::size_t len = 0;
  while (pos + len < text.size() && text[pos + len] != '=' && text[pos + len] != ',') ++len;
  bool has_equals = pos + len < text.size() && text[pos + len] == '=';
  if (!has_equals && !implied.empty()) {
    opt.name = std::string(implied);
    opt.implied = true;
    opt.value = take_value(text, pos);
  } else if (!has_equals) {
    opt.name = std::string(text.substr(pos, len));
    opt.short_form = true;
    pos += len;
    if (opt.name.compare(0, 2, "no") == 0) {
      opt.name.erase(0, 2);
      opt.negated = true;
      opt.value = "off";
    } else {
      opt.value = "on";
    }
  } else {
    opt.name = std::string(text.substr(pos, len));
    pos += len + 1;
    opt.value = take_value(text, pos);
  }
  if (pos < text.size() && text[pos] == ',') ++pos;
  return opt;
}

// strtoull(value, &end, base) as glibc does it, plus "was anything converted".
struct UnsignedParse {
  std::uint64_t value = 0;
  bool converted = false;
  bool overflow = false;
  std::size_t end = 0;  // index after the last character used
};

int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return 99;
}

UnsignedParse parse_unsigned(std::string_view s, int base) {
  UnsignedParse r;
  std::size_t i = 0;
  while (i < s.size() && is_space(s[i])) ++i;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    negative = s[i] == '-';
    ++i;
  }
  if ((base == 0 || base == 16) && i + 1 < s.size() && s[i] == '0' &&
      (s[i + 1] == 'x' || s[i + 1] == 'X') && i + 2 < s.size() && digit_value(s[i + 2]) < 16) {
    base = 16;
    i += 2;
  } else if (base == 0) {
    base = (i < s.size() && s[i] == '0') ? 8 : 10;
  }
  std::uint64_t v = 0;
  std::size_t start = i;
  for (; i < s.size() && digit_value(s[i]) < base; ++i) {
    auto d = static_cast<std::uint64_t>(digit_value(s[i]));
    auto b = static_cast<std::uint64_t>(base);
    if (v > (std::numeric_limits<std::uint64_t>::max() - d) / b) r.overflow = true;
    v = v * b + d;
  }
  if (i == start) return r;  // nothing converted: end stays at 0
  r.converted = true;
  r.end = i;
  r.value = r.overflow ? std::numeric_limits<std::uint64_t>::max() : (negative ? 0 - v : v);
  return r;
}

Diagnostic invalid_value(std::string_view name, std::string_view expected) {
  return {fmt::format("Parameter '{}' expects {}", name, expected), std::string(name), {}};
}

}  // namespace

const QemuOpt* QemuOptsList::find(std::string_view name) const {
  for (auto it = opts.rbegin(); it != opts.rend(); ++it)
    if (it->name == name) return &*it;
  return nullptr;
}

bool is_qemu_identifier(std::string_view id) {
  if (id.empty() || !is_alpha(id[0])) return false;
  for (char c : id)
    if (!is_alpha(c) && !is_digit(c) && c != '-' && c != '.' && c != '_') return false;
  return true;
}

tl::expected<QemuOptsList, Diagnostic> parse_qemu_opts(std::string_view text,
                                                       std::string_view implied_name) {
  QemuOptsList list;
  // QEMU finds the id in a pass of its own that has no implied option, so
  // a bare first item there is a flag, never the id.
  for (std::size_t pos = 0; pos < text.size();) {
    QemuOpt opt = take_item(text, pos, {});
    if (opt.name == "id") {
      list.id = opt.value;
      break;
    }
  }
  if (list.id && !is_qemu_identifier(*list.id))
    return tl::unexpected(Diagnostic{
        "Parameter 'id' expects an identifier", "id",
        "Identifiers consist of letters, digits, '-', '.', '_', starting with a letter."});

  std::string_view implied = implied_name;
  for (std::size_t pos = 0; pos < text.size();) {
    QemuOpt opt = take_item(text, pos, implied);
    implied = {};
    if (opt.name == "id") continue;
    list.opts.push_back(std::move(opt));
  }
  return list;
}

tl::expected<bool, Diagnostic> qemu_opt_bool(std::string_view name, std::string_view value) {
  if (value == "on" || value == "yes" || value == "true" || value == "y") return true;
  if (value == "off" || value == "no" || value == "false" || value == "n") return false;
  Diagnostic d = invalid_value(name, "'on' or 'off'");
  d.hint = "write on or off (yes/no, true/false and y/n are accepted too)";
  return tl::unexpected(std::move(d));
}

tl::expected<std::uint64_t, Diagnostic> qemu_opt_number(std::string_view name,
                                                        std::string_view value) {
  UnsignedParse r = parse_unsigned(value, 0);
  if (r.converted && r.end == value.size() && r.overflow)
    return tl::unexpected(
        Diagnostic{fmt::format("Value '{}' is too large for parameter '{}'", value, name),
                   std::string(name), "the largest value is 18446744073709551615"});
  if (!r.converted || r.end != value.size()) {
    Diagnostic d = invalid_value(name, "a number");
    d.hint = "a decimal, 0x hexadecimal or 0 octal number";
    return tl::unexpected(std::move(d));
  }
  return r.value;
}

tl::expected<Bytes, Diagnostic> qemu_opt_size(std::string_view name, std::string_view value) {
  auto size = qemu_strtosz(value);
  if (size) return *size;
  if (size.error() == SizeError::range)
    return tl::unexpected(
        Diagnostic{fmt::format("Value '{}' is out of range for parameter '{}'", value, name),
                   std::string(name),
                   {}});
  Diagnostic d = invalid_value(name, "a non-negative number below 2^64");
  d.hint =
      "Optional suffix k, M, G, T, P or E means kilo-, mega-, giga-, tera-, peta- and "
      "exabytes, respectively; a hexadecimal 0x number takes neither suffix nor fraction.";
  return tl::unexpected(std::move(d));
}

tl::expected<Json, Diagnostic> qemu_opt_typed(std::string_view name, std::string_view value,
                                              QemuOptType type) {
  switch (type) {
    case QemuOptType::string:
      return Json(std::string(value));
    case QemuOptType::boolean:
      return qemu_opt_bool(name, value).map([](bool b) { return Json(b); });
    case QemuOptType::number:
      return qemu_opt_number(name, value).map([](std::uint64_t n) { return Json(n); });
    case QemuOptType::size:
      return qemu_opt_size(name, value).map([](Bytes b) { return Json(b.count); });
  }
  return Json();
}

}  // namespace qsock::uri
