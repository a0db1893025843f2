// TensorFlow.js weight decoding against tfjs's own decodeWeights (bit for bit), and malformed
// model.json files: one-line errors naming the file, exit code 1 (README "Exit codes").
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include <nlohmann/json.hpp>

#include "loaders/tfjs/tfjs_weights.h"
#include "modelport/error.h"
#include "modelport/loaders.h"
#include "support/test_support.h"

using namespace modelport;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

void write_bytes(const std::string& path, const std::vector<uint8_t>& b) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
}
void write_text(const std::string& path, const std::string& s) { std::ofstream(path) << s; }

template <class T>
void append(std::vector<uint8_t>& b, T v) {
  uint8_t raw[sizeof(T)];
  std::memcpy(raw, &v, sizeof(T));
  b.insert(b.end(), raw, raw + sizeof(T));
}

// Every quantisation and dtype tfjs writes, with the edges: every float16 bit pattern (subnormals,
// infinities, NaNs), uint8/uint16 extremes, Math.round at .5 for quantised int32.
void make_weights(json& specs, std::vector<uint8_t>& data) {
  std::mt19937 rng(7);
  specs = json::array();
  specs.push_back({{"name", "layer/q8"}, {"shape", {16, 16}}, {"dtype", "float32"},
                   {"quantization", {{"dtype", "uint8"}, {"scale", 0.00723418034613132}, {"min", -0.873345116073}}}});
  for (int v = 0; v < 256; ++v) data.push_back(uint8_t(v));
  specs.push_back({{"name", "layer/q16"}, {"shape", {1000}}, {"dtype", "float32"},
                   {"quantization", {{"dtype", "uint16"}, {"scale", 3.0517578125e-05 * 1.37}, {"min", -1.1}}}});
  for (int i = 0; i < 1000; ++i) append<uint16_t>(data, i == 0 ? 0 : i == 1 ? 65535 : uint16_t(rng()));
  specs.push_back({{"name", "half"}, {"shape", {65536}}, {"dtype", "float32"},
                   {"quantization", {{"dtype", "float16"}, {"original_dtype", "float32"}}}});
  for (uint32_t h = 0; h < 65536; ++h) append<uint16_t>(data, uint16_t(h));
  specs.push_back({{"name", "qint"}, {"shape", {256}}, {"dtype", "int32"},
                   {"quantization", {{"dtype", "uint8"}, {"scale", 0.5}, {"min", -64.5}}}});
  for (int v = 0; v < 256; ++v) data.push_back(uint8_t(v));
  specs.push_back({{"name", "plain/f"}, {"shape", {3, 2}}, {"dtype", "float32"}});
  for (int i = 0; i < 6; ++i) append<float>(data, std::uniform_real_distribution<float>(-9, 9)(rng));
  specs.push_back({{"name", "plain/i"}, {"shape", {4}}, {"dtype", "int32"}});
  for (int32_t v : {-2147483647 - 1, -1, 0, 2147483647}) append<int32_t>(data, v);
  specs.push_back({{"name", "plain/b"}, {"shape", {5}}, {"dtype", "bool"}});
  for (uint8_t v : {1, 0, 0, 1, 1}) data.push_back(v);
  specs.push_back({{"name", "plain/s"}, {"shape", {2}}, {"dtype", "string"}});
  for (std::string s : {"ab", "\xc3\xa7\xc3\xa9!"}) {
    append<uint32_t>(data, uint32_t(s.size()));
    data.insert(data.end(), s.begin(), s.end());
  }
}

