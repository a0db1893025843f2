#include "ops/keras/keras_cases.h"

#include <gtest/gtest.h>

#include "ops/op_case_support.h"
#include "support/test_support.h"

namespace modelport::test::keras_ops {

const std::vector<std::string> kGroups = {"existing", "layers"};

std::vector<Case> read_table() {
  std::vector<Case> out;
  nlohmann::json j = read_case_manifest("keras_ops/cases.json");
  if (!j.is_object()) return out;
  auto paths = [](const nlohmann::json& a) {
    std::vector<std::string> v;
    for (auto& p : a) v.push_back(test_models_dir() + "/" + p.get<std::string>());
    return v;
  };
  for (auto& r : j["cases"])
    out.push_back({r["name"], r["group"], test_models_dir() + "/" + r["file"].get<std::string>(),
                   r["ops"].get<std::vector<std::string>>(), paths(r["inputs"]), paths(r["outputs"]), r["atol"], r["rtol"], r["min_opset"]});
  EXPECT_FALSE(out.empty()) << "keras_ops/cases.json lists no cases";
  return out;
}

}  // namespace modelport::test::keras_ops
