#include "loaders/keras/keras_archive.h"

#include <zip.h>

#include <filesystem>
#include <memory>

#include "modelport/error.h"
#include "util/zip_limits.h"

namespace modelport::keras {
namespace {

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};
struct ZipFileCloser {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};

std::optional<std::vector<uint8_t>> read_member(zip_t* z, const std::string& path, uint64_t archive_bytes,
                                                const char* name) {
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat(z, name, 0, &st) != 0) return std::nullopt;
  check_zip_entry(path, st, archive_bytes);  // before allocating its declared size
  std::unique_ptr<zip_file_t, ZipFileCloser> f(zip_fopen(z, name, 0));
  if (!f) throw Error(path + ": cannot open archive member " + name);
  std::vector<uint8_t> out((size_t)st.size);
  size_t got = 0;
  while (got < out.size()) {
    zip_int64_t n = zip_fread(f.get(), out.data() + got, out.size() - got);
    if (n <= 0) throw Error(path + ": cannot read archive member " + name + " (corrupt or shorter than declared)");
    got += (size_t)n;
  }
  return out;
}

}  // namespace

KerasArchive read_keras_archive(const std::string& path) {
  int err = 0;
  std::unique_ptr<zip_t, ZipCloser> z(zip_open(path.c_str(), ZIP_RDONLY, &err));
  if (!z) throw Error(path + ": cannot open as a .keras zip archive");
  KerasArchive a;
  std::error_code ec;
  const uint64_t bytes = std::filesystem::file_size(path, ec);
  auto config = read_member(z.get(), path, bytes, "config.json");
  if (!config) throw Error(path + ": .keras archive has no config.json");
  a.config_json.assign(config->begin(), config->end());
  if (auto meta = read_member(z.get(), path, bytes, "metadata.json")) a.metadata_json = std::string(meta->begin(), meta->end());
  if (auto w = read_member(z.get(), path, bytes, "model.weights.h5")) {
    a.weights_h5 = std::move(*w);
    a.has_weights = true;
  }
  return a;
}

}  // namespace modelport::keras
