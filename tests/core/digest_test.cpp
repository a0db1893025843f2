// SHA-256 through OpenSSL: FIPS 180-4 test vectors, incremental updates, files against sha256sum.
#include <gtest/gtest.h>

#include <fstream>

#include "modelport/error.h"
#include "support/test_support.h"
#include "util/digest.h"

using namespace modelport;

namespace {
std::string sha(const std::string& s) {
  Sha256 h;
  h.update(s.data(), s.size());
  return h.hex_digest();
}
}  // namespace

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(sha(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  Sha256 h;  // one million 'a', fed in uneven pieces
  std::string chunk(997, 'a');
  size_t left = 1000000;
  for (; left >= chunk.size(); left -= chunk.size()) h.update(chunk.data(), chunk.size());
  h.update(chunk.data(), left);
  EXPECT_EQ(h.hex_digest(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, FileMatchesSha256sum) {
  std::string p = test::scratch_dir("digest") + "/bytes.bin";
  {
    std::ofstream out(p, std::ios::binary);
    for (int i = 0; i < 300000; ++i) out.put(char(i * 7 + (i >> 8)));
  }
  auto r = run_process({"sha256sum", p});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  PathDigest d = digest_path(p);
  EXPECT_EQ(d.sha256, r.out.substr(0, 64));
  EXPECT_EQ(d.size, 300000u);
  EXPECT_THROW(digest_path(p + ".missing"), Error);
}
