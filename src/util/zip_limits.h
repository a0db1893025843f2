// Checks a zip entry's declared sizes before anything is decompressed (zip bombs).
#pragma once
#include <zip.h>

#include <cstdint>
#include <string>

namespace modelport {

// Throws Error("<archive>: entry <name> declares N bytes ...") when the entry's uncompressed size is
// above the tensor cap or the available memory, larger than its stored size for a stored entry, or
// beyond what its compression method can expand to (deflate: ~1032:1), or when its stored size is
// more than the archive's `archive_bytes`.
void check_zip_entry(const std::string& archive, const zip_stat_t& st, uint64_t archive_bytes);
// The same for every entry of an open archive.
void check_zip_entries(const std::string& archive, zip_t* z, uint64_t archive_bytes);

}  // namespace modelport
