// The test program's main(): GoogleTest, plus the skip policy.
//
// ctest counts a skipped test as passed. CI has ../shared/fixtures next to the checkout and installs
// everything the tests need (ONNX Runtime through node, Debian's python3 with torch and h5py), so
// there a skip can only hide a test that did not run: with ../shared/fixtures present, every skip
// (a missing fixture, ONNX Runtime or python3 alike) is turned into a failure that carries the skip's
// message. A fresh clone without ../shared still skips, visibly.
#include <gtest/gtest.h>

#include "support/test_support.h"

namespace {

class SkipIsFailure : public ::testing::EmptyTestEventListener {
  // Failures may be raised in OnTestEnd (not in OnTestPartResult); they count for this test.
  void OnTestEnd(const ::testing::TestInfo& info) override {
    const ::testing::TestResult* r = info.result();
    if (!r->Skipped()) return;
    std::string why;
    for (int i = 0; i < r->total_part_count(); ++i)
      if (r->GetTestPartResult(i).skipped()) why += r->GetTestPartResult(i).message();
    ADD_FAILURE() << "skipped although ../shared/fixtures exists (CI must run every test): " << why;
  }
};

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (!modelport::test::shared_fixtures().empty())
    ::testing::UnitTest::GetInstance()->listeners().Append(new SkipIsFailure);  // owned by gtest
  return RUN_ALL_TESTS();
}
