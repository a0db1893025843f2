#include "cli/op_table.h"

namespace modelport::cli {
// Filled in from the loaders' and the emitter's tables once they are wired up.
std::string op_table_text() { return ""; }
std::string op_table_markdown() { return ""; }
}  // namespace modelport::cli
