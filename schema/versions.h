// QEMU release numbers, and when a schema entity exists.
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qsock::schema {

struct QemuVersion {
  int major = 0;
  int minor = 0;

  // clang-tidy 14 takes the 0 its defaulted <=> compares with for a null pointer.
  auto operator<=>(const QemuVersion&) const = default;  // NOLINT(modernize-use-nullptr)
  std::string str() const;                               // "10.1"
};

// Accepts "X.Y" and "X.Y.Z" (the micro part is ignored: schemas only change
// between minor releases). Returns nullopt for anything else.
std::optional<QemuVersion> parse_qemu_version(std::string_view text);

// The oldest release qsock supports and the newest whose schema it knows.
inline constexpr QemuVersion oldest_supported_qemu{7, 2};
inline constexpr QemuVersion newest_known_qemu{11, 1};

// Every release from the oldest supported to the newest known, oldest first.
// QEMU has numbered its releases X.0, X.1, X.2 (three a year) since 5.0.
std::vector<QemuVersion> known_releases();

// When a schema member, enum value or type exists. Read from the "(since X.Y)",
// "(proposed)" and "(removed in X.Y)" notes of the embedded schema's doc
// comments; entities from a live QEMU's query-qmp-schema are simply present.
struct Availability {
  enum class Status { released, proposed, always };
  Status status = Status::always;
  QemuVersion since{};                 // with released
  std::optional<QemuVersion> removed;  // first release without it

  static Availability released_in(QemuVersion v) { return {Status::released, v, {}}; }
  static Availability proposed_only() { return {Status::proposed, {}, {}}; }

  bool operator==(const Availability&) const = default;
  bool is_proposed() const { return status == Status::proposed; }
  // Present in that release (proposed entities are in no release).
  bool in_release(QemuVersion v) const;
  std::string describe() const;  // "10.1", "proposed", "4.2 (removed in 10.2)"
};

// The QEMU a check is made for.
struct Target {
  QemuVersion version = newest_known_qemu;
  // Accept proposed members (flagged with a warning). True for the default
  // target, false when the user names a release: that release would refuse them.
  bool accept_proposed = true;
  bool explicit_version = false;

  static Target newest() { return {}; }
  static Target release(QemuVersion v) { return {v, false, true}; }

  // Whether an entity with that availability is accepted by this target.
  bool has(const Availability& a) const;
  std::string describe() const;  // "11.1 (newest known; proposed members accepted)" or "7.2"
};

}  // namespace qsock::schema
