// --qemu-version X.Y: the QEMU release a check is made for.
#pragma once

#include <string>

#include <CLI/CLI.hpp>
#include <tl/expected.hpp>

#include "schema/versions.h"

namespace qsock::cli {

struct VersionOption {
  std::string text;

  void add_option(CLI::App& cmd);
  // The target: the newest known release with proposed members accepted, or
  // exactly the release named.
  tl::expected<schema::Target, std::string> target() const;
};

}  // namespace qsock::cli
