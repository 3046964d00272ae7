#include "schema/versions.h"

#include <charconv>

#include <fmt/format.h>

namespace qsock::schema {

std::string QemuVersion::str() const { return fmt::format("{}.{}", major, minor); }

namespace {
bool parse_number(std::string_view text, int& out) {
  if (text.empty() || text.size() > 4) return false;
  for (char c : text)
    if (c < '0' || c > '9') return false;  // from_chars would take a sign
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}
}  // namespace

std::optional<QemuVersion> parse_qemu_version(std::string_view text) {
  auto dot = text.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  std::string_view minor = text.substr(dot + 1);
  auto dot2 = minor.find('.');
  if (dot2 != std::string_view::npos) {
    int micro = 0;
    if (!parse_number(minor.substr(dot2 + 1), micro)) return std::nullopt;
    minor = minor.substr(0, dot2);
  }
  QemuVersion v;
  if (!parse_number(text.substr(0, dot), v.major) || !parse_number(minor, v.minor))
    return std::nullopt;
  return v;
}

std::vector<QemuVersion> known_releases() {
  std::vector<QemuVersion> out;
  for (QemuVersion v = oldest_supported_qemu; v <= newest_known_qemu;
       v = v.minor == 2 ? QemuVersion{v.major + 1, 0} : QemuVersion{v.major, v.minor + 1})
    out.push_back(v);
  return out;
}

bool Availability::in_release(QemuVersion v) const {
  switch (status) {
    case Status::proposed:
      return false;
    case Status::always:
      return !removed || v < *removed;
    case Status::released:
      return since <= v && (!removed || v < *removed);
  }
  return false;
}

std::string Availability::describe() const {
  std::string text;
  switch (status) {
    case Status::proposed:
      text = "proposed";
      break;
    case Status::always:
      text = "always";
      break;
    case Status::released:
      text = since.str();
      break;
  }
  if (removed) text += fmt::format(" (removed in {})", removed->str());
  return text;
}

bool Target::has(const Availability& a) const {
  if (a.is_proposed()) return accept_proposed;
  return a.in_release(version);
}

std::string Target::describe() const {
  if (!explicit_version)
    return fmt::format("{} (newest known; proposed members accepted)", version.str());
  return version.str();
}

}  // namespace qsock::schema
