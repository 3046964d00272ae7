// What one QEMU of a migration has that the other lacks, read from their
// schemas (qmp::Features): migration capabilities, migration parameters and
// the features qsock probes (socket options, proposed knobs). Preflight shows
// it when the two ends are different builds, so an operator sees before a
// cross-release migration what only one side can do.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "qmp/features.h"

namespace qsock::migration {

struct SideDifference {
  std::string_view what;                 // "migration capabilities", ...
  std::vector<std::string> only_source;  // in the source's order
  std::vector<std::string> only_destination;
};

// One entry a kind that differs; empty when the two schemas agree on all.
std::vector<SideDifference> side_differences(const qmp::Features& source,
                                             const qmp::Features& destination);

// "migration capabilities only on the destination: a, b; only on the source: c"
std::string describe(const SideDifference& d);

}  // namespace qsock::migration
