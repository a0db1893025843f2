// OutputTransaction: a file's SHA-256 (computed on its own thread from what reached the file) and
// its bytes, for writes of every size the writer takes (buffered, straight from the caller's
// buffer, zeros), across the write-back step; and a rollback that leaves nothing behind.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "modelport/error.h"
#include "support/test_support.h"
#include "util/digest.h"
#include "util/output_transaction.h"

using namespace modelport;
namespace fs = std::filesystem;

namespace {
std::string bytes(size_t n, unsigned seed) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = char((i * 2654435761u + seed) >> 13);
  return s;
}
std::string sha256sum(const std::string& path) {
  auto r = run_process({"sha256sum", path});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out.substr(0, 64);
}
}  // namespace

TEST(OutputTransaction, HashIsOfTheFileForEveryKindOfWrite) {
  std::string dir = test::scratch_dir("output_tx");
  std::string path = dir + "/out.bin", small_path = dir + "/small.bin";
  std::string expect;
  {
    OutputTransaction tx;
    OutputFile& f = tx.create(path);
    OutputFile& small = tx.create(small_path);
    small.write("abc");
    for (int round = 0; round < 6; ++round) {  // 6 x ~13 MiB: past two write-back steps (32 MiB)
      for (int i = 0; i < 300; ++i) {  // buffered pieces, some crossing the 1 MiB buffer's end
        std::string s = bytes(size_t(997 * (i % 17) + 1), unsigned(round * 1000 + i));
        f.write(s);
        expect += s;
      }
      std::string big = bytes((size_t(10) << 20) + 12345, unsigned(round));  // straight from this buffer
      f.write(big);
      expect += big;
      big.assign(big.size(), 'x');  // reused at once: the hash must not read it later
      f.zeros(70000);
      expect.append(70000, '\0');
    }
    tx.commit();
    EXPECT_EQ(f.pos(), expect.size());
    EXPECT_EQ(f.sha256(), sha256sum(path));
    EXPECT_EQ(small.sha256(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream got;
  got << in.rdbuf();
  EXPECT_TRUE(got.str() == expect) << "the file's bytes differ from what was written";
  Sha256 h;
  h.update(expect.data(), expect.size());
  EXPECT_EQ(sha256sum(path), h.hex_digest());
}

TEST(OutputTransaction, RollbackRemovesAHalfWrittenLargeFile) {
  std::string dir = test::scratch_dir("output_tx_rollback");
  {
    OutputTransaction tx;
    OutputFile& f = tx.create(dir + "/out.bin");
    std::string big = bytes(size_t(40) << 20, 7);
    f.write(big);
    f.write(big);
  }  // not committed
  EXPECT_TRUE(fs::is_empty(dir)) << "left behind in " << dir;
}

// Bytes copied file to file (copy_file_range) between ordinary writes land where they belong, the
// hash covers them, and a source on another file system (where the kernel refuses the copy) falls
// back to reading and writing.
TEST(OutputTransaction, CopiesFileBytesInPlaceAndHashesThem) {
  std::string dir = test::scratch_dir("output_tx_copy");
  std::string src_bytes = bytes((size_t(70) << 20) + 333, 11);
  std::vector<std::string> sources = {dir + "/source.bin"};
  if (fs::is_directory("/dev/shm")) sources.push_back("/dev/shm/modelport_output_tx_copy_test.bin");
  for (auto& src : sources) {
    SCOPED_TRACE(src);
    std::ofstream(src, std::ios::binary).write(src_bytes.data(), std::streamsize(src_bytes.size()));
    int fd = ::open(src.c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    std::string path = dir + "/out.bin", expect = "head";
    {
      OutputTransaction tx;
      OutputFile& f = tx.create(path);
      f.write("head");
      f.copy_file(fd, 4097, (size_t(40) << 20) + 5);  // an odd offset and length, past a write-back step
      expect += src_bytes.substr(4097, (size_t(40) << 20) + 5);
      f.write("mid");
      expect += "mid";
      f.copy_file(fd, 0, 100);
      expect += src_bytes.substr(0, 100);
      f.copy_file(fd, 0, 0);
      std::string big = bytes(size_t(3) << 20, 3);
      f.write(big);
      expect += big;
      tx.commit();
      EXPECT_EQ(f.sha256(), sha256sum(path));
    }
    {
      OutputTransaction tx;
      EXPECT_THROW(tx.create(dir + "/short.bin").copy_file(fd, src_bytes.size() - 10, 20), Error);  // past its end
    }
    EXPECT_FALSE(fs::exists(dir + "/short.bin"));
    ::close(fd);
    std::ifstream in(path, std::ios::binary);
    std::stringstream got;
    got << in.rdbuf();
    EXPECT_TRUE(got.str() == expect) << "the file's bytes differ from what was written";
    fs::remove(src);
  }
}
