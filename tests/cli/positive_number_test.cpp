#include "cli/positive_number.h"

#include <doctest/doctest.h>

namespace qsock::cli {

TEST_CASE("positive_number takes numbers above 0 and names what it refuses") {
  struct Case {
    std::string text;
    std::string error;  // "" = accepted
  };
  const Case cases[] = {
      {"1", ""},
      {"0.5", ""},
      {"30", ""},
      {"0", "needs a number greater than 0, not '0'"},
      {"-1", "needs a number greater than 0, not '-1'"},
      {"abc", "needs a number greater than 0, not 'abc'"},
      {"5s", "needs a number greater than 0, not '5s'"},
      {"", "needs a number greater than 0, not ''"},
      {"inf", "needs a number greater than 0, not 'inf'"},
      {"nan", "needs a number greater than 0, not 'nan'"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    std::string text = c.text;
    CHECK(positive_number()(text) == c.error);
  }
}

}  // namespace qsock::cli
