// --qemu-version X.Y: the QEMU release a check is made for.
#pragma once

#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <tl/expected.hpp>

#include "schema/versions.h"

namespace qsock::cli {

struct VersionOption {
  std::string text;

  void add_option(CLI::App& cmd);
  // The target: the newest known release with proposed members accepted, or
  // exactly the release named; a release newer than the newest known is
  // checked as the newest known (see warning()).
  tl::expected<schema::Target, std::string> target() const;
  // What the user should know about the release named: set when it is newer
  // than every release qsock knows.
  std::optional<std::string> warning() const;
};

// "7.2, 8.0, 8.1, ..., 11.1": the releases qsock knows, for help texts.
std::string known_releases_text();

}  // namespace qsock::cli
