#include "cli/progress.h"

#include <unistd.h>

#include <cstdio>

namespace modelport::cli {

namespace {
// 812 B, 3.1 KiB, 44.6 MiB, 2.3 GiB
std::string human(uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = double(bytes);
  int u = 0;
  for (; v >= 1024 && u < 4; ++u) v /= 1024;
  char buf[32];
  std::snprintf(buf, sizeof buf, u ? "%.1f %s" : "%.0f %s", v, units[u]);
  return buf;
}
}  // namespace

std::string progress_text(const Progress& p) {
  if (p.phase == "load") return "loading the model";
  if (p.phase == "passes") return "optimizing the graph";
  if (p.phase == "emit") return "building ONNX";
  if (p.phase == "verify") return "verifying in ONNX Runtime";
  if (p.phase == "manifest") return "writing the manifest";
  if (p.phase == "write") {
    std::string s = "writing " + human(p.done);
    if (p.total && p.done <= p.total) s += " of " + human(p.total) + " (" + std::to_string(p.done * 100 / p.total) + "%)";
    return s;
  }
  return p.phase;
}

ProgressLine::ProgressLine(bool wanted) : enabled_(wanted && ::isatty(STDERR_FILENO)) {}

void ProgressLine::update(const Progress& p) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (p.phase == phase_ && now - last_ < std::chrono::milliseconds(100)) return;
  phase_ = p.phase;
  last_ = now;
  std::fprintf(stderr, "\r\033[Kmodelport: %s", progress_text(p).c_str());
  std::fflush(stderr);
  shown_ = true;
}

void ProgressLine::clear() {
  if (!shown_) return;
  std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
  shown_ = false;
}

}  // namespace modelport::cli
