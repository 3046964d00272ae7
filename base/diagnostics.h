// A problem found in user input, as the user needs it to fix the input.
#pragma once

#include <string>
#include <vector>

namespace qsock {

struct Diagnostic {
  std::string message;  // QEMU's own wording where QEMU has one
  std::string key;      // the offending key as written (dotted path), or ""
  std::string hint;     // what QEMU does not say: a fix, a nearer name, a version
};

// Everything found in one input: all problems are collected, not just the first.
struct Diagnostics {
  std::vector<Diagnostic> errors;
  std::vector<Diagnostic> warnings;

  bool ok() const { return errors.empty(); }
  void error(std::string message, std::string key = {}, std::string hint = {}) {
    errors.push_back({std::move(message), std::move(key), std::move(hint)});
  }
  void warn(std::string message, std::string key = {}, std::string hint = {}) {
    warnings.push_back({std::move(message), std::move(key), std::move(hint)});
  }
  void append(const Diagnostics& other) {
    errors.insert(errors.end(), other.errors.begin(), other.errors.end());
    warnings.insert(warnings.end(), other.warnings.begin(), other.warnings.end());
  }
};

}  // namespace qsock
