#include <gtest/gtest.h>

#include "modelport/error.h"
#include "modelport/loaders.h"

using namespace modelport;

TEST(InputSpec, FullSpecWithSymbolicBatch) {
  auto s = parse_input_spec("x:float32[batch,3,224,224]");
  EXPECT_EQ(s.name, "x");
  ASSERT_TRUE(s.dtype);
  EXPECT_EQ(*s.dtype, DType::Float32);
  ASSERT_TRUE(s.shape);
  EXPECT_EQ(s.shape->str(), "[batch,3,224,224]");
  EXPECT_TRUE(s.shape->dims[0].is_symbol());
  EXPECT_TRUE(s.shape->dims[1].is_fixed());
}

TEST(InputSpec, PartsMayBeOmitted) {
  auto a = parse_input_spec("tokens");
  EXPECT_EQ(a.name, "tokens");
  EXPECT_FALSE(a.dtype);
  EXPECT_FALSE(a.shape);
  auto b = parse_input_spec("ids:int64");
  EXPECT_EQ(*b.dtype, DType::Int64);
  auto c = parse_input_spec("x[n,seq]");
  EXPECT_EQ(c.shape->rank(), 2u);
  auto scalar = parse_input_spec("t:float32[]");
  ASSERT_TRUE(scalar.shape);
  EXPECT_EQ(scalar.shape->rank(), 0u);
}

TEST(InputSpec, TensorFlowNamesKeepTheirOutputIndex) {
  auto s = parse_input_spec("x:0");
  EXPECT_EQ(s.name, "x:0");
  EXPECT_FALSE(s.dtype);
  auto t = parse_input_spec("serving/x:0:float32[1,4]");
  EXPECT_EQ(t.name, "serving/x:0");
  EXPECT_EQ(*t.dtype, DType::Float32);
}

TEST(InputSpec, BadSpecsAreUsageErrors) {
  for (const char* bad : {"x:float33[1]", "x[1,,2]", "x[1,2", ":float32[1]", "x[-1]", "x[1.5]"}) {
    try {
      parse_input_spec(bad);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const UsageError& e) {
      EXPECT_EQ(e.exit_code(), kExitUsage);
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
}
