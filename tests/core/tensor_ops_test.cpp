// permute_tensor against the definition out[i_0..i_r) = in[i_perm^-1...], element by element.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <numeric>
#include <random>

#include "modelport/ir.h"
#include "modelport/tensor_ops.h"

using namespace modelport;

namespace {

// The definition, one element at a time: output index idx reads input index j with j[perm[i]] = idx[i].
std::vector<uint8_t> permute_by_definition(const Tensor& t, const std::vector<int64_t>& perm) {
  size_t r = t.dims.size(), es = dtype_size(t.dtype);
  std::vector<int64_t> out_dims(r);
  for (size_t i = 0; i < r; ++i) out_dims[i] = t.dims[size_t(perm[i])];
  std::vector<uint8_t> out(size_t(t.numel()) * es);
  std::vector<int64_t> idx(r, 0), j(r);
  for (int64_t o = 0; o < t.numel(); ++o) {
    int64_t rest = o;
    for (size_t i = r; i-- > 0;) idx[i] = rest % out_dims[i], rest /= out_dims[i];
    for (size_t i = 0; i < r; ++i) j[size_t(perm[i])] = idx[i];
    int64_t src = 0;
    for (size_t i = 0; i < r; ++i) src = src * t.dims[i] + j[i];
    std::copy_n(t.raw() + size_t(src) * es, es, out.begin() + ptrdiff_t(size_t(o) * es));
  }
  return out;
}

}  // namespace

TEST(TensorOps, PermuteMatchesTheDefinitionForEveryRankDtypeAndPermutation) {
  std::mt19937 rng(7);
  int checked = 0;
  for (DType dt : {DType::Bool, DType::Float16, DType::Float32, DType::Int64}) {
    for (size_t r = 0; r <= 4; ++r) {
      std::vector<int64_t> perm(r);
      std::iota(perm.begin(), perm.end(), 0);
      do {
        for (int trial = 0; trial < 3; ++trial) {
          std::vector<int64_t> dims(r);
          // Sizes around the 64-element tile of the transpose path, and empty axes.
          for (auto& d : dims) d = std::vector<int64_t>{0, 1, 2, 3, 5, 63, 64, 70}[rng() % 8];
          if (r >= 2 && trial == 0) dims[r - 1] = 70, dims[r - 2] = 67;
          int64_t n = 1;
          for (auto d : dims) n *= d;
          if (n > 200000) continue;
          std::vector<uint8_t> bytes(size_t(n) * dtype_size(dt));
          for (auto& b : bytes) b = uint8_t(rng());
          Tensor t = tensor_from_bytes(dt, dims, bytes);
          Tensor p = permute_tensor(t, perm);
          ASSERT_EQ(p.nbytes(), bytes.size());
          std::vector<uint8_t> got(p.raw(), p.raw() + p.nbytes());
          ASSERT_EQ(got, permute_by_definition(t, perm)) << "rank " << r << " dtype " << dtype_name(dt);
          ++checked;
        }
      } while (std::next_permutation(perm.begin(), perm.end()));
    }
  }
  EXPECT_GT(checked, 100);
}

// A permuted tensor of kLazyPermuteBytes or more is a lazy buffer: streamed in pieces (as the writer
// does, in blocks that are not a multiple of its slabs) and made whole by data(), it must give the
// definition's bytes both ways.
TEST(TensorOps, LazyPermuteStreamsAndMaterializesTheSameBytes) {
  std::mt19937 rng(11);
  for (auto [dims, perm] : {std::pair<std::vector<int64_t>, std::vector<int64_t>>{{768, 515}, {1, 0}},
                            {{40, 33, 30, 7}, {2, 3, 1, 0}},
                            {{3, 200, 700}, {0, 2, 1}}}) {
    int64_t n = 1;
    for (auto d : dims) n *= d;
    std::vector<uint8_t> bytes(size_t(n) * 4);
    for (auto& b : bytes) b = uint8_t(rng());
    Tensor t = tensor_from_bytes(DType::Float32, dims, bytes);
    ASSERT_GE(t.nbytes(), kLazyPermuteBytes) << "the case must take the lazy path";
    std::vector<uint8_t> want = permute_by_definition(t, perm);
    Tensor p = permute_tensor(t, perm);
    for (size_t block : {size_t(1), size_t(4096), size_t(100000), size_t(1) << 30}) {
      std::vector<uint8_t> streamed;
      p.buffer->stream(block, [&](const uint8_t* d, size_t k) { streamed.insert(streamed.end(), d, d + k); });
      ASSERT_EQ(streamed, want) << "block " << block;
    }
    std::vector<uint8_t> whole(p.raw(), p.raw() + p.nbytes());
    EXPECT_EQ(whole, want);
    std::vector<uint8_t> after;  // streaming after data() gives the same bytes
    p.buffer->stream(65536, [&](const uint8_t* d, size_t k) { after.insert(after.end(), d, d + k); });
    EXPECT_EQ(after, want);
  }
}

