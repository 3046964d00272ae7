// "Did you mean": the nearest name to a misspelt one.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qsock {

// Levenshtein distance, for short identifiers.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate nearest to `word`, if it is near enough to be a likely typo
// (distance at most a third of the word's length, and at least 1 allowed).
std::optional<std::string> nearest_name(std::string_view word,
                                        const std::vector<std::string>& candidates);

// The hint for a misspelt name: "did you mean 'NAME'?" with the nearest
// candidate, or `otherwise` when none is near.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates,
                         std::string otherwise = {});

}  // namespace qsock
