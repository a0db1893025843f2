#include "cli/commands.h"

int main(int argc, char** argv) { return modelport::cli::run(argc, argv); }
