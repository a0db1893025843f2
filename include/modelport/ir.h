// modelport graph IR: one in-memory graph that every loader produces and the emitter writes.
//
// Ops are ONNX operator names with the *newest* ONNX semantics (e.g. Squeeze/Unsqueeze/Reduce*
// take axes as an input, Clip takes min/max inputs, Split takes split sizes as an input). Only the
// emitter knows how to write an op at an older opset.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace modelport {

// ---------------------------------------------------------------- dtypes
enum class DType : uint8_t {
  Undefined,
  Float32,
  Float16,
  BFloat16,
  Float64,
  Int8,
  Int16,
  Int32,
  Int64,
  UInt8,
  Bool,
  String,
};

// Bytes per element (0 for String/Undefined).
size_t dtype_size(DType t);
// Short lowercase name used in the CLI and dumps: float32, int64, bool, ...
const char* dtype_name(DType t);
// Accepts the names above plus common aliases (float, f32, half, fp16, double, long, int, ...).
std::optional<DType> parse_dtype(std::string_view s);
bool dtype_is_float(DType t);
// The ONNX TensorProto.DataType number of `t` (0 for Undefined). IR Cast nodes carry this number
// in their "to" attribute, as ONNX does.
int64_t onnx_type_code(DType t);

// ---------------------------------------------------------------- shapes
// A dimension is a fixed integer, a named symbol (dynamic axis), or unknown.
struct Dim {
  int64_t value = -1;   // >= 0 when fixed
  std::string symbol;   // non-empty when symbolic

  static Dim fixed(int64_t v) { Dim d; d.value = v; return d; }
  static Dim sym(std::string s) { Dim d; d.symbol = std::move(s); return d; }
  static Dim unknown() { return Dim{}; }
  bool is_fixed() const { return value >= 0; }
  bool is_symbol() const { return !symbol.empty(); }
  bool operator==(const Dim& o) const { return value == o.value && symbol == o.symbol; }
  std::string str() const;  // "3", "batch" or "?"
};

struct Shape {
  bool rank_known = false;
  std::vector<Dim> dims;

  Shape() = default;  // unknown rank
  explicit Shape(std::vector<Dim> d) : rank_known(true), dims(std::move(d)) {}
  static Shape of(const std::vector<int64_t>& fixed_dims);
  size_t rank() const { return dims.size(); }
  bool all_fixed() const;
  std::optional<int64_t> numel() const;  // only when all dims fixed
  std::string str() const;                // "[batch,3,224,224]" or "[*]"
  bool operator==(const Shape& o) const { return rank_known == o.rank_known && dims == o.dims; }
};

// ---------------------------------------------------------------- buffers and tensors
// A reference-counted, immutable byte buffer. It may own its bytes or alias memory owned by
// something else (a loaded model, a memory-mapped file) that it keeps alive.
class Buffer {
 public:
  static std::shared_ptr<const Buffer> owned(std::vector<uint8_t> bytes);
  // Aliases [data, data+size) and keeps `keepalive` alive as long as the buffer lives.
  static std::shared_ptr<const Buffer> alias(const void* data, size_t size,
                                             std::shared_ptr<const void> keepalive);
  // Where a file-backed buffer's bytes lie in their file: a descriptor open for reading (owned by
  // the buffer's keepalive) and the byte offset. fd is -1 for any other buffer.
  struct FileSpan {
    int fd = -1;
    uint64_t offset = 0;
  };
  // Aliases bytes of a read-only file mapping (MAP_PRIVATE, never written; `keepalive` owns it and
  // keeps `span.fd` open). The writer copies them file to file (file_span()); stream() gives the pages
  // back to the kernel once they are written (madvise MADV_DONTNEED), so a model's weights are never
  // all resident at once; a later read faults them in again from the file.
  static std::shared_ptr<const Buffer> mapped(const void* data, size_t size,
                                              std::shared_ptr<const void> keepalive, FileSpan span);
  // Bytes made on demand, in units of `unit` bytes (size is a multiple of it): fill(first, count,
  // out) writes units [first, first + count) to out. A transposed weight is one: the writer streams
  // it block by block (stream()), so it never exists whole; data() makes it whole once, for any
  // other reader.
  using Fill = std::function<void(size_t first, size_t count, uint8_t* out)>;
  static std::shared_ptr<const Buffer> lazy(size_t size, size_t unit, Fill fill);

