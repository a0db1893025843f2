// The supported-op table printed by `modelport ops` and pasted into README.md.
#pragma once
#include <string>

namespace modelport::cli {
std::string op_table_text();
std::string op_table_markdown();
}  // namespace modelport::cli
