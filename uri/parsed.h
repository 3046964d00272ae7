// The result every legacy-syntax parser returns: the typed QMP JSON the input
// means (null when QEMU would refuse it) and everything found along the way.
#pragma once

#include "base/diagnostics.h"
#include "base/json.h"

namespace qsock::uri {

struct Parsed {
  Json value;  // null when the input is invalid
  Diagnostics diags;

  bool ok() const { return diags.ok() && !value.is_null(); }
};

// Fails a Parsed: records the error and clears the value.
inline Parsed& fail(Parsed& p, Diagnostic d) {
  p.value = nullptr;
  p.diags.errors.push_back(std::move(d));
  return p;
}

}  // namespace qsock::uri
