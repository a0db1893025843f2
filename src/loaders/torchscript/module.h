// Opening a TorchScript archive and preparing forward()'s graph for lowering.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <torch/csrc/jit/api/module.h>

#include "loaders/torchscript/archive_weights.h"

namespace modelport::ts {

struct PreparedModule {
  torch::jit::Module module;                     // frozen
  std::shared_ptr<torch::jit::Graph> graph;      // forward(), inlined and cleaned up
  std::vector<std::string> arg_names;            // forward() arguments without self
  size_t first_arg = 0;                          // index of the first real input in graph->inputs()
  std::string class_name;                        // e.g. torchvision.models.resnet.ResNet
  std::string format_version;                    // the archive's `version` record
  std::shared_ptr<ArchiveWeights> weights;       // the module's tensors as bytes of the archive file
};

// Loads, eval()s and freezes `path` and prepares forward(). Throws Error("<path>: ...").
PreparedModule prepare_module(const std::string& path);

}  // namespace modelport::ts
