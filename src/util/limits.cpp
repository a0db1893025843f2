#include "modelport/limits.h"

#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>

#include "modelport/error.h"

namespace modelport {

Limits& limits() {
  static Limits l;
  return l;
}

std::string dims_text(const std::vector<int64_t>& dims) {
  if (dims.empty()) return "scalar";
  std::string s;
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? "x" : "") + std::to_string(dims[i]);
  return s;
}

std::string bytes_text(uint64_t bytes) {
  static const char* units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  std::string s = std::to_string(bytes) + " bytes";
  if (bytes < 1024) return s;
  double v = double(bytes);
  int u = -1;
  while (v >= 1024 && u < 5) v /= 1024, ++u;
  char buf[32];
  std::snprintf(buf, sizeof buf, " (%.1f %s)", v, units[u]);
  return s + buf;
}

uint64_t available_memory_bytes() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  uint64_t kb = 0;
  std::string unit;
  while (in >> key >> kb >> unit)
    if (key == "MemAvailable:") return kb * 1024;
  return std::numeric_limits<uint64_t>::max();
}

uint64_t parse_byte_size(const std::string& text, const std::string& flag) {
  size_t pos = 0;
  uint64_t v = 0;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
    uint64_t d = uint64_t(text[pos++] - '0');
    if (v > (std::numeric_limits<uint64_t>::max() - d) / 10) throw UsageError(flag + " '" + text + "': too large");
    v = v * 10 + d;
  }
  int shift = 0;
  if (pos + 1 == text.size()) {
    switch (text[pos] | 0x20) {
      case 'k': shift = 10; break;
      case 'm': shift = 20; break;
      case 'g': shift = 30; break;
      case 't': shift = 40; break;
      case 'p': shift = 50; break;
      default: shift = -1;
    }
    ++pos;
  }
  if (pos == 0 || pos != text.size() || shift < 0)
    throw UsageError(flag + " '" + text + "': expected a byte count such as 1073741824, 512M or 16G");
  if (shift && v > (std::numeric_limits<uint64_t>::max() >> shift)) throw UsageError(flag + " '" + text + "': too large");
  return v << shift;
}

namespace {

std::string cap_hint() { return " (raise it with --max-tensor-bytes)"; }

void refuse_if_too_big(const std::string& file, const std::string& what, const std::string& declared, uint64_t bytes,
                       bool allocated) {
  const uint64_t cap = limits().max_tensor_bytes;
  if (bytes > cap)
    throw Error(file + ": " + what + " declares " + declared + bytes_text(bytes) + ", above the " + bytes_text(cap) +
                " per-tensor limit" + cap_hint());
  if (allocated) {
    uint64_t avail = available_memory_bytes();
    if (bytes > avail)
      throw Error(file + ": " + what + " declares " + declared + bytes_text(bytes) + ", more than the " +
                  bytes_text(avail) + " of memory available");
  }
}

}  // namespace

uint64_t checked_tensor_bytes(const std::string& file, const std::string& what, const std::vector<int64_t>& dims,
                              DType dtype, bool allocated) {
  std::string declared = dims_text(dims) + " " + dtype_name(dtype) + " = ";
  uint64_t elem = dtype_size(dtype), n = 1;
  bool overflow = false;
  for (int64_t d : dims) {
    if (d < 0) throw Error(file + ": " + what + " declares a negative dimension (" + dims_text(dims) + ")");
    if (d != 0 && n > std::numeric_limits<uint64_t>::max() / uint64_t(d)) overflow = true;
    else n *= uint64_t(d);
  }
  if (n == 0) return 0;
  if (overflow || (elem && n > std::numeric_limits<uint64_t>::max() / elem))
    throw Error(file + ": " + what + " declares " + dims_text(dims) + " " + dtype_name(dtype) +
                ", whose size overflows 64 bits");
  if (n > uint64_t(std::numeric_limits<int64_t>::max()))
    throw Error(file + ": " + what + " declares " + dims_text(dims) + ", more elements than int64 can count");
  uint64_t bytes = n * (elem ? elem : 1);
  refuse_if_too_big(file, what, declared, bytes, allocated);
  return n * elem;
}

void check_declared_bytes(const std::string& file, const std::string& what, uint64_t bytes, bool allocated) {
  refuse_if_too_big(file, what, "", bytes, allocated);
}

void check_bytes_in_file(const std::string& file, const std::string& what, uint64_t bytes, uint64_t available) {
  if (bytes > available)
    throw Error(file + ": " + what + " declares " + bytes_text(bytes) + " of data but the file holds only " +
                bytes_text(available));
}

void check_nesting_depth(const std::string& file, const std::string& what, int depth) {
  if (depth > limits().max_nesting_depth)
    throw Error(file + ": " + what + " nested deeper than " + std::to_string(limits().max_nesting_depth) + " levels");
}

}  // namespace modelport
