#include <doctest/doctest.h>

#include "base/names.h"

namespace {
enum class Colour { red, green, blue };
constexpr qsock::Named<Colour> colour_names[] = {{Colour::red, "red"}, {Colour::green, "green"}};
}  // namespace

TEST_CASE("names: one table read both ways") {
  using qsock::name_in;
  using qsock::value_in;
  CHECK(name_in<Colour>(colour_names, Colour::green) == "green");
  CHECK(value_in<Colour>(colour_names, "red") == Colour::red);
  // A value the table does not name gets the fallback; a name it lacks, nothing.
  CHECK(name_in<Colour>(colour_names, Colour::blue) == "?");
  CHECK(name_in<Colour>(colour_names, Colour::blue, "none") == "none");
  CHECK_FALSE(value_in<Colour>(colour_names, "Red").has_value());
  CHECK_FALSE(value_in<Colour>(colour_names, "").has_value());
}
