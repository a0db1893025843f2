// Streaming the model file in protobuf wire format, so large weights are never copied into a
// ModelProto.
//
// A length-delimited field is: tag varint ((field_number << 3) | 2), length varint, payload.
// Protobuf parsers accept fields in any order and merge a message field that appears once, so
//   [ModelProto without graph] [tag 7][len][GraphProto without big initializers]
//                                          [tag 5][len][TensorProto header][tag 9][len][bytes] ...
// parses as an ordinary ModelProto whose graph has the big initializers with raw_data.
#include "emit/onnx_writer.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace modelport::emit {
namespace {

constexpr uint32_t kWireLen = 2;  // wire type of length-delimited fields

uint64_t varint_size(uint64_t v) {
  uint64_t n = 1;
  while (v >= 0x80) v >>= 7, ++n;
  return n;
}
std::string varint(uint64_t v) {
  std::string s;
  while (v >= 0x80) s.push_back(static_cast<char>((v & 0x7f) | 0x80)), v >>= 7;
  s.push_back(static_cast<char>(v));
  return s;
}
uint64_t len_tag(int field) { return (static_cast<uint64_t>(field) << 3) | kWireLen; }
// Bytes of a whole length-delimited field holding `payload` bytes.
uint64_t field_size(int field, uint64_t payload) {
  return varint_size(len_tag(field)) + varint_size(payload) + payload;
}
// Bytes of the TensorProto of one big initializer: header fields + raw_data.
uint64_t tensor_size(const BigInitializer& b) {
  return b.header.ByteSizeLong() + field_size(onnx::TensorProto::kRawDataFieldNumber, b.tensor->nbytes());
}

// A file written under a temporary name; removed unless committed.
class TempFile {
 public:
  explicit TempFile(std::string final_path)
      : final_(std::move(final_path)), tmp_(final_ + ".tmp-" + std::to_string(::getpid())) {
    f_ = std::fopen(tmp_.c_str(), "wb");
    if (!f_) throw Error(final_ + ": cannot create file: " + std::strerror(errno));
    std::setvbuf(f_, nullptr, _IOFBF, 1 << 20);
  }
  ~TempFile() {
    if (f_) std::fclose(f_);
    if (!committed_) std::remove(tmp_.c_str());
  }
  void write(const void* p, size_t n) {
    if (n && std::fwrite(p, 1, n, f_) != n) throw Error(final_ + ": write failed: " + std::strerror(errno));
  }
  void write(const std::string& s) { write(s.data(), s.size()); }
  void zeros(uint64_t n) {
    static const char z[4096] = {};
    for (; n; n -= std::min<uint64_t>(n, sizeof z)) write(z, std::min<uint64_t>(n, sizeof z));
  }
  uint64_t pos() const { return static_cast<uint64_t>(std::ftell(f_)); }
  void close() {
    int rc = std::fclose(f_);
    f_ = nullptr;
    if (rc != 0) throw Error(final_ + ": write failed: " + std::strerror(errno));
  }
  void commit() {
    if (std::rename(tmp_.c_str(), final_.c_str()) != 0)
      throw Error(final_ + ": cannot rename temporary file: " + std::strerror(errno));
    committed_ = true;
  }
  const std::string& path() const { return final_; }

 private:
  std::string final_, tmp_;
  std::FILE* f_ = nullptr;
  bool committed_ = false;
};

std::string dir_of(const std::string& p) {
  auto slash = p.find_last_of('/');
  return slash == std::string::npos ? "" : p.substr(0, slash + 1);
}
std::string base_of(const std::string& p) {
  auto slash = p.find_last_of('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

std::vector<std::string> write_inline(onnx::ModelProto& model, const std::vector<BigInitializer>& big,
                                      const std::string& out_path) {
  // The graph is detached while the rest of the model is serialized, then put back.
  std::unique_ptr<onnx::GraphProto> graph(model.release_graph());
  std::string head, graph_bytes;
  bool ok = model.SerializeToString(&head) && (!graph || graph->SerializeToString(&graph_bytes));
  model.set_allocated_graph(graph.release());
  if (!ok) throw Error(out_path + ": cannot serialize the ONNX model");

  uint64_t graph_len = graph_bytes.size();
  for (auto& b : big) graph_len += field_size(onnx::GraphProto::kInitializerFieldNumber, tensor_size(b));

  TempFile f(out_path);
  f.write(head);
  f.write(varint(len_tag(onnx::ModelProto::kGraphFieldNumber)) + varint(graph_len));
  f.write(graph_bytes);
  for (auto& b : big) {
    f.write(varint(len_tag(onnx::GraphProto::kInitializerFieldNumber)) + varint(tensor_size(b)));
    f.write(b.header.SerializeAsString());
    f.write(varint(len_tag(onnx::TensorProto::kRawDataFieldNumber)) + varint(b.tensor->nbytes()));
    f.write(b.tensor->raw(), b.tensor->nbytes());  // straight from the IR buffer
  }
  uint64_t expect = head.size() + field_size(onnx::ModelProto::kGraphFieldNumber, graph_len);
  if (f.pos() != expect) throw Error(out_path + ": internal error: wrote " + std::to_string(f.pos()) +
                                     " bytes, expected " + std::to_string(expect));
  f.close();
  f.commit();
  return {out_path};
}

std::vector<std::string> write_external(onnx::ModelProto& model, const std::vector<BigInitializer>& big,
                                        const std::string& out_path) {
  // Locations are relative to the model's directory, as the ONNX external data spec requires.
  const std::string data_name = base_of(out_path) + ".data";
  const std::string data_path = dir_of(out_path) + data_name;
  TempFile data(data_path);
  for (auto& b : big) {
    uint64_t offset = (data.pos() + kExternalAlignment - 1) / kExternalAlignment * kExternalAlignment;
    data.zeros(offset - data.pos());
    data.write(b.tensor->raw(), b.tensor->nbytes());
    onnx::TensorProto* t = model.mutable_graph()->add_initializer();
    *t = b.header;
    t->set_data_location(onnx::TensorProto::EXTERNAL);
    auto kv = [t](const char* k, const std::string& v) {
      auto* e = t->add_external_data();
      e->set_key(k);
      e->set_value(v);
    };
    kv("location", data_name);
    kv("offset", std::to_string(offset));
    kv("length", std::to_string(b.tensor->nbytes()));
  }
  data.close();

  TempFile m(out_path);
  std::string bytes;
  if (!model.SerializeToString(&bytes)) throw Error(out_path + ": cannot serialize the ONNX model");
  m.write(bytes);
  m.close();
  // Data first, model last: a model file never points at data that is not there yet.
  data.commit();
  m.commit();
  return {out_path, data_path};
}

}  // namespace

uint64_t inline_model_size(const onnx::ModelProto& model, const std::vector<BigInitializer>& big) {
  uint64_t graph_len = model.graph().ByteSizeLong();
  for (auto& b : big) graph_len += field_size(onnx::GraphProto::kInitializerFieldNumber, tensor_size(b));
  uint64_t rest = model.ByteSizeLong() - (model.has_graph() ? field_size(onnx::ModelProto::kGraphFieldNumber,
                                                                         model.graph().ByteSizeLong())
                                                            : 0);
  return rest + field_size(onnx::ModelProto::kGraphFieldNumber, graph_len);
}

std::vector<std::string> write_model(onnx::ModelProto& model, const std::vector<BigInitializer>& big,
                                     const std::string& out_path, bool external) {
  return external ? write_external(model, big, out_path) : write_inline(model, big, out_path);
}

}  // namespace modelport::emit
