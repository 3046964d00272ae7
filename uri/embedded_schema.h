// The QAPI schema files compiled into the binary (uri/schema/*.json).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "uri/schema.h"

namespace qsock::uri {

struct EmbeddedFile {
  std::string_view name;  // "sockets.json"
  std::string_view text;
};

// Defined in the generated file (see cmake/embed_files.cmake).
const std::vector<EmbeddedFile>& embedded_schema_files();

}  // namespace qsock::uri
