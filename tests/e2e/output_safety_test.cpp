// Never destroy input, never leave partial output (issue 17): outputs that collide with a source
// are refused; a full disk, SIGINT or SIGTERM while writing leave nothing behind; the written file
// and its directory are fsync'd around the rename.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "modelport/error.h"
#include "support/test_support.h"

using namespace modelport;
namespace fs = std::filesystem;

namespace {

const char* kCnnInput = "x:float32[batch,3,16,16]";

std::string slurp(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

// Every path under `dir` with its content, to show that a refused export changed nothing.
std::map<std::string, std::string> snapshot(const std::string& dir) {
  std::map<std::string, std::string> m;
  for (auto& e : fs::recursive_directory_iterator(dir))
    m[e.path().string()] = e.is_regular_file() ? slurp(e.path().string()) : "<dir>";
  return m;
}

// A copy of the scripted CNN in its own directory.
std::string cnn_copy(const std::string& dir, const std::string& name = "m.pt") {
  fs::create_directories(dir);
  std::string p = dir + "/" + name;
  fs::copy_file(test::test_models_dir() + "/cnn_scripted.pt", p, fs::copy_options::overwrite_existing);
  return p;
}

// Runs export, expects exit 2 with a one-line error containing `cause`, and `root` unchanged.
void expect_collision_refused(const std::string& root, const std::vector<std::string>& args, const std::string& cause) {
  auto before = snapshot(root);
  auto r = test::run_cli(args);
  EXPECT_EQ(r.exit_code, kExitUsage) << r.err;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "error must be one line:\n" << r.err;
  EXPECT_NE(r.err.find(cause), std::string::npos) << r.err;
  EXPECT_EQ(snapshot(root), before) << "a refused export changed files under " << root;
}

TEST(OutputSafety, OutputEqualToTheSourceIsRefused) {
  std::string dir = test::scratch_dir("collide_same");
  std::string src = cnn_copy(dir);
  expect_collision_refused(dir, {"export", src, "-o", src, "--input", kCnnInput},
                           src + ": refusing to write the model over the source " + src);
  // The same file by another name: `..`, a symlink, a hard link.
  fs::create_directory(dir + "/sub");
  expect_collision_refused(dir, {"export", src, "-o", dir + "/sub/../m.pt", "--input", kCnnInput}, "over the source");
  fs::create_symlink(src, dir + "/link.pt");
  expect_collision_refused(dir, {"export", src, "-o", dir + "/link.pt", "--input", kCnnInput}, "over the source");
  fs::create_hard_link(src, dir + "/hard.pt");
  expect_collision_refused(dir, {"export", src, "-o", dir + "/hard.pt", "--input", kCnnInput}, "over the source");
}

TEST(OutputSafety, ManifestAndExternalDataPathsAreChecked) {
  std::string dir = test::scratch_dir("collide_side");
  std::string src = cnn_copy(dir, "out.onnx.data");
  expect_collision_refused(dir, {"export", src, "-o", dir + "/out.onnx", "--input", kCnnInput},
                           "refusing to write the external data file over the source");
  std::string src2 = cnn_copy(dir, "m.pt");
  expect_collision_refused(dir, {"export", src2, "-o", dir + "/x.onnx", "--manifest", src2, "--input", kCnnInput},
                           "refusing to write the manifest over the source");
  std::string npy = dir + "/x.npy";
  std::ofstream(npy) << "not read";
  expect_collision_refused(dir, {"export", src2, "-o", dir + "/y.onnx", "--manifest", npy, "--input", kCnnInput,
                                 "--verify", "--input-data", "x=" + npy},
                           "over the source " + npy);
}

// A stateful module's initial state goes to MODEL.<state input>.npy; those names are known only once
// the model is loaded, and they are checked against the sources like the others.
TEST(OutputSafety, InitialStateFilesAreChecked) {
  std::string dir = test::scratch_dir("collide_state");
  fs::create_directories(dir);
  std::string src = dir + "/m.pt";
  fs::copy_file(test::test_models_dir() + "/stateful_lstm_cell.pt", src, fs::copy_options::overwrite_existing);
  std::string npy = dir + "/out.h_in.npy";  // where the state input h_in's initial value would go
  std::ofstream(npy) << "not read";
  expect_collision_refused(dir, {"export", src, "-o", dir + "/out.onnx", "--input", "x:float32[1,8]", "--verify",
                                 "--input-data", "x=" + npy},
                           npy + ": refusing to write the initial state file over the source " + npy);
}

TEST(OutputSafety, PackageAroundTheSourceIsRefused) {
  std::string dir = test::scratch_dir("collide_pkg");
  std::string src = cnn_copy(dir + "/pkg");
  expect_collision_refused(dir, {"export", src, "-o", dir + "/pkg/", "--input", kCnnInput},
                           "refusing to write a package into a directory that contains the source " + src);
  expect_collision_refused(dir, {"export", src, "-o", dir + "/", "--input", kCnnInput}, "contains the source");
}

TEST(OutputSafety, NothingIsWrittenInsideASavedModel) {
  MODELPORT_REQUIRE_SHARED();
  std::string dir = test::scratch_dir("collide_sm");
  std::string sm = dir + "/half_plus_two";
  fs::copy(test::shared_fixtures() + "/savedmodel/tfserving_half_plus_two_cpu", sm, fs::copy_options::recursive);
  for (auto& e : fs::recursive_directory_iterator(sm))
    fs::permissions(e.path(), fs::perms::owner_write, fs::perm_options::add);
  expect_collision_refused(dir, {"export", sm, "-o", sm + "/model.onnx"},
                           "refusing to write the model inside the source directory " + sm);
  expect_collision_refused(dir, {"export", sm, "-o", sm + "/variables/model.onnx"}, "inside the source directory");
  expect_collision_refused(dir, {"export", sm, "-o", sm + "/pkg/"}, "inside the source directory");
  expect_collision_refused(dir, {"export", sm, "-o", dir + "/m.onnx", "--manifest", sm + "/m.json"},
                           "refusing to write the manifest inside the source directory");
  // Next to it is fine.
  auto r = test::run_cli({"export", sm, "-o", dir + "/ok.onnx"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

// A 1 MiB tmpfs in a private mount namespace (gone with the shell): ENOSPC for real.
TEST(OutputSafety, FullDiskGivesOneLineAndNoOutput) {
  std::string dir = test::scratch_dir("enospc");
  std::string mnt = dir + "/tmpfs";
  fs::create_directory(mnt);
  std::string src = test::test_models_dir() + "/resnet18_scripted.pt";
  ASSERT_TRUE(fs::exists(src));
  auto r = run_process({"unshare", "-m", "sh", "-c",
                        "mount -t tmpfs -o size=1m tmpfs \"$1\" || exit 99\n"
                        "\"$2\" export \"$3\" -o \"$1/pkg/\" --input x:float32[1,3,224,224]\n"
                        "echo \"rc=$?\"\n"
                        "echo \"left=$(ls -A \"$1\")\"\n",
                        "sh", mnt, MODELPORT_BINARY, src});
  ASSERT_NE(r.exit_code, 99) << "cannot mount a tmpfs (needs root): " << r.err;
  EXPECT_NE(r.out.find("rc=1\n"), std::string::npos) << r.out << r.err;
  EXPECT_NE(r.out.find("left=\n"), std::string::npos) << "files left on the full disk:\n" << r.out;
  EXPECT_NE(r.err.find("pkg/model.onnx: no space left on device"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
}

// A 256 MiB TorchScript Linear (written at test time): its export writes long enough to be
// signalled while the temporary file exists.
std::string big_model() {
  std::string p = test::scratch_dir("big_model") + "/linear_8192.pt";
  auto r = run_process({"/usr/bin/python3", "-c",
                        "import sys, torch\n"
                        "torch.manual_seed(0)\n"
                        "torch.jit.script(torch.nn.Linear(8192, 8192)).save(sys.argv[1])\n",
                        p});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return p;
}

// Starts an export, waits until a file appears in the output directory, sends `sig`, and reports
// the exit status and what is left in the directory.
std::string signal_during_write(const std::string& model, const std::string& out_dir, const char* sig) {
  auto r = run_process({"/usr/bin/python3", "-c",
                        "import os, signal, subprocess, sys, time\n"
                        "binary, model, out, sig = sys.argv[1:5]\n"
                        "p = subprocess.Popen([binary, 'export', model, '-o', out + '/big.onnx', '--input',\n"
                        "                      'x:float32[batch,8192]'], stderr=subprocess.DEVNULL)\n"
                        "t0 = time.time()\n"
                        "while not os.listdir(out) and p.poll() is None and time.time() - t0 < 120: time.sleep(0.0005)\n"
                        "seen = os.listdir(out)\n"
                        "p.send_signal(getattr(signal, sig))\n"
                        "rc = p.wait()\n"
                        "print('seen=' + ','.join(seen))\n"
                        "print('rc=%d' % rc)\n"
                        "print('left=' + ','.join(os.listdir(out)))\n",
                        MODELPORT_BINARY, model, out_dir, sig});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

TEST(OutputSafety, SignalDuringWriteRemovesTemporaryFiles) {
  std::string model = big_model();
  for (auto [sig, num] : {std::pair<const char*, int>{"SIGTERM", 15}, {"SIGINT", 2}}) {
    std::string out = test::scratch_dir(std::string("signal_") + sig);
    std::string report = signal_during_write(model, out, sig);
    EXPECT_NE(report.find("seen=.big.onnx.tmp-"), std::string::npos) << sig << " was not sent while writing:\n" << report;
    EXPECT_NE(report.find("rc=" + std::to_string(-num) + "\n"), std::string::npos) << sig << ":\n" << report;
    EXPECT_NE(report.find("left=\n"), std::string::npos) << sig << " left files behind:\n" << report;
  }
}

// strace shows the order: fsync(temporary file), rename(temporary -> final), fsync(directory).
TEST(OutputSafety, FileAndDirectoryAreSyncedAroundTheRename) {
  std::string dir = test::scratch_dir("fsync");
  std::string out = dir + "/m.onnx", log = dir + "/strace.log";
  // LeakSanitizer cannot run under ptrace: a sanitized build checks leaks in every other test.
  auto r = run_process({"strace", "-f", "-y", "-qq", "-E", "ASAN_OPTIONS=detect_leaks=0", "-e",
                        "trace=fsync,fdatasync,rename,renameat,renameat2", "-o", log,
                        MODELPORT_BINARY, "export", test::test_models_dir() + "/cnn_scripted.pt", "-o", out,
                        "--input", kCnnInput});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string trace = slurp(log);
  std::string tmp = dir + "/.m.onnx.tmp-";
  size_t sync_file = trace.find("fsync(");
  for (; sync_file != std::string::npos; sync_file = trace.find("fsync(", sync_file + 1))
    if (trace.compare(trace.find('<', sync_file) + 1, tmp.size(), tmp) == 0) break;
  size_t rename = trace.find("rename");
  for (; rename != std::string::npos; rename = trace.find("rename", rename + 1)) {
    size_t eol = trace.find('\n', rename);
    std::string line = trace.substr(rename, eol - rename);
    if (line.find(tmp) != std::string::npos && line.find("\"" + out + "\"") != std::string::npos) break;
  }
  size_t sync_dir = trace.find("fsync(", rename == std::string::npos ? 0 : rename);
  for (; sync_dir != std::string::npos; sync_dir = trace.find("fsync(", sync_dir + 1))
    if (trace.compare(trace.find('<', sync_dir) + 1, dir.size() + 1, dir + ">") == 0) break;
  ASSERT_NE(sync_file, std::string::npos) << "no fsync of the temporary model file:\n" << trace;
  ASSERT_NE(rename, std::string::npos) << "no rename of the temporary model file:\n" << trace;
  ASSERT_NE(sync_dir, std::string::npos) << "no fsync of " << dir << " after the rename:\n" << trace;
  EXPECT_LT(sync_file, rename) << trace;
  EXPECT_LT(rename, sync_dir) << trace;
}

}  // namespace
