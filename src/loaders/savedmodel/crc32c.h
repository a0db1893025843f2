// CRC-32C (Castagnoli), as TensorFlow's tensor bundles store it for each tensor in the data shards
// (LevelDB checks the index table's own blocks). Uses the SSE4.2 crc32 instruction where the CPU
// has it, a table otherwise.
#pragma once
#include <cstddef>
#include <cstdint>

namespace modelport::tf {

// Extends `crc` (0 to start) over [data, data+n).
uint32_t crc32c_extend(uint32_t crc, const void* data, size_t n);
inline uint32_t crc32c(const void* data, size_t n) { return crc32c_extend(0, data, n); }

// The two implementations behind crc32c_extend, for tests. crc32c_extend_hardware needs SSE4.2
// (crc32c_hardware_available()).
uint32_t crc32c_extend_portable(uint32_t crc, const void* data, size_t n);
uint32_t crc32c_extend_hardware(uint32_t crc, const void* data, size_t n);
bool crc32c_hardware_available();

// The "masked" form stored in files (so that CRCs of data containing CRCs stay well-behaved).
inline uint32_t crc32c_mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }
inline uint32_t crc32c_unmask(uint32_t masked) {
  uint32_t rot = masked - 0xa282ead8u;
  return (rot >> 17) | (rot << 15);
}

}  // namespace modelport::tf
