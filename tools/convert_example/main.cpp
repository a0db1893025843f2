// convert_example MODEL OUT.onnx [--input SPEC]... [--verify]
// Converts MODEL to ONNX with modelport::convert and prints what was written. With --verify the
// export is compared with the source model; the node runners are found through
// MODELPORT_RUNTIME_DIR (an install's share/modelport), as this program is not installed with them.
#include <cstdio>
#include <string>

#include "modelport/convert.h"
#include "modelport/error.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s MODEL OUT.onnx [--input SPEC]... [--verify]\n", argv[0]);
    return modelport::kExitUsage;
  }
  try {
    modelport::ConvertOptions options;
    options.output = argv[2];
    for (int i = 3; i < argc; ++i) {
      std::string arg = argv[i];
      if (arg == "--verify") {
        options.verify = true;
      } else if (arg == "--input" && i + 1 < argc) {
        options.load.inputs.push_back(modelport::parse_input_spec(argv[++i]));
      } else {
        throw modelport::UsageError(arg + ": unknown argument");
      }
    }
    modelport::ConvertResult r = modelport::convert(argv[1], options);
    std::printf("format: %s\nmodel: %s\nnodes: %lld\n", modelport::format_name(r.format), r.model_path.c_str(),
                static_cast<long long>(r.node_count));
    for (const auto& io : r.inputs) std::printf("input: %s %s%s\n", io.name.c_str(), io.dtype.c_str(), io.shape.c_str());
    for (const auto& io : r.outputs) std::printf("output: %s %s%s\n", io.name.c_str(), io.dtype.c_str(), io.shape.c_str());
    for (const auto& [file, sum] : r.sha256) std::printf("sha256: %s %s\n", sum.c_str(), file.c_str());
    if (r.verification) {
      std::printf("verified against: %s %s (%s)\n", r.verification->reference.c_str(),
                  r.verification->reference_version.c_str(), r.verification->ok ? "ok" : "MISMATCH");
      return r.verification->exit_code();
    }
    return 0;
  } catch (const modelport::Error& e) {
    std::fprintf(stderr, "convert_example: %s\n", e.what());
    return e.exit_code();
  }
}
