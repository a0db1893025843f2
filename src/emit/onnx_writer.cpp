// Streaming the model file in protobuf wire format, so large weights are never copied into a
// ModelProto.
//
// A length-delimited field is: tag varint ((field_number << 3) | 2), length varint, payload.
// Protobuf parsers accept fields in any order and merge a message field that appears once, so
//   [ModelProto without graph] [tag 7][len][GraphProto without big initializers]
//                                          [tag 5][len][TensorProto header][tag 9][len][bytes] ...
// parses as an ordinary ModelProto whose graph has the big initializers with raw_data.
#include "emit/onnx_writer.h"

#include <memory>

#include "util/output_transaction.h"

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

// A tensor's bytes straight from its IR buffer: copied file to file when they lie unchanged in a
// source file (a mapped TensorBundle shard or HDF5 dataset); a lazy one (a transposed weight) is made
// 4 MiB at a time as it is written, never whole.
void write_bytes(OutputFile& f, const Tensor& t) {
  if (!t.buffer) return;
  if (auto span = t.buffer->file_span(); span.fd >= 0) return f.copy_file(span.fd, span.offset, t.buffer->size());
  t.buffer->stream(size_t(4) << 20, [&f](const uint8_t* p, size_t n) { f.write(p, n); });
}

std::string dir_of(const std::string& p) {
  auto slash = p.find_last_of('/');
  return slash == std::string::npos ? "" : p.substr(0, slash + 1);
}
std::string base_of(const std::string& p) {
  auto slash = p.find_last_of('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

std::vector<std::string> write_inline(onnx::ModelProto& model, const std::vector<BigInitializer>& big,
                                      const std::string& out_path, OutputTransaction& tx) {
  // The graph is detached while the rest of the model is serialized, then put back.
  std::unique_ptr<onnx::GraphProto> graph(model.release_graph());
  std::string head, graph_bytes;
  bool ok = model.SerializeToString(&head) && (!graph || graph->SerializeToString(&graph_bytes));
  model.set_allocated_graph(graph.release());
  if (!ok) throw Error(out_path + ": cannot serialize the ONNX model");

  uint64_t graph_len = graph_bytes.size();
  for (auto& b : big) graph_len += field_size(onnx::GraphProto::kInitializerFieldNumber, tensor_size(b));

  uint64_t expect = head.size() + field_size(onnx::ModelProto::kGraphFieldNumber, graph_len);
  tx.expect_bytes(expect);
  OutputFile& f = tx.create(out_path);
  f.write(head);
  f.write(varint(len_tag(onnx::ModelProto::kGraphFieldNumber)) + varint(graph_len));
  f.write(graph_bytes);
  for (auto& b : big) {
    f.write(varint(len_tag(onnx::GraphProto::kInitializerFieldNumber)) + varint(tensor_size(b)));
    f.write(b.header.SerializeAsString());
    f.write(varint(len_tag(onnx::TensorProto::kRawDataFieldNumber)) + varint(b.tensor->nbytes()));
    write_bytes(f, *b.tensor);
  }
  if (f.pos() != expect) throw Error(out_path + ": wrote " + std::to_string(f.pos()) + " bytes, but the model's size is " +
                                     std::to_string(expect) + " bytes");
  return {out_path};
}

std::vector<std::string> write_external(onnx::ModelProto& model, const std::vector<BigInitializer>& big,
                                        const std::string& out_path, OutputTransaction& tx) {
  // Locations are relative to the model's directory, as the ONNX external data spec requires.
  const std::string data_name = base_of(out_path) + ".data";
  const std::string data_path = dir_of(out_path) + data_name;
  for (auto& b : big) tx.expect_bytes(b.tensor->nbytes());
  // Created first, so committed first: a model file never points at data that is not there yet.
  OutputFile& data = tx.create(data_path);
  for (auto& b : big) {
    uint64_t offset = (data.pos() + kExternalAlignment - 1) / kExternalAlignment * kExternalAlignment;
    data.zeros(offset - data.pos());
    write_bytes(data, *b.tensor);
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

  OutputFile& m = tx.create(out_path);
  std::string bytes;
  if (!model.SerializeToString(&bytes)) throw Error(out_path + ": cannot serialize the ONNX model");
  m.write(bytes);
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
                                     const std::string& out_path, bool external, OutputTransaction& tx) {
  return external ? write_external(model, big, out_path, tx) : write_inline(model, big, out_path, tx);
}

}  // namespace modelport::emit
