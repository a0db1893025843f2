#include <gtest/gtest.h>

#include "support/test_support.h"
#include "util/npy.h"

#include <cstring>
#include <fstream>

#include "modelport/error.h"

using namespace modelport;

TEST(Npy, RoundTripKeepsDtypeShapeAndBytes) {
  auto dir = test::scratch_dir("npy");
  Tensor f = Tensor::from_vector<float>(DType::Float32, {1.5f, -2.f, 3.25f, 0.f, 7.f, 8.f}, {2, 3});
  Tensor i = Tensor::from_vector<int64_t>(DType::Int64, {5, -7}, {2});
  Tensor s = Tensor::from_vector<double>(DType::Float64, {2.5}, {});
  for (const Tensor* t : {&f, &i, &s}) {
    write_npy(dir + "/t.npy", *t);
    Tensor r = read_npy(dir + "/t.npy");
    EXPECT_EQ(r.dtype, t->dtype);
    EXPECT_EQ(r.dims, t->dims);
    ASSERT_EQ(r.nbytes(), t->nbytes());
    EXPECT_EQ(0, std::memcmp(r.raw(), t->raw(), r.nbytes()));
  }
}

TEST(Npy, RejectsNonNpy) {
  auto dir = test::scratch_dir("npy_bad");
  { std::ofstream(dir + "/bad.npy") << "hello"; }
  EXPECT_THROW(read_npy(dir + "/bad.npy"), Error);
  EXPECT_THROW(read_npy(dir + "/missing.npy"), Error);
}