// A perm that is not a permutation of the axes (an axis out of range, repeated, or the wrong count)
// never reads past the dims: the shape is unknown and permute_tensor refuses it. Loaders turn such
// a perm from a file into a one-line error (fuzz regressions keras_config/tf_op_transpose_perm_*).
TEST(TensorOps, NotAPermutationIsRefused) {
  EXPECT_TRUE(is_permutation({}));
  EXPECT_TRUE(is_permutation({2, 0, 1}));
  EXPECT_FALSE(is_permutation({0, 12, 1}));
  EXPECT_FALSE(is_permutation({0, 0, 1}));
  EXPECT_FALSE(is_permutation({-1, 0, 1}));
  Shape s = Shape::of({2, 3, 4});
  EXPECT_EQ(permute_shape(s, {2, 0, 1}), Shape::of({4, 2, 3}));
  EXPECT_EQ(permutation_problem({2, 0, 1}, s), "");
  EXPECT_EQ(permutation_problem({0, 12, 1}, s), "[0,12,1] is not a permutation of the input's 3 axes");
  EXPECT_EQ(permutation_problem({1, 0}, s), "[1,0] is not a permutation of the input's 3 axes");
  EXPECT_EQ(permutation_problem({0, 0}, Shape()), "[0,0] is not a permutation of the input's axes");
  for (std::vector<int64_t> bad : {std::vector<int64_t>{0, 12, 1}, {0, 0, 1}, {1, 0}, {-1, 0, 1}}) {
    EXPECT_FALSE(permute_shape(s, bad).rank_known);
    EXPECT_THROW(permute_tensor(Tensor::from_vector(DType::Float32, std::vector<float>(24, 1.0f), {2, 3, 4}), bad),
                 std::invalid_argument);
  }
}

// Integer scalars from doubles: in range they convert exactly; out of range (or NaN) the conversion
// would be undefined behaviour, so it is refused (fuzz regression keras_config/tf_op_constant_beyond_int32).
TEST(TensorOps, IntegerScalarOutOfRangeIsRefused) {
  EXPECT_EQ(Tensor::scalar(DType::Int32, -2147483648.0).as_int(0), -2147483648LL);
  EXPECT_EQ(Tensor::scalar(DType::UInt8, 255.0).as_int(0), 255);
  EXPECT_EQ(Tensor::scalar(DType::Int64, -9223372036854775808.0).as_int(0), INT64_MIN);
  EXPECT_THROW(Tensor::scalar(DType::Int32, -19999000000.0), std::out_of_range);
  EXPECT_THROW(Tensor::scalar(DType::Int32, 2147483648.0), std::out_of_range);
  EXPECT_THROW(Tensor::scalar(DType::UInt8, -1.0), std::out_of_range);
  EXPECT_EQ(Tensor::scalar(DType::Int64, double(INT64_MAX)).as_int(0), INT64_MAX);  // 2^63 as a double
  EXPECT_THROW(Tensor::scalar(DType::Int64, 1.9e19), std::out_of_range);
  EXPECT_THROW(Tensor::scalar(DType::Int16, std::nan("")), std::out_of_range);
  EXPECT_THROW(tensor_from_doubles(DType::Int8, {2}, {1.0, 300.0}), std::out_of_range);
}