  const uint8_t* data() const {
    if (fill_) materialize();
    return data_;
  }
  size_t size() const { return size_; }
  bool owns_bytes() const { return !keepalive_; }
  FileSpan file_span() const { return span_; }  // fd -1 unless made by mapped()
  // Hands the bytes to `sink` in order, in pieces of about `block` bytes; a lazy buffer's are made
  // piece by piece into one reused block (even when data() has made them whole).
  void stream(size_t block, const std::function<void(const uint8_t*, size_t)>& sink) const;
  // A hint from a reader that bytes [offset, offset + n) will not be read again soon: a mapped
  // buffer gives their whole pages back to the kernel (the page cache keeps them; a later read
  // faults them in again), so a weight made from it piece by piece is never all resident. Any
  // other buffer ignores it.
  void release(size_t offset, size_t n) const;

 private:
  Buffer() = default;
  void materialize() const;
  mutable std::vector<uint8_t> owned_;
  std::shared_ptr<const void> keepalive_;
  mutable const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t unit_ = 1;
  FileSpan span_;
  Fill fill_;
  mutable std::once_flag made_;
};
using BufferPtr = std::shared_ptr<const Buffer>;

// A dense constant tensor (little-endian, row-major). Copying a Tensor shares its buffer.
struct Tensor {
  DType dtype = DType::Undefined;
  std::vector<int64_t> dims;
  BufferPtr buffer;                   // numeric data; nullptr for String tensors
  std::vector<std::string> strings;   // String tensors only

  int64_t numel() const;
  size_t nbytes() const { return buffer ? buffer->size() : 0; }
  const uint8_t* raw() const { return buffer ? buffer->data() : nullptr; }
  template <class T> const T* data() const { return reinterpret_cast<const T*>(raw()); }

  // Element i converted to double / int64 (numeric dtypes only).
  double as_double(int64_t i) const;
  int64_t as_int(int64_t i) const;
  std::vector<int64_t> to_int_vector() const;

  template <class T>
  static Tensor from_vector(DType dt, const std::vector<T>& v, std::vector<int64_t> dims) {
    std::vector<uint8_t> bytes(v.size() * sizeof(T));
    if (!v.empty()) std::memcpy(bytes.data(), v.data(), bytes.size());
    Tensor t;
    t.dtype = dt;
    t.dims = std::move(dims);
    t.buffer = Buffer::owned(std::move(bytes));
    return t;
  }
  static Tensor i64(const std::vector<int64_t>& v) { return from_vector(DType::Int64, v, {(int64_t)v.size()}); }
  static Tensor i64_scalar(int64_t v) { return from_vector<int64_t>(DType::Int64, {v}, {}); }
  static Tensor f32(const std::vector<float>& v) { return from_vector(DType::Float32, v, {(int64_t)v.size()}); }
  static Tensor f32_scalar(float v) { return from_vector<float>(DType::Float32, {v}, {}); }
  // A scalar of dtype `dt` holding `v` (numeric dtypes).
  static Tensor scalar(DType dt, double v);
};

// A tensor with a name: model inputs and outputs at run time.
struct NamedTensor {
  std::string name;
  Tensor tensor;
};

// ---------------------------------------------------------------- attributes
class Graph;
using GraphPtr = std::shared_ptr<Graph>;
using Attribute = std::variant<int64_t, float, std::string, std::vector<int64_t>, std::vector<float>,
                               std::vector<std::string>, Tensor, GraphPtr>;

// ---------------------------------------------------------------- values and nodes
struct Node;
class ValueList;

struct Value {
  std::string name;
  DType dtype = DType::Undefined;
  Shape shape;                            // may be unknown
  Node* producer = nullptr;               // nullptr for graph inputs and constants
  std::shared_ptr<const Tensor> constant; // set for constants (ONNX initializers)

