// The whole text of a small file: a /proc entry, a pid file.
#pragma once

#include <string>

#include <tl/expected.hpp>

namespace qsock {

// Read to the end (files under /proc report a size of 0, so the size is not
// asked); a failure is the errno of the open or read that failed.
tl::expected<std::string, int> read_file_text(const std::string& path);

}  // namespace qsock
