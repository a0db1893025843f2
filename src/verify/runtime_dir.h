// Where the node runners verify uses (ort_run.js, tfjs_run.js and their npm packages) are, found
// at run time, never from a path compiled in:
//   1. $MODELPORT_RUNTIME_DIR, a directory holding ort_run.js (an install's share/modelport, or a
//      checkout's tools/); when set, the only place looked in;
//   2. <dir of the executable>/../share/modelport (the installed layout: bin/modelport next to
//      share/modelport/{ort_run.js, tfjs_run.js, real_models/, runtime/node_modules});
//   3. the build tree: a file `modelport_runtime_dir` in the executable's directory or one above
//      it, written by CMake into the build directory only, naming the source tree's tools/.
#pragma once
#include <string>
#include <vector>

namespace modelport {

// Path of the runner `name` ("ort_run.js", "tfjs_run.js") in the first of the directories above
// that holds it; empty when none does.
std::string find_runner(const std::string& name);
// The directories find_runner looks in, in order (for an error message saying where it looked).
std::vector<std::string> runtime_dir_candidates();

}  // namespace modelport
