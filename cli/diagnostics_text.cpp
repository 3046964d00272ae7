#include "cli/diagnostics_text.h"

#include <fmt/format.h>

namespace qsock::cli {

namespace {
void print_one(std::FILE* to, std::string_view label, const Diagnostic& d, int indent) {
  fmt::print(to, "{:{}}{}: {}\n", "", indent, label, d.message);
  if (!d.hint.empty()) fmt::print(to, "{:{}}  hint: {}\n", "", indent, d.hint);
}
}  // namespace

void print_diagnostics(std::FILE* to, const Diagnostics& diags, int indent) {
  for (const Diagnostic& d : diags.errors) print_one(to, "error", d, indent);
  for (const Diagnostic& d : diags.warnings) print_one(to, "warning", d, indent);
}

}  // namespace qsock::cli
