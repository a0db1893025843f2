// Sanity caps on what a source file may make modelport allocate or walk. Every loader checks a
// declared size here BEFORE allocating, so a 9 kB file declaring a 40 GB tensor gets a one-line
// error naming the tensor and its declared size instead of std::bad_alloc. The CLI sets the caps
// (--max-tensor-bytes); they are process-wide. docs/robustness.md lists them.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "modelport/ir.h"

namespace modelport {

struct Limits {
  // Largest single tensor a source may declare, in bytes (default 16 GiB). Tensors that must be
  // allocated (not memory-mapped) are also refused when larger than the available memory.
  uint64_t max_tensor_bytes = uint64_t(16) << 30;
  // Deepest nesting of models in a config, of function calls in a graph, of arrays in a JSON value.
  int max_nesting_depth = 64;
  // Deepest nesting of a JSON document (Keras configs): objects and arrays.
  int max_json_depth = 256;
  // Most nodes a graph may have after function calls are inlined.
  uint64_t max_graph_nodes = 4'000'000;
};
Limits& limits();

// "100000x100000" ("scalar" for no dims).
std::string dims_text(const std::vector<int64_t>& dims);
// "40000000000 bytes (37.3 GiB)".
std::string bytes_text(uint64_t bytes);
// MemAvailable from /proc/meminfo (UINT64_MAX when unknown).
uint64_t available_memory_bytes();
// Parses "123", "64K", "16M", "16G", "2T" (binary units). Throws UsageError.
uint64_t parse_byte_size(const std::string& text, const std::string& flag);

// Element count and byte size of `dims` x `elem_size`, refusing negative dims and overflow.
// Throws Error("<file>: <what> declares <dims> <dtype> = N bytes, above the ... limit").
// `allocated`: the bytes will be allocated (not aliased into a mapped file), so they must also fit
// in the available memory.
uint64_t checked_tensor_bytes(const std::string& file, const std::string& what, const std::vector<int64_t>& dims,
                              DType dtype, bool allocated = true);
// Same check for a size already in bytes (zip entries, raw blobs).
void check_declared_bytes(const std::string& file, const std::string& what, uint64_t bytes, bool allocated = true);
// Inline-data formats: `bytes` declared by `what` must fit in the `available` bytes the file still
// holds. Throws Error naming both sizes.
void check_bytes_in_file(const std::string& file, const std::string& what, uint64_t bytes, uint64_t available);
// Throws Error("<file>: <what> nested deeper than N levels") when depth > max_nesting_depth.
void check_nesting_depth(const std::string& file, const std::string& what, int depth);

}  // namespace modelport
