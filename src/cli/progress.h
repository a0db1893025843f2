// The one-line progress display on a terminal: phase, and bytes written while writing. Shown only
// when stderr is a TTY and neither --json nor --quiet was given; redrawn at most ten times a
// second, and erased before anything else is printed.
#pragma once
#include <chrono>
#include <string>

#include "modelport/convert.h"

namespace modelport::cli {

class ProgressLine {
 public:
  explicit ProgressLine(bool wanted);  // wanted && isatty(stderr)
  ~ProgressLine() { clear(); }
  void update(const Progress& p);
  void clear();  // erases the line (before other output)
  bool enabled() const { return enabled_; }

 private:
  bool enabled_ = false, shown_ = false;
  std::string phase_;
  std::chrono::steady_clock::time_point last_{};
};

// "loading the model", "writing 12.5 MiB of 44.6 MiB (28%)", ...
std::string progress_text(const Progress& p);

}  // namespace modelport::cli
