// An enum's names as one table, read both ways: the name of a value, and the
// value of a name. One table a type instead of a switch a direction, so the
// two directions cannot drift apart.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace qsock {

template <class E>
struct Named {
  E value;
  std::string_view name;
};

// The name `table` gives `value`, or `fallback` when it gives none.
template <class E>
constexpr std::string_view name_in(std::span<const Named<E>> table, E value,
                                   std::string_view fallback = "?") {
  for (const Named<E>& n : table)
    if (n.value == value) return n.name;
  return fallback;
}

// The value `table` names `name`, if any.
template <class E>
constexpr std::optional<E> value_in(std::span<const Named<E>> table, std::string_view name) {
  for (const Named<E>& n : table)
    if (n.name == name) return n.value;
  return std::nullopt;
}

}  // namespace qsock
