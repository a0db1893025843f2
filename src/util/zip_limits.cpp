#include "util/zip_limits.h"

#include "modelport/error.h"
#include "modelport/limits.h"

namespace modelport {

void check_zip_entry(const std::string& archive, const zip_stat_t& st, uint64_t archive_bytes) {
  std::string what = std::string("zip entry ") + ((st.valid & ZIP_STAT_NAME) && st.name ? st.name : "?");
  if (!(st.valid & ZIP_STAT_SIZE)) return;
  check_declared_bytes(archive, what, st.size);
  if (!(st.valid & ZIP_STAT_COMP_SIZE) || !(st.valid & ZIP_STAT_COMP_METHOD)) return;
  // The stored bytes are inside the archive: a larger count is corrupt, and would let the ratio
  // check below pass an uncompressed size the entry cannot hold.
  if (st.comp_size > archive_bytes)
    throw Error(archive + ": " + what + " declares " + bytes_text(st.comp_size) + " stored, more than the archive's " +
                bytes_text(archive_bytes));
  // Deflate's best case is ~1032:1; other methods (bzip2, zstd...) can do better, allow 1:1e6.
  uint64_t ratio = st.comp_method == ZIP_CM_STORE ? 1 : st.comp_method == ZIP_CM_DEFLATE ? 1100 : 1000000;
  uint64_t most = st.comp_size > UINT64_MAX / ratio ? UINT64_MAX : st.comp_size * ratio;
  if (st.comp_method != ZIP_CM_STORE) most += 4096;  // tiny entries carry fixed overhead
  if (st.size > most)
    throw Error(archive + ": " + what + " declares " + bytes_text(st.size) + " uncompressed from " +
                bytes_text(st.comp_size) + " stored, more than its compression method can produce");
}

void check_zip_entries(const std::string& archive, zip_t* z, uint64_t archive_bytes) {
  zip_int64_t n = zip_get_num_entries(z, 0);
  for (zip_int64_t i = 0; i < n; ++i) {
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(z, zip_uint64_t(i), 0, &st) != 0) throw Error(archive + ": corrupt zip entry " + std::to_string(i));
    check_zip_entry(archive, st, archive_bytes);
  }
}

}  // namespace modelport
