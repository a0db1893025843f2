// The `modelport` command links no libtorch: loading it costs about a second of CPU and 160 MB of
// memory at start-up, which every Keras, SavedModel, GraphDef and TensorFlow.js export would pay.
// For that executable, torch_front.cpp defines the TorchScript entry points of
// include/modelport/loaders.h: each re-executes modelport-torch (the same commands, linked with the
// TorchScript loader) with this process's command line, before anything has been written.
// modelport-torch is looked for beside the executable (the build tree) and in ../libexec (an
// install: bin/modelport, libexec/modelport-torch).
#pragma once

namespace modelport::torch_front {

// Called first in main(): the command line modelport-torch is given.
void remember_command_line(int argc, char** argv);

}  // namespace modelport::torch_front
