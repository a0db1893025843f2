// Reader for LevelDB-format tables (TensorFlow's variables.index is one): 48-byte footer with
// the metaindex and index block handles and magic 0xdb4775248b80fb57; blocks of prefix-compressed
// entries with a restart array, each followed by a 5-byte trailer (compression type, masked
// CRC-32C of contents + type byte). Compression 0 = none, 1 = Snappy.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace modelport::tf {

using TableEntries = std::vector<std::pair<std::string, std::string>>;

// Parses a whole table held in `bytes` and returns every key/value in key order. Block checksums
// are verified. Throws Error("<path>: <cause>") for a truncated or corrupt table.
TableEntries parse_table(std::string_view bytes, const std::string& path);
// Reads and parses the file at `path`.
TableEntries read_table(const std::string& path);

}  // namespace modelport::tf
