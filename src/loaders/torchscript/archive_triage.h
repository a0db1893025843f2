// What a PyTorch file is, when it is not a TorchScript archive libtorch can load: torch.export /
// AOTInductor .pt2 archives, legacy (PyTorch 1.0-1.3, model.json) TorchScript, and torch.save
// pickles (state dicts, checkpoints, pickled modules; zip or legacy non-zip). Reads names and a few
// pickle bytes only: nothing in the file is executed or unpickled.
#pragma once

#include <string>

namespace modelport::ts {

// Throws Error("<path>: <what the file is and what to do>") for a file that is not a TorchScript
// archive; returns for one that looks like it (libtorch then loads it).
void refuse_non_torchscript(const std::string& path);

}  // namespace modelport::ts
