// The weights of a TorchScript archive as bytes of the archive file itself.
//
// libtorch reads every tensor record of a .pt into memory of its own. The archive stores records
// uncompressed, so the same bytes lie in the file: a weight whose bytes reach the IR unchanged
// becomes a view of a read-only mapping of the archive (Buffer::mapped). The writer then copies it
// file to file, and libtorch's copy is freed when loading ends instead of living until the model
// is written.
//
// Which storage came from which bytes of the file is observed, not parsed: libtorch's zip reader
// reads a stored record straight into the storage it returns, through the read adapter this class
// hands to torch::jit::load. A storage counts only if it is the whole destination of one such read
// and the loaded module holds it; it is kept alive (pinned) from then on, so its address cannot be
// reused by another tensor while the IR is built.
#pragma once

#include <ATen/ATen.h>
#include <caffe2/serialize/read_adapter_interface.h>
#include <torch/csrc/jit/api/module.h>

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "modelport/ir.h"

namespace modelport {
class MappedFile;
}

namespace modelport::ts {

class ArchiveWeights {
 public:
  // Maps `path` (throws Error("<path>: ...") if it cannot).
  static std::shared_ptr<ArchiveWeights> open(const std::string& path);

  // The adapter for torch::jit::load: reads the file and records where each read landed.
  std::shared_ptr<caffe2::serialize::ReadAdapterInterface> reader();
  // Pins every tensor storage `m` holds that is exactly one recorded read. Call right after load.
  void pin(const torch::jit::Module& m);
  size_t pinned() const { return pinned_.size(); }

  // `t` (contiguous, CPU) as bytes of the mapped archive, if its storage is pinned.
  std::optional<BufferPtr> mapped(const at::Tensor& t) const;

  // While a Use lives, tensor_from_torch() on this thread maps pinned weights (current()).
  class Use {
   public:
    explicit Use(const ArchiveWeights* w);
    ~Use();
    Use(const Use&) = delete;
    Use& operator=(const Use&) = delete;

   private:
    const ArchiveWeights* previous_;
  };
  static const ArchiveWeights* current();

 private:
  struct Pinned {
    c10::Storage storage;
    uint64_t pos;
  };
  class Reader;
  struct Reads;  // destination of each read -> where in the file (shared with the Reader)
  void pin_value(const c10::IValue& v, std::unordered_set<const void*>& seen);

  std::shared_ptr<const MappedFile> file_;
  std::shared_ptr<Reads> reads_;
  std::unordered_map<const c10::StorageImpl*, Pinned> pinned_;
};

}  // namespace modelport::ts
