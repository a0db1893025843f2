// CRC-32C (Castagnoli), as used by LevelDB tables and TensorFlow tensor bundles.
#pragma once
#include <cstddef>
#include <cstdint>

namespace modelport::tf {

// Extends `crc` (0 to start) over [data, data+n).
uint32_t crc32c_extend(uint32_t crc, const void* data, size_t n);
inline uint32_t crc32c(const void* data, size_t n) { return crc32c_extend(0, data, n); }

// The "masked" form stored in files (so that CRCs of data containing CRCs stay well-behaved).
inline uint32_t crc32c_mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }
inline uint32_t crc32c_unmask(uint32_t masked) {
  uint32_t rot = masked - 0xa282ead8u;
  return (rot >> 17) | (rot << 15);
}

}  // namespace modelport::tf
