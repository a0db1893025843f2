#include "loaders/torchscript/context.h"

#include "ops/infer.h"

#include <algorithm>
#include <sstream>

namespace modelport::ts {

std::string LVal::describe() const {
  switch (kind) {
    case Kind::None: return "None";
    case Kind::Tensor: return "tensor";
    case Kind::Int: return "int " + std::to_string(i);
    case Kind::Double: return "float";
    case Kind::Bool: return b ? "True" : "False";
    case Kind::String: return "'" + s + "'";
    case Kind::Device: return "device";
    case Kind::List: return "list";
    case Kind::Tuple: return "tuple";
    case Kind::Dict: return "dict";
    case Kind::Module: return s.empty() ? "self" : "module " + s;
    case Kind::Object: return "object " + s;
  }
  return "?";
}

std::string source_location(const jit::Node* n) {
  auto sr = n->sourceRange();
  if (auto orig = sr.findSourceRangeThatGenerated()) sr = *orig;
  if (!sr.source()) return "";
  auto loc = sr.file_line_col();
  if (!loc) return "";
  auto [file, line, col] = *loc;
  (void)col;
  if (file.empty()) return "";
  auto slash = file.find_last_of("/\\");
  if (slash != std::string::npos) file = file.substr(slash + 1);
  return file + ":" + std::to_string(line);
}

DType dtype_from_torch(c10::ScalarType t) {
  switch (t) {
    case c10::ScalarType::Float: return DType::Float32;
    case c10::ScalarType::Double: return DType::Float64;
    case c10::ScalarType::Half: return DType::Float16;
    case c10::ScalarType::BFloat16: return DType::BFloat16;
    case c10::ScalarType::Char: return DType::Int8;
    case c10::ScalarType::Short: return DType::Int16;
    case c10::ScalarType::Int: return DType::Int32;
    case c10::ScalarType::Long: return DType::Int64;
    case c10::ScalarType::Byte: return DType::UInt8;
    case c10::ScalarType::Bool: return DType::Bool;
    default: return DType::Undefined;
  }
}

c10::ScalarType torch_from_dtype(DType t) {
  switch (t) {
    case DType::Float32: return c10::ScalarType::Float;
    case DType::Float64: return c10::ScalarType::Double;
    case DType::Float16: return c10::ScalarType::Half;
    case DType::BFloat16: return c10::ScalarType::BFloat16;
    case DType::Int8: return c10::ScalarType::Char;
    case DType::Int16: return c10::ScalarType::Short;
    case DType::Int32: return c10::ScalarType::Int;
    case DType::Int64: return c10::ScalarType::Long;
    case DType::UInt8: return c10::ScalarType::Byte;
    case DType::Bool: return c10::ScalarType::Bool;
    default: return c10::ScalarType::Undefined;
  }
}

void Ctx::bind(const jit::Value* tv, LVal lv) { env_[tv] = std::move(lv); }

const LVal& Ctx::get(const jit::Value* tv) const {
  for (const Ctx* c = this; c; c = c->parent_) {
    auto it = c->env_.find(tv);
    if (it != c->env_.end()) return it->second;
  }
  fail("reads value %" + tv->debugName() + ", which no lowered node produced");
}

bool Ctx::has(const jit::Value* tv) const {
  for (const Ctx* c = this; c; c = c->parent_)
    if (c->env_.count(tv)) return true;
  return false;
}

std::optional<size_t> Ctx::arg_index(const std::string& name) const {
  const auto* schema = node->maybeSchema();
  if (!schema) return std::nullopt;
  auto& args = schema->arguments();
  for (size_t i = 0; i < args.size() && i < node->inputs().size(); ++i)
    if (args[i].name() == name) return i;
  return std::nullopt;
}

bool Ctx::is_int_type(size_t i) const { return node->inputs().at(i)->type()->kind() == c10::TypeKind::IntType; }
bool Ctx::is_tensor_type(size_t i) const {
  return node->inputs().at(i)->type()->kind() == c10::TypeKind::TensorType;
}
bool Ctx::output_is_tensor(size_t i) const {
  return node->outputs().at(i)->type()->kind() == c10::TypeKind::TensorType;
}

Value* Ctx::tensor_of(const LVal& l) {
  switch (l.kind) {
    case LVal::Kind::Tensor: return l.v;
    case LVal::Kind::Int: return c_i64_scalar(l.i);
    case LVal::Kind::Double: return c_scalar(DType::Float32, l.d);
    case LVal::Kind::Bool: return g.add_constant("const", Tensor::scalar(DType::Bool, l.b));
    case LVal::Kind::List:
    case LVal::Kind::Tuple: {
      bool ints = true;
      for (auto& x : l.items) ints &= x.kind == LVal::Kind::Int || (x.is_tensor() && x.v->dtype == DType::Int64);
      if (ints) return ints_tensor(l);
      break;
    }
    default: break;
  }
  fail("expected a tensor, got " + l.describe());
}

Value* Ctx::tensor(size_t i) { return tensor_of(in(i)); }

void Ctx::warn(const std::string& text) {
  if (std::find(warnings->begin(), warnings->end(), text) == warnings->end()) warnings->push_back(text);
}

int64_t Ctx::int_arg(size_t i) const {
  const LVal& l = in(i);
  if (l.kind == LVal::Kind::Int) return l.i;
  if (l.kind == LVal::Kind::Bool) return l.b;
  fail("argument " + std::to_string(i) + " must be a constant int, got " + l.describe());
}

std::optional<int64_t> Ctx::opt_int(size_t i) const {
  if (i >= num_inputs() || in(i).is_none()) return std::nullopt;
  return int_arg(i);
}

double Ctx::double_arg(size_t i) const {
  const LVal& l = in(i);
  if (l.is_number()) return l.number();
  fail("argument " + std::to_string(i) + " must be a constant number, got " + l.describe());
}

bool Ctx::bool_arg(size_t i) const {
  const LVal& l = in(i);
  if (l.kind == LVal::Kind::Bool) return l.b;
  if (l.kind == LVal::Kind::Int) return l.i != 0;
  fail("argument " + std::to_string(i) + " must be a constant bool, got " + l.describe());
}

std::string Ctx::string_arg(size_t i) const {
  const LVal& l = in(i);
  if (l.kind == LVal::Kind::String) return l.s;
  fail("argument " + std::to_string(i) + " must be a constant string, got " + l.describe());
}

std::vector<int64_t> Ctx::ints_arg(size_t i, size_t repeat) const {
  const LVal& l = in(i);
  if (l.kind == LVal::Kind::Int && repeat) return std::vector<int64_t>(repeat, l.i);
  if (!l.is_const_int_list()) fail("argument " + std::to_string(i) + " must be a constant int list, got " + l.describe());
  std::vector<int64_t> out;
  for (auto& x : l.items) out.push_back(x.i);
  if (repeat && out.size() == 1) out.assign(repeat, out[0]);
  return out;
}

std::optional<DType> Ctx::opt_dtype_arg(size_t i) const {
  if (i >= num_inputs() || in(i).is_none()) return std::nullopt;
  auto dt = dtype_from_torch(static_cast<c10::ScalarType>(int_arg(i)));
  if (dt == DType::Undefined) fail("unsupported dtype code " + std::to_string(int_arg(i)));
  return dt;
}

void Ctx::out(LVal l, size_t i) {
  if (l.is_tensor() && l.v && !l.v->producer && !l.v->is_constant()) {
    // Graph inputs keep their own shape.
  } else if (l.is_tensor() && l.v && l.v->dtype == DType::Undefined) {
    if (auto tt = node->outputs().at(i)->type()->cast<c10::TensorType>())
      if (auto st = tt->scalarType()) l.v->dtype = dtype_from_torch(*st);
  }
  bind(node->outputs().at(i), std::move(l));
}

Node* Ctx::node_op(const std::string& type, std::vector<Value*> ins, size_t nout,
                   std::map<std::string, Attribute> attrs) {
  Node* n = g.add_node(type, std::move(ins), nout, std::move(attrs));
  n->source = where();
  ops::infer_node(*n, *shape_values_);
  return n;
}

Value* Ctx::op(const std::string& type, std::vector<Value*> ins, std::map<std::string, Attribute> attrs) {
  return node_op(type, std::move(ins), 1, std::move(attrs))->outputs[0];
}

Value* Ctx::c_i64(const std::vector<int64_t>& v) { return g.add_constant("const", Tensor::i64(v)); }
Value* Ctx::c_i64_scalar(int64_t v) { return g.add_constant("const", Tensor::i64_scalar(v)); }
Value* Ctx::c_scalar(DType dt, double v) { return g.add_constant("const", Tensor::scalar(dt, v)); }

Value* Ctx::cast(Value* v, DType to) {
  if (v->dtype == to) return v;
  if (v->is_constant() && v->constant->dtype != DType::String && to != DType::String && v->constant->numel() == 1 &&
      v->constant->dims.empty())
    return c_scalar(to, v->constant->as_double(0));
  return op("Cast", {v}, {{"to", onnx_type_code(to)}});
}

Value* Ctx::ints_tensor(const LVal& l) {
  if (l.is_tensor()) return cast(l.v, DType::Int64);
  if (!l.is_seq()) fail("expected an int list, got " + l.describe());
  std::vector<Value*> pieces;
  std::vector<int64_t> run;
  auto flush = [&] {
    if (!run.empty()) pieces.push_back(c_i64(run));
    run.clear();
  };
  for (auto& x : l.items) {
    if (x.kind == LVal::Kind::Int) {
      run.push_back(x.i);
    } else if (x.is_tensor()) {
      flush();
      Value* s = cast(x.v, DType::Int64);
      pieces.push_back(op("Unsqueeze", {s, c_i64({0})}));
    } else {
      fail("expected ints in list, got " + x.describe());
    }
  }
  flush();
  if (pieces.empty()) return c_i64({});
  if (pieces.size() == 1) return pieces[0];
  return op("Concat", pieces, {{"axis", int64_t(0)}});
}

LVal Ctx::dim_of(Value* x, int64_t d) {
  if (x->shape.rank_known) {
    d = norm_dim(d, x->shape.rank());
    const Dim& dim = x->shape.dims[d];
    if (dim.is_fixed()) return LVal::of_int(dim.value);
  }
  Value* s = op("Gather", {op("Shape", {x}), c_i64_scalar(d)}, {{"axis", int64_t(0)}});
  if (x->shape.rank_known && x->shape.dims[d].is_symbol()) scalar_dims[s] = x->shape.dims[d];
  return LVal::tensor(s);
}

std::optional<size_t> Ctx::rank(const Value* v) const {
  if (!v->shape.rank_known) return std::nullopt;
  return v->shape.rank();
}

size_t Ctx::need_rank(const Value* v, const std::string& why) const {
  if (auto r = rank(v)) return *r;
  fail("needs the rank of its input for " + why +
       "; give every model input a shape with --input NAME:DTYPE[DIM,...], e.g. --input x:float32[batch,3,224,224]");
}

int64_t Ctx::norm_dim(int64_t d, size_t rank) const {
  int64_t r = static_cast<int64_t>(rank);
  if (d < -r || d >= r) fail("dim " + std::to_string(d) + " out of range for rank " + std::to_string(rank));
  return d < 0 ? d + r : d;
}

std::string Ctx::where() const {
  if (!node) return "";
  std::string s = node->kind().toQualString();
  auto loc = source_location(node);
  return loc.empty() ? s : s + " (" + loc + ")";
}

void Ctx::fail(const std::string& cause) const { throw Error(path + ": " + where() + ": " + cause); }

}  // namespace modelport::ts
