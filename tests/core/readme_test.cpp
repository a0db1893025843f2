// README.md's op table is generated from the code's tables; this fails when it is stale.
#include <gtest/gtest.h>

#include <fstream>

#include "support/test_support.h"

TEST(Readme, OpTableMatchesTheCode) {
  auto r = modelport::test::run_cli({"ops", "--markdown"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(modelport::test::source_dir() + "/README.md");
  std::string readme((std::istreambuf_iterator<char>(in)), {});
  auto b = readme.find("<!-- ops:begin -->\n"), e = readme.find("<!-- ops:end -->");
  ASSERT_NE(b, std::string::npos);
  ASSERT_NE(e, std::string::npos);
  std::string section = readme.substr(b + 19, e - b - 19);
  std::string table = r.out;
  while (!table.empty() && table.back() == '\n') table.pop_back();
  EXPECT_EQ(section, table + "\n") << "README.md's op table is stale: run tools/update_readme_ops.sh";
}
