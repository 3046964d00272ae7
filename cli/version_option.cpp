#include "cli/version_option.h"

#include <algorithm>

#include <fmt/format.h>

namespace qsock::cli {

std::string known_releases_text() {
  std::string out;
  for (schema::QemuVersion v : schema::known_releases()) out += (out.empty() ? "" : ", ") + v.str();
  return out;
}

void VersionOption::add_option(CLI::App& cmd) {
  cmd.add_option("--qemu-version", text,
                 fmt::format("QEMU release to check for, X.Y or X.Y.Z. qsock knows {}; a newer "
                             "release is checked as {} (default: {} with proposed members "
                             "accepted and flagged)",
                             known_releases_text(), schema::newest_known_qemu.str(),
                             schema::newest_known_qemu.str()));
}

tl::expected<schema::Target, std::string> VersionOption::target() const {
  if (text.empty()) return schema::Target::newest();
  auto v = schema::parse_qemu_version(text);
  if (!v)
    return tl::unexpected(
        fmt::format("--qemu-version: '{}' is not a release number like 7.2 or 10.1", text));
  if (*v < schema::oldest_supported_qemu)
    return tl::unexpected(fmt::format("--qemu-version: qsock supports QEMU {} and newer, not {}",
                                      schema::oldest_supported_qemu.str(), v->str()));
  return schema::Target::release(std::min(*v, schema::newest_known_qemu));
}

std::optional<std::string> VersionOption::warning() const {
  auto v = schema::parse_qemu_version(text);
  if (!v || *v <= schema::newest_known_qemu) return std::nullopt;
  return fmt::format("--qemu-version {}: qsock knows QEMU releases up to {}; checking as {}",
                     v->str(), schema::newest_known_qemu.str(), schema::newest_known_qemu.str());
}

}  // namespace qsock::cli
