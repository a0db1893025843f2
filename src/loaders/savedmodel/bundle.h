// TensorFlow tensor bundles (checkpoints, a SavedModel's variables/): `<prefix>.index` is a table
// of BundleEntryProto keyed by tensor name (the "" key holds the BundleHeaderProto), the bytes live
// in memory-mapped `<prefix>.data-NNNNN-of-MMMMM` shards.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "modelport/ir.h"

namespace modelport {
class MappedFile;
}

namespace modelport::tf {

class TensorBundle {
 public:
  struct Entry {
    int tf_dtype = 0;            // TensorFlow DataType enum value
    std::vector<int64_t> dims;
    int shard = 0;
    int64_t offset = 0, size = 0;
    uint32_t masked_crc = 0;
    bool sliced = false;         // partitioned variable (not supported)
  };

  // Opens `<prefix>.index` and maps its data shards. Throws Error naming the file at fault.
  static std::shared_ptr<const TensorBundle> open(const std::string& prefix);

  const Entry* find(const std::string& key) const;
  std::vector<std::string> keys() const;                   // tensor keys (without the header)
  const std::map<std::string, Entry>& entries() const { return entries_; }

  // A numeric tensor aliasing the mapped shard (checksum verified). Throws Error on failure.
  Tensor tensor(const std::string& key) const;
  // The single element of a scalar string tensor (e.g. _CHECKPOINTABLE_OBJECT_GRAPH).
  std::string string_scalar(const std::string& key) const;
  // Total number of elements of all numeric tensors.
  int64_t parameter_count() const;
  const std::string& index_path() const { return index_path_; }

 private:
  const uint8_t* bytes(const std::string& key, const Entry& e, bool check_crc) const;  // bounds-checked
  std::string index_path_;
  std::map<std::string, Entry> entries_;
  std::vector<std::shared_ptr<const MappedFile>> shards_;
};

}  // namespace modelport::tf
