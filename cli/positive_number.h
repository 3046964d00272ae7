// A CLI11 check for options that take a count or a duration: CLI11's own
// PositiveNumber prints its range as a 300-digit number when it refuses.
#pragma once

#include <cmath>
#include <string>

#include <CLI/CLI.hpp>

namespace qsock::cli {

inline CLI::Validator positive_number() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        double v = 0;
        std::size_t used = 0;
        try {
          v = std::stod(text, &used);
        } catch (const std::exception&) {
          used = 0;
        }
        if (used != text.size() || used == 0 || !std::isfinite(v) || v <= 0)
          return "needs a number greater than 0, not '" + text + "'";
        return "";
      },
      "POSITIVE");
}

}  // namespace qsock::cli
