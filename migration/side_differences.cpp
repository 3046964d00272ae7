#include "migration/side_differences.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace qsock::migration {

namespace {

std::vector<std::string> present_features(const qmp::Features& f) {
  std::vector<std::string> out;
  for (const qmp::Feature& feature : f.features) {
    if (feature.choice) {
      // A spelling (backend transfer): the spelling is what must match.
      if (*feature.choice != qmp::BackendTransfer::none)
        out.push_back(fmt::format("{}={}", feature.key, qmp::spelling(*feature.choice)));
    } else if (feature.present) {
      out.push_back(feature.key);
    }
  }
  return out;
}

std::vector<std::string> missing_from(const std::vector<std::string>& names,
                                      const std::vector<std::string>& other) {
  std::vector<std::string> out;
  for (const std::string& n : names)
    if (std::find(other.begin(), other.end(), n) == other.end()) out.push_back(n);
  return out;
}

// The kinds compared, walked by one loop.
struct Kind {
  std::string_view what;
  std::vector<std::string> (*names)(const qmp::Features&);
};

constexpr Kind kinds[] = {
    {"migration capabilities", [](const qmp::Features& f) { return f.capabilities; }},
    {"migration parameters", [](const qmp::Features& f) { return f.parameters; }},
    {"features qsock probes", present_features},
};

}  // namespace

std::vector<SideDifference> side_differences(const qmp::Features& source,
                                             const qmp::Features& destination) {
  std::vector<SideDifference> out;
  for (const Kind& k : kinds) {
    auto src = k.names(source);
    auto dst = k.names(destination);
    SideDifference d{k.what, missing_from(src, dst), missing_from(dst, src)};
    if (!d.only_source.empty() || !d.only_destination.empty()) out.push_back(std::move(d));
  }
  return out;
}

std::string describe(const SideDifference& d) {
  std::vector<std::string> parts;
  if (!d.only_destination.empty())
    parts.push_back(
        fmt::format("only on the destination: {}", fmt::join(d.only_destination, ", ")));
  if (!d.only_source.empty())
    parts.push_back(fmt::format("only on the source: {}", fmt::join(d.only_source, ", ")));
  return fmt::format("{} {}", d.what, fmt::join(parts, "; "));
}

}  // namespace qsock::migration
