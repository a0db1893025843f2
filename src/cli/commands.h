#pragma once

namespace modelport::cli {

// Parses the command line, runs the command, returns the process exit code (see error.h).
int run(int argc, char** argv);

}  // namespace modelport::cli
