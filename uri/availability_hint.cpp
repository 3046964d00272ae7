#include "uri/availability_hint.h"

#include <fmt/format.h>

namespace qsock::uri {

std::string availability_hint(std::string_view what, const Availability& avail,
                              const Target& target, std::string_view replacement) {
  if (avail.is_proposed()) {
    std::string hint = fmt::format("{} is in no released QEMU (proposed upstream)", what);
    if (what.find("user-timeout") != std::string_view::npos)
      hint += "; qsock migrate can still apply it (--sockopts fd or inject)";
    return hint;
  }
  if (avail.removed && target.version >= *avail.removed) {
    std::string hint = fmt::format("{} was removed in QEMU {}", what, avail.removed->str());
    if (!replacement.empty()) hint += fmt::format("; use {}", replacement);
    return hint;
  }
  if (avail.status == Availability::Status::released && target.version < avail.since)
    return fmt::format("{} needs QEMU {} or newer (checking for {})", what, avail.since.str(),
                       target.version.str());
  return {};
}

std::string proposed_warning(std::string_view what) {
  std::string text = fmt::format("{} is proposed and in no released QEMU", what);
  if (what.find("user-timeout") != std::string_view::npos)
    text += "; qsock migrate can still apply it to any QEMU";
  return text;
}

}  // namespace qsock::uri
