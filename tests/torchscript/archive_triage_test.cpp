// PyTorch files that are not convertible TorchScript archives (tests/fixtures/make_torch_archives.py)
// are refused by `modelport export` in one line that says what the file is and what to do, with exit
// code 1 and no output file; inspect refuses them the same way.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/test_support.h"

namespace fs = std::filesystem;
using namespace modelport;

namespace {

struct Refusal {
  const char* file;
  std::vector<const char*> says;  // every one must be in the message
};

const std::vector<Refusal> kRefusals = {
    {"state_dict.pt", {"a PyTorch state dict", "zip format", "save the module with torch.jit.script/trace"}},
    {"state_dict_legacy.pt", {"a PyTorch state dict", "legacy non-zip format", "save the module with torch.jit.script/trace"}},
    {"checkpoint.pt", {"dict of tensors", "checkpoint", "save the module with torch.jit.script/trace"}},
    {"pickled_module.pt", {"Python object (__main__.TinyNet)", "save the module with torch.jit.script/trace"}},
    {"legacy_torchscript.pt", {"legacy TorchScript archive (PyTorch 1.0-1.3, model.json)", "torch.jit.save"}},
    {"export_v21.pt2", {"a torch.export .pt2 archive", "not supported yet"}},
    {"export.pt2", {"a torch.export .pt2 archive", "not supported yet"}},
    {"aoti.pt2", {"an AOTInductor .pt2 package", "never runs", "not supported yet"}},
};

}  // namespace

TEST(ArchiveTriage, OneLineRefusals) {
  std::string scratch = test::scratch_dir("archive_triage");
  for (const Refusal& r : kRefusals) {
    std::string path = test::test_models_dir() + "/archives/" + r.file;
    SCOPED_TRACE(path);
    ASSERT_TRUE(fs::exists(path));
    std::string out = scratch + "/" + r.file + ".onnx";
    ProcessResult p = test::run_cli({"export", path, "-o", out});
    EXPECT_EQ(p.exit_code, 1) << p.err;
    EXPECT_EQ(p.err.rfind("modelport: error: " + path + ": ", 0), 0u) << p.err;
    EXPECT_EQ(p.err.find('\n'), p.err.size() - 1) << "one line: " << p.err;
    for (const char* s : r.says) EXPECT_NE(p.err.find(s), std::string::npos) << "missing '" << s << "' in: " << p.err;
    EXPECT_EQ(p.err.find("internal error"), std::string::npos) << p.err;
    EXPECT_FALSE(fs::exists(out)) << "no partial output";
    ProcessResult i = test::run_cli({"inspect", path});
    EXPECT_EQ(i.exit_code, 1) << i.err;
    EXPECT_NE(i.err.find(r.says[0]), std::string::npos) << i.err;
  }
}
