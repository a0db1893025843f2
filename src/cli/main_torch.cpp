// modelport-torch: the commands of `modelport`, linked with the TorchScript loader and libtorch
// (`modelport` re-executes it for TorchScript models: src/cli/torch_front.h).
#include "cli/commands.h"

int main(int argc, char** argv) { return modelport::cli::finish(modelport::cli::run(argc, argv)); }
