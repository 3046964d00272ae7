// QEMU's size grammar (qemu_strtosz), the one reader of sizes: QemuOpts
// size options (file:PATH,offset=) and keyval/QMP size members
// (max-bandwidth=8M) read sizes the same way in QEMU, and so here.
#pragma once

#include <string_view>

#include <tl/expected.hpp>

#include "base/units.h"

namespace qsock {

enum class SizeError { invalid, range };  // EINVAL, ERANGE
// A size as qemu_strtosz() reads it; qemu_size.cpp states the grammar.
tl::expected<Bytes, SizeError> qemu_strtosz(std::string_view s);

}  // namespace qsock
