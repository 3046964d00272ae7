// Migration progress for a person or a program: on a terminal one line on
// stderr that rewrites itself; otherwise plain lines, at most one a second
// (and at every status change); with --json one object a line on stdout.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

#include "cli/context.h"
#include "migration/driver.h"

namespace qsock::cli {

class ProgressLine {
 public:
  explicit ProgressLine(const Context& ctx);
  void update(const migration::ProgressUpdate& u);
  void note(const std::string& text);  // ends the updating line first
  void done();                         // ends the updating line

 private:
  const Context& ctx_;
  bool tty_ = false;
  bool color_ = false;
  bool open_ = false;  // an updating line is on screen
  std::string last_status_;
  std::chrono::steady_clock::time_point last_plain_{};
};

// "1.5 MiB", "512 B".
std::string format_bytes(std::uint64_t bytes);

// The text of one progress update: "active 42% 1.5 MiB sent, 2.0 MiB left, ...".
std::string progress_text(const migration::ProgressUpdate& u);

// {"event":"progress","status":..,"elapsed_ms":..,"percent":..,...}
Json progress_json(const migration::ProgressUpdate& u);

}  // namespace qsock::cli
