// Checks a zip entry's declared sizes before anything is decompressed (zip bombs).
#pragma once
#include <zip.h>

#include <string>

namespace modelport {

// Throws Error("<archive>: entry <name> declares N bytes ...") when the entry's uncompressed size is
// above the tensor cap or the available memory, larger than its stored size for a stored entry, or
// beyond what its compression method can expand to (deflate: ~1032:1).
void check_zip_entry(const std::string& archive, const zip_stat_t& st);
// The same for every entry of an open archive.
void check_zip_entries(const std::string& archive, zip_t* z);

}  // namespace modelport
