#include "cli/version_option.h"

#include <fmt/format.h>

namespace qsock::cli {

void VersionOption::add_option(CLI::App& cmd) {
  cmd.add_option("--qemu-version", text,
                 fmt::format("QEMU release to check for, X.Y ({} to {}; default: {} with proposed "
                             "members accepted and flagged)",
                             schema::oldest_supported_qemu.str(), schema::newest_known_qemu.str(),
                             schema::newest_known_qemu.str()));
}

tl::expected<schema::Target, std::string> VersionOption::target() const {
  if (text.empty()) return schema::Target::newest();
  auto v = schema::parse_qemu_version(text);
  if (!v) return tl::unexpected(fmt::format("--qemu-version: '{}' is not a release number like 7.2 or 10.1", text));
  if (*v < schema::oldest_supported_qemu)
    return tl::unexpected(fmt::format("--qemu-version: qsock supports QEMU {} and newer, not {}",
                                      schema::oldest_supported_qemu.str(), v->str()));
  return schema::Target::release(*v);
}

}  // namespace qsock::cli
