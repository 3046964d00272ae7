// "Did you mean": the nearest name to a misspelt one.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qsock::uri {

// Levenshtein distance, for short identifiers.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate nearest to `word`, if it is near enough to be a likely typo
// (distance at most a third of the word's length, and at least 1 allowed).
std::optional<std::string> nearest_name(std::string_view word,
                                        const std::vector<std::string>& candidates);

}  // namespace qsock::uri
