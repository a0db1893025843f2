// `modelport`: links no libtorch; a TorchScript model re-executes modelport-torch (cli/torch_front.h).
#include "cli/commands.h"
#include "cli/torch_front.h"

int main(int argc, char** argv) {
  modelport::torch_front::remember_command_line(argc, argv);
  return modelport::cli::finish(modelport::cli::run(argc, argv));
}
