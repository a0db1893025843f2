#pragma once

namespace modelport::cli {

// Parses the command line, runs the command, returns the process exit code (see error.h).
int run(int argc, char** argv);

// Ends the process with `code` once stdout and stderr are flushed, skipping static destructors:
// everything a command writes is committed (and synced) before run() returns, and tearing down
// libtorch's operator registry and freeing the graph cost up to a tenth of a second that no user
// waits for. Under AddressSanitizer it returns `code` instead, so the leak check still runs.
[[nodiscard]] int finish(int code);

}  // namespace modelport::cli