  bool is_constant() const { return constant != nullptr; }
  // Every list holding this value: one entry per node input slot (in any graph, subgraphs included)
  // and per graph output slot. Kept by ValueList; read-only here.
  const std::vector<ValueList*>& uses() const { return uses_; }

 private:
  friend class ValueList;
  std::vector<ValueList*> uses_;
};

// A list of values that registers itself as a use of each: a node's inputs or a graph's outputs.
// Reads look like a const std::vector<Value*>; writes go through the members below, so every value
// always knows its uses (Value::uses) and use counts and use rewrites cost O(uses).
class ValueList {
 public:
  using const_iterator = std::vector<Value*>::const_iterator;
  explicit ValueList(Node* owner) : node_(owner) {}
  explicit ValueList(Graph* owner) : graph_(owner) {}
  ValueList(const ValueList&) = delete;
  ValueList& operator=(const ValueList&) = delete;
  ~ValueList() { clear(); }

  ValueList& operator=(std::vector<Value*> vs) {
    assign(std::move(vs));
    return *this;
  }
  operator const std::vector<Value*>&() const { return v_; }
  const std::vector<Value*>& vec() const { return v_; }
  const_iterator begin() const { return v_.begin(); }
  const_iterator end() const { return v_.end(); }
  size_t size() const { return v_.size(); }
  bool empty() const { return v_.empty(); }
  Value* operator[](size_t i) const { return v_[i]; }
  Value* at(size_t i) const { return v_.at(i); }
  Value* front() const { return v_.front(); }
  Value* back() const { return v_.back(); }

  void set(size_t i, Value* v);
  void push_back(Value* v);
  void resize(size_t n);
  void clear() { resize(0); }
  void assign(std::vector<Value*> vs);
  // Replaces every slot holding `from` by `to`.
  void replace(const Value* from, Value* to);

  Node* node() const { return node_; }     // the node whose inputs these are, or nullptr
  Graph* graph() const { return graph_; }  // the graph whose outputs these are, or nullptr

 private:
  void add_use(Value* v);
  void drop_use(Value* v);
  Node* node_ = nullptr;
  Graph* graph_ = nullptr;
  std::vector<Value*> v_;
};

struct Node {
  Node() : inputs(this) {}
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  std::string op;       // ONNX op type, newest semantics
  std::string domain;   // "" = ai.onnx
  std::string name;     // unique node name
  ValueList inputs;     // nullptr = omitted optional input
  std::vector<Value*> outputs;
  std::map<std::string, Attribute> attrs;
  std::string source;   // where it came from in the source model (for errors and warnings)

  bool has_attr(const std::string& k) const { return attrs.count(k) != 0; }
  int64_t attr_int(const std::string& k, int64_t def) const;
  float attr_float(const std::string& k, float def) const;
  std::string attr_string(const std::string& k, const std::string& def) const;
  std::vector<int64_t> attr_ints(const std::string& k, const std::vector<int64_t>& def = {}) const;
  Value* input(size_t i) const { return i < inputs.size() ? inputs[i] : nullptr; }
};

// A graph of ordered nodes (topological order is maintained by construction: a node may only
// use values created before it). Owns its values and nodes. Subgraphs (If/Loop bodies) may refer
// to values of their enclosing graphs by pointer.
class Graph {
 public:
  explicit Graph(std::string name = "main", Graph* parent = nullptr);
  ~Graph();
  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;

  std::string name;
  Graph* parent() const { return parent_; }

  // Inputs/outputs in signature order. Outputs count as uses of their values.
  std::vector<Value*> inputs;
  ValueList outputs{this};

  Value* add_input(const std::string& name, DType dt, Shape shape);
  // A named constant (an ONNX initializer). The name is made unique.
  Value* add_constant(const std::string& name_hint, Tensor t);
  // Appends a node; creates `num_outputs` fresh output values named from `name_hint`.
  Node* add_node(const std::string& op, std::vector<Value*> inputs, size_t num_outputs = 1,
                 std::map<std::string, Attribute> attrs = {}, const std::string& name_hint = "");
  // Convenience: add a single-output node and return its output.
  Value* op(const std::string& op, std::vector<Value*> inputs, std::map<std::string, Attribute> attrs = {},
            const std::string& name_hint = "");