std::string one_line_error(const std::string& model_json) {
  auto dir = fs::path(model_json).parent_path().string();
  auto r = test::run_cli({"export", model_json, "-o", dir + "/out.onnx"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  std::string err = r.err;
  while (!err.empty() && err.back() == '\n') err.pop_back();
  EXPECT_EQ(err.find('\n'), std::string::npos) << "one line: " << err;
  EXPECT_NE(err.find(model_json), std::string::npos) << "names the file: " << err;
  EXPECT_EQ(err.find("internal"), std::string::npos) << err;
  return err;
}

// A Sequential Dense(2) on 3 features, as tfjs-layers saves it, with its 8 weight values.
json dense_model(const json& manifest) {
  json layer = {{"class_name", "Dense"},
                {"config", {{"name", "dense"}, {"units", 2}, {"activation", "linear"}, {"use_bias", true},
                            {"batch_input_shape", {nullptr, 3}}, {"dtype", "float32"}}}};
  return {{"format", "layers-model"},
          {"modelTopology", {{"class_name", "Sequential"}, {"config", {{"name", "seq"}, {"layers", {layer}}}},
                             {"keras_version", "tfjs-layers 4.22.0"}, {"backend", "tensor_flow.js"}}},
          {"weightsManifest", manifest}};
}
json dense_manifest(const std::vector<std::string>& paths) {
  return json::array({{{"paths", paths},
                       {"weights", {{{"name", "dense/kernel"}, {"shape", {3, 2}}, {"dtype", "float32"}},
                                    {{"name", "dense/bias"}, {"shape", {2}}, {"dtype", "float32"}}}}}});
}

}  // namespace

TEST(TfjsWeights, DecodeLikeTfjsBitForBit) {
  if (std::system("node --version > /dev/null 2>&1") != 0) GTEST_SKIP() << "node not found";
  auto dir = test::scratch_dir("tfjs_weights");
  json specs;
  std::vector<uint8_t> data;
  make_weights(specs, data);
  write_text(dir + "/specs.json", specs.dump());
  write_bytes(dir + "/all.bin", data);
  auto ref = run_process({"node", test::source_dir() + "/tests/tfjs/decode_weights_ref.js", dir + "/specs.json",
                          dir + "/all.bin", dir + "/ref.json"});
  if (ref.exit_code == 77) GTEST_SKIP() << ref.err;
  ASSERT_EQ(ref.exit_code, 0) << ref.err;
  json want = json::parse(std::ifstream(dir + "/ref.json"));

  // Ours, read through a manifest whose group is split over two shards at an odd offset.
  size_t cut = 1001;
  write_bytes(dir + "/group1-shard1of2.bin", {data.begin(), data.begin() + long(cut)});
  write_bytes(dir + "/group1-shard2of2.bin", {data.begin() + long(cut), data.end()});
  json manifest = json::array({{{"paths", {"group1-shard1of2.bin", "group1-shard2of2.bin"}}, {"weights", specs}}});
  tfjs::Weights got = tfjs::read_weights(manifest, dir + "/model.json");
  ASSERT_EQ(got.list.size(), specs.size());
  for (auto& [name, t] : got.list) {
    SCOPED_TRACE(name);
    const json& w = want.at(name);
    EXPECT_EQ(t.dims, w["shape"].get<std::vector<int64_t>>());
    const json& v = w["values"];
    ASSERT_EQ(int64_t(v.size()), t.numel());
    if (t.dtype == DType::String) {
      for (size_t i = 0; i < v.size(); ++i) {
        std::string s;
        for (auto& c : v[i]) s += char(c.get<int>());
        EXPECT_EQ(t.strings[i], s);
      }
      continue;
    }
    size_t mismatches = 0;
    for (int64_t i = 0; i < t.numel(); ++i) {
      int64_t mine;
      if (t.dtype == DType::Float32) {
        uint32_t bits;
        std::memcpy(&bits, t.raw() + 4 * i, 4);
        mine = bits;
      } else {
        mine = t.as_int(i);
      }
      if (mine != v[size_t(i)].get<int64_t>() && mismatches++ < 3)
        ADD_FAILURE() << "element " << i << ": ours " << mine << ", tfjs " << v[size_t(i)];
    }
    EXPECT_EQ(mismatches, 0u);
  }
  EXPECT_TRUE(test::informative_reference(got.list[0].second));
}

TEST(TfjsWeights, MalformedModelJsonGivesOneLineErrors) {
  auto dir = test::scratch_dir("tfjs_malformed");
  std::vector<uint8_t> w;
  for (float f : {0.5f, -1.f, 2.f, 0.25f, 1.5f, -3.f, 0.1f, -0.2f}) append<float>(w, f);
  auto model = [&](const std::string& name, const std::string& text) {
    fs::create_directories(dir + "/" + name);
    write_text(dir + "/" + name + "/model.json", text);
    return dir + "/" + name + "/model.json";
  };
  // The well-formed model converts (the cases below differ from it in one thing each).
  std::string good = model("good", dense_model(dense_manifest({"w.bin"})).dump());
  write_bytes(dir + "/good/w.bin", w);
  auto ok = test::run_cli({"export", good, "-o", dir + "/good/out.onnx"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;

  EXPECT_NE(one_line_error(model("badjson", "{\"modelTopology\": {\"class_name\": ")).find("JSON"), std::string::npos);
  EXPECT_NE(one_line_error(model("missing", dense_model(dense_manifest({"nope.bin"})).dump())).find("missing"),
            std::string::npos);
  std::string m = model("short", dense_model(dense_manifest({"w.bin"})).dump());
  write_bytes(dir + "/short/w.bin", {w.begin(), w.end() - 4});
  EXPECT_NE(one_line_error(m).find("needs 8 bytes"), std::string::npos);
  m = model("long", dense_model(dense_manifest({"w.bin"})).dump());
  auto longer = w;
  longer.resize(w.size() + 4);
  write_bytes(dir + "/long/w.bin", longer);
  EXPECT_NE(one_line_error(m).find("36 bytes"), std::string::npos);

  // Hostile manifests: wrong types, negative or huge shapes, unknown dtypes and quantisations.
  std::vector<std::pair<json, std::string>> specs = {
      {{{"name", "dense/kernel"}, {"shape", {-3, 2}}, {"dtype", "float32"}}, "not a size"},
      {{{"name", "dense/kernel"}, {"shape", "3x2"}, {"dtype", "float32"}}, "shape"},
      {{{"name", "dense/kernel"}, {"shape", {3, 2}}, {"dtype", "complex64"}}, "complex64"},
      {{{"name", "dense/kernel"}, {"shape", {3, 2}}, {"dtype", "float32"}, {"quantization", {{"dtype", "int4"}}}},
       "int4"},
      {{{"name", "dense/kernel"}, {"shape", {3, 2}}, {"dtype", "float32"}, {"quantization", {{"dtype", "uint8"}}}},
       "scale"},
      {{{"name", "dense/kernel"}, {"shape", {4000000000LL, 4000000000LL}}, {"dtype", "float32"}}, "declares"},
      {{{"shape", {3, 2}}, {"dtype", "float32"}}, "name"},
  };
  for (size_t i = 0; i < specs.size(); ++i) {
    json man = dense_manifest({"../good/w.bin"});
    man[0]["weights"][0] = specs[i].first;
    std::string p = model("hostile" + std::to_string(i), dense_model(man).dump());
    EXPECT_NE(one_line_error(p).find(specs[i].second), std::string::npos) << specs[i].first.dump();
  }
  json no_topo = {{"weightsManifest", dense_manifest({"w.bin"})}};
  EXPECT_NE(one_line_error(model("weights_only", no_topo.dump())).find("modelTopology"), std::string::npos);
  json bad_graph = {{"format", "graph-model"}, {"modelTopology", {{"node", 5}}}, {"weightsManifest", json::array()}};
  EXPECT_NE(one_line_error(model("bad_graph", bad_graph.dump())).find("node"), std::string::npos);
  json bad_node = {{"format", "graph-model"},
                   {"modelTopology", {{"node", {{{"name", 7}, {"op", {"Const"}}}}}}},
                   {"weightsManifest", json::array()}};
  EXPECT_NE(one_line_error(model("bad_node", bad_node.dump())).find("GraphDef"), std::string::npos);
}

TEST(TfjsWeights, DetectedByContent) {
  auto dir = test::scratch_dir("tfjs_detect");
  write_text(dir + "/weights.dat", "  {\"format\": \"layers-model\", \"modelTopology\": {}}");
  EXPECT_EQ(detect_format(dir + "/weights.dat"), Format::Tfjs);
  write_text(dir + "/other.json", "{\"name\": \"not a model\"}");
  try {
    detect_format(dir + "/other.json");
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("TensorFlow.js"), std::string::npos) << e.what();
  }
}
