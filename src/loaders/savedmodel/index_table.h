// TensorFlow's variables.index is a LevelDB table; it is read with LevelDB itself, after its block
// handles are checked against the file (LevelDB allocates whatever size a handle declares)
// (leveldb::Table::Open, an iterator with verify_checksums, Snappy-compressed blocks included).
#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace modelport::tf {

using TableEntries = std::vector<std::pair<std::string, std::string>>;

// Parses a whole table held in `bytes` and returns every key/value in key order. Block checksums
// are verified. Throws Error("<path>: corrupt table (<cause>)") for a truncated or corrupt table.
TableEntries parse_table(std::string_view bytes, const std::string& path);
// Reads and parses the file at `path`.
TableEntries read_table(const std::string& path);

}  // namespace modelport::tf