  const std::vector<std::unique_ptr<Node>>& nodes() const { return nodes_; }
  std::vector<Value*> constants() const;  // in creation order, only those still owned
  const std::vector<std::unique_ptr<Value>>& values() const { return values_; }

  // A name not used yet in this graph or its parents, derived from `hint`.
  std::string unique_name(const std::string& hint);
  // Renames a value (keeps uniqueness; returns false if the name is taken).
  bool rename(Value* v, const std::string& new_name);

  // Appends `v` to `outputs` under `name` and returns the output value. Outputs may alias: one that
  // is a constant, an outer-scope value, already an output, or a graph input under another name gets
  // its own Identity node. An intermediate value or node holding `name` is renamed out of the way; when
  // a graph input (or an earlier output) holds it, the output gets a unique variant of `name` (check
  // the returned value's name).
  Value* add_output(Value* v, const std::string& name);

  // Redirects every use of `from` (node inputs and graph outputs, in this graph, its subgraphs or,
  // for a value of an enclosing graph, anywhere) to `to`. O(uses of `from`).
  void replace_all_uses(Value* from, Value* to);
  // Number of node input slots (subgraphs included) and graph output slots reading `v`. O(1).
  size_t use_count(const Value* v) const { return v->uses().size(); }
  // Whether `v` is one of this graph's outputs. O(uses of `v`).
  bool is_output(const Value* v) const;
  // Removes nodes whose outputs are unused and constants nobody reads, in this graph and its
  // subgraphs. Linear in the graph's size. Returns nodes and constants removed.
  size_t remove_dead();
  // Removes the given nodes (their outputs must be unused once they are all gone).
  void erase_nodes(const std::vector<const Node*>& dead);

  // Moves the nodes and values of `sub` (a subgraph of `at`, which is a node of this graph, e.g. the
  // branch an If takes) into this graph just before `at`, and redirects uses of `at`'s outputs to
  // `sub`'s outputs. `at` is left dead. Returns false (changing nothing) when one of `at`'s outputs
  // is an output of this graph or the output counts differ.
  bool inline_subgraph(const Node* at, Graph& sub);

  // Readable text dump.
  std::string dump() const;

 private:
  Value* new_value(const std::string& hint);
  void collect_names(std::vector<std::string>& out) const;

  Graph* parent_;
  std::vector<std::unique_ptr<Value>> values_;
  std::vector<std::unique_ptr<Node>> nodes_;
  std::map<std::string, int> name_counts_;
  std::map<std::string, bool> used_names_;
};

// Visits every subgraph attribute of every node (not recursive).
void for_each_subgraph(const Graph& g, const std::function<void(Graph&)>& fn);
// Visits every subgraph attribute of one node (not recursive).
void for_each_subgraph_of(const Node& n, const std::function<void(Graph&)>& fn);

// ---------------------------------------------------------------- model
// State a model carries between calls (a TorchScript attribute its forward() assigns): the graph
// input `input` takes it, the graph output `output` gives its next value; `initial` is its value
// at export (what the first call takes).
struct StateTensor {
  std::string source;  // where it lives in the source ("h", "inner.c")
  std::string input, output;
  Tensor initial;
};

struct Model {
  Model() : graph(std::make_shared<Graph>("main")) {}
  GraphPtr graph;
  std::string source_path;
  std::string source_format;       // "torchscript", "savedmodel", "graphdef", "keras_h5", "keras_v3"
  std::string producer_name;       // framework that wrote the source, e.g. "pytorch"
  std::string producer_version;    // as recorded in the source file, may be empty
  std::string description;         // short description of the source
  std::map<std::string, std::string> metadata;  // copied into ONNX metadata_props
  std::vector<std::string> warnings;             // collected during loading/passes
  // Source-side signature names (in order) when they differ from the ONNX names.
  std::vector<std::string> source_input_names, source_output_names;
  std::vector<StateTensor> state;  // also recorded in metadata kStateMetadataKey (verify reads it)
};

// ONNX metadata_props key listing the state pairs: "source:input:output" entries joined by ';'.
constexpr const char* kStateMetadataKey = "modelport.state";

}  // namespace modelport
