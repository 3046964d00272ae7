#include "schema/availability_hint.h"

#include <fmt/format.h>

#include "base/settable_members.h"

namespace qsock::schema {

namespace {

std::string with_qsock_can_set(std::string text, std::string_view member,
                               std::string_view to_whom = "") {
  if (text.empty() || !qsock_can_set(member)) return text;
  return fmt::format("{}; qsock can apply it itself{}: {}", text, to_whom, qsock_set_how);
}

std::string availability_text(std::string_view what, const Availability& avail,
                              const Target& target, std::string_view replacement) {
  if (avail.is_proposed())
    return fmt::format("{} is in no released QEMU (proposed upstream)", what);
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

}  // namespace

std::string availability_hint(std::string_view what, std::string_view member,
                              const Availability& avail, const Target& target,
                              std::string_view replacement) {
  return with_qsock_can_set(availability_text(what, avail, target, replacement), member);
}

std::string proposed_warning(std::string_view what, std::string_view member) {
  return with_qsock_can_set(fmt::format("{} is proposed and in no released QEMU", what), member,
                            " to any QEMU");
}

}  // namespace qsock::schema
