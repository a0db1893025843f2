#include "passes/const_eval.h"

#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <map>

#include "modelport/tensor_ops.h"

namespace modelport {
namespace {

// Arithmetic results larger than this are left to the runtime (the model file would grow).
constexpr int64_t kMaxFoldElements = 1 << 16;

using Num = long double;  // exact for every int64 and every float32/float64 value

struct Arr {
  DType dt = DType::Undefined;
  std::vector<int64_t> dims;
  std::vector<Num> v;
};

int64_t count(const std::vector<int64_t>& dims) {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

bool numeric(DType t) { return t != DType::String && t != DType::Undefined; }
bool is_int(DType t) { return numeric(t) && !dtype_is_float(t) && t != DType::Bool; }

Arr load(const Tensor& t) {
  Arr a{t.dtype, t.dims, {}};
  int64_t n = t.numel();
  a.v.resize(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i)
    a.v[i] = t.dtype == DType::Int64 ? static_cast<Num>(t.as_int(i)) : static_cast<Num>(t.as_double(i));
  return a;
}

template <class T>
void put(std::vector<uint8_t>& bytes, size_t i, T x) { std::memcpy(bytes.data() + i * sizeof(T), &x, sizeof(T)); }

// The tensor of `a` in dtype `a.dt`; nullopt when an integer result does not fit its type.
std::optional<Tensor> store(const Arr& a) {
  size_t n = a.v.size(), es = dtype_size(a.dt);
  std::vector<uint8_t> bytes(n * es);
  for (size_t i = 0; i < n; ++i) {
    Num x = a.v[i];
    if (is_int(a.dt)) {
      if (!std::isfinite(x) || x < -9223372036854775808.0L || x > 9223372036854775807.0L) return std::nullopt;
      int64_t k = static_cast<int64_t>(x);
      switch (a.dt) {
        case DType::Int64: put<int64_t>(bytes, i, k); break;
        case DType::Int32: put<int32_t>(bytes, i, static_cast<int32_t>(k)); break;
        case DType::Int16: put<int16_t>(bytes, i, static_cast<int16_t>(k)); break;
        case DType::Int8: put<int8_t>(bytes, i, static_cast<int8_t>(k)); break;
        case DType::UInt8: put<uint8_t>(bytes, i, static_cast<uint8_t>(k)); break;
        default: return std::nullopt;
      }
    } else if (a.dt == DType::Bool) {
      put<uint8_t>(bytes, i, x != 0);
    } else if (a.dt == DType::Float32) {
      put<float>(bytes, i, static_cast<float>(x));
    } else if (a.dt == DType::Float64) {
      put<double>(bytes, i, static_cast<double>(x));
    } else {  // float16 / bfloat16: Tensor::scalar knows their encodings
      Tensor s = Tensor::scalar(a.dt, static_cast<double>(x));
      std::memcpy(bytes.data() + i * es, s.raw(), es);
    }
  }
  Tensor t;
  t.dtype = a.dt;
  t.dims = a.dims;
  t.buffer = Buffer::owned(std::move(bytes));
  return t;
}

// Same bytes, new dims (Reshape, Squeeze, Unsqueeze, Flatten, Identity).
Tensor with_dims(const Tensor& t, std::vector<int64_t> dims) {
  Tensor out = t;
  out.dims = std::move(dims);
  return out;
}

int64_t norm_axis(int64_t axis, size_t rank) { return axis < 0 ? axis + static_cast<int64_t>(rank) : axis; }

// Numpy broadcasting of several arrays through `fn` (one value per input), output dtype `dt`.
std::optional<Arr> broadcast(const std::vector<const Arr*>& in, DType dt,
                             const std::function<Num(const std::vector<Num>&)>& fn) {
  size_t rank = 0;
  for (auto* a : in) rank = std::max(rank, a->dims.size());
  std::vector<int64_t> out_dims(rank, 1);
  for (auto* a : in)
    for (size_t i = 0; i < a->dims.size(); ++i) {
      int64_t& o = out_dims[rank - a->dims.size() + i];
      int64_t d = a->dims[i];
      if (d == o || d == 1) continue;
      if (o != 1) return std::nullopt;
      o = d;
    }
  int64_t n = count(out_dims);
  if (n > kMaxFoldElements) return std::nullopt;
  std::vector<std::vector<int64_t>> in_strides;  // per output axis, 0 where broadcast
  for (auto* a : in) {
    std::vector<int64_t> s(rank, 0), own = row_major_strides(a->dims);
    for (size_t i = 0; i < a->dims.size(); ++i)
      if (a->dims[i] != 1) s[rank - a->dims.size() + i] = own[i];
    in_strides.push_back(std::move(s));
  }
  Arr out{dt, out_dims, std::vector<Num>(static_cast<size_t>(n))};
  std::vector<int64_t> idx(rank, 0);
  std::vector<Num> args(in.size());
  for (int64_t k = 0; k < n; ++k) {
    for (size_t j = 0; j < in.size(); ++j) {
      int64_t off = 0;
      for (size_t i = 0; i < rank; ++i) off += idx[i] * in_strides[j][i];
      args[j] = in[j]->v[off];
    }
    out.v[k] = fn(args);
    advance_index(idx, out_dims);
  }
  return out;
}

Num int_div(Num a, Num b) { return b == 0 ? NAN : std::trunc(a / b); }
Num py_mod(Num a, Num b) {
  if (b == 0) return NAN;
  Num r = std::fmod(a, b);
  return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
}

using Fn1 = Num (*)(Num);
const std::map<std::string, Fn1>& unary_ops() {
  static const std::map<std::string, Fn1> m = {
      {"Neg", [](Num x) { return -x; }},
      {"Abs", [](Num x) { return std::fabs(x); }},
      {"Not", [](Num x) -> Num { return x == 0; }},
      {"Floor", [](Num x) { return std::floor(x); }},
      {"Ceil", [](Num x) { return std::ceil(x); }},
      {"Sqrt", [](Num x) { return std::sqrt(x); }},
      {"Reciprocal", [](Num x) { return 1 / x; }},
      {"Exp", [](Num x) { return std::exp(x); }},
      {"Log", [](Num x) { return std::log(x); }},
      {"Relu", [](Num x) { return x > 0 ? x : 0; }},
      {"Sign", [](Num x) -> Num { return (x > 0) - (x < 0); }},
  };
  return m;
}

using Fn2 = Num (*)(Num, Num);
const std::map<std::string, Fn2>& compare_ops() {
  static const std::map<std::string, Fn2> m = {
      {"Equal", [](Num a, Num b) -> Num { return a == b; }},
      {"Less", [](Num a, Num b) -> Num { return a < b; }},
      {"Greater", [](Num a, Num b) -> Num { return a > b; }},
      {"LessOrEqual", [](Num a, Num b) -> Num { return a <= b; }},
      {"GreaterOrEqual", [](Num a, Num b) -> Num { return a >= b; }},
      {"And", [](Num a, Num b) -> Num { return a != 0 && b != 0; }},
      {"Or", [](Num a, Num b) -> Num { return a != 0 || b != 0; }},
      {"Xor", [](Num a, Num b) -> Num { return (a != 0) != (b != 0); }},
  };
  return m;
}

std::optional<Fn2> arith_op(const Node& n, DType dt) {
  const std::string& op = n.op;
  bool integer = is_int(dt);
  if (op == "Add") return [](Num a, Num b) { return a + b; };
  if (op == "Sub") return [](Num a, Num b) { return a - b; };
  if (op == "Mul") return [](Num a, Num b) { return a * b; };
  if (op == "Div") return integer ? Fn2(int_div) : Fn2([](Num a, Num b) { return a / b; });
  if (op == "Pow") return [](Num a, Num b) { return std::pow(a, b); };
  if (op == "Min") return [](Num a, Num b) { return std::min(a, b); };
  if (op == "Max") return [](Num a, Num b) { return std::max(a, b); };
  if (op == "Mod") {
    if (n.attr_int("fmod", 0) == 0 && integer) return Fn2(py_mod);
    return [](Num a, Num b) { return std::fmod(a, b); };
  }
  return std::nullopt;
}

// Float results are rounded to the output dtype's precision, as the runtime computes them.
Num round_to(DType dt, Num x) {
  if (dt == DType::Float32) return static_cast<float>(x);
  if (dt == DType::Float64) return static_cast<double>(x);
  return x;
}

std::optional<DType> dtype_of_code(int64_t code) {
  for (DType t : {DType::Float32, DType::UInt8, DType::Int8, DType::Int16, DType::Int32, DType::Int64, DType::Bool,
                  DType::Float16, DType::Float64, DType::BFloat16})
    if (onnx_type_code(t) == code) return t;
  return std::nullopt;
}

std::optional<Tensor> gather(const Tensor& data, const Tensor& indices, int64_t axis) {
  axis = norm_axis(axis, data.dims.size());
  if (axis < 0 || axis >= static_cast<int64_t>(data.dims.size())) return std::nullopt;
  std::vector<int64_t> idx = indices.to_int_vector();
  int64_t outer = count({data.dims.begin(), data.dims.begin() + axis});
  int64_t inner = count({data.dims.begin() + axis + 1, data.dims.end()});
  int64_t dim = data.dims[axis];
  std::vector<int64_t> out_dims(data.dims.begin(), data.dims.begin() + axis);
  out_dims.insert(out_dims.end(), indices.dims.begin(), indices.dims.end());
  out_dims.insert(out_dims.end(), data.dims.begin() + axis + 1, data.dims.end());
  if (count(out_dims) > kMaxFoldElements) return std::nullopt;
  size_t es = dtype_size(data.dtype);
  std::vector<uint8_t> bytes;
  bytes.reserve(count(out_dims) * es);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i : idx) {
      if (i < 0) i += dim;
      if (i < 0 || i >= dim) return std::nullopt;
      const uint8_t* p = data.raw() + ((o * dim + i) * inner) * es;
      bytes.insert(bytes.end(), p, p + inner * es);
    }
  Tensor t;
  t.dtype = data.dtype;
  t.dims = out_dims;
  t.buffer = Buffer::owned(std::move(bytes));
  return t;
}

std::optional<Tensor> concat(const std::vector<const Tensor*>& in, int64_t axis) {
  const Tensor& first = *in[0];
  axis = norm_axis(axis, first.dims.size());
  if (axis < 0 || axis >= static_cast<int64_t>(first.dims.size())) return std::nullopt;
  std::vector<int64_t> out_dims = first.dims;
  out_dims[axis] = 0;
  for (auto* t : in) {
    if (t->dtype != first.dtype || t->dims.size() != first.dims.size()) return std::nullopt;
    out_dims[axis] += t->dims[axis];
  }
  if (count(out_dims) > kMaxFoldElements) return std::nullopt;
  int64_t outer = count({first.dims.begin(), first.dims.begin() + axis});
  size_t es = dtype_size(first.dtype);
  std::vector<uint8_t> bytes;
  for (int64_t o = 0; o < outer; ++o)
    for (auto* t : in) {
      int64_t chunk = count({t->dims.begin() + axis, t->dims.end()}) * es;
      bytes.insert(bytes.end(), t->raw() + o * chunk, t->raw() + (o + 1) * chunk);
    }
  Tensor t;
  t.dtype = first.dtype;
  t.dims = out_dims;
  t.buffer = Buffer::owned(std::move(bytes));
  return t;
}

std::optional<Tensor> slice(const std::vector<const Tensor*>& in) {
  const Tensor& data = *in[0];
  size_t rank = data.dims.size();
  std::vector<int64_t> starts = in[1]->to_int_vector(), ends = in[2]->to_int_vector();
  std::vector<int64_t> axes, steps;
  if (in.size() > 3 && in[3]) axes = in[3]->to_int_vector();
  else for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
  if (in.size() > 4 && in[4]) steps = in[4]->to_int_vector();
  else steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size()) return std::nullopt;
  std::vector<int64_t> start(rank, 0), step(rank, 1), out_dims = data.dims;
  for (size_t k = 0; k < axes.size(); ++k) {
    int64_t ax = norm_axis(axes[k], rank);
    if (ax < 0 || ax >= static_cast<int64_t>(rank) || steps[k] == 0) return std::nullopt;
    int64_t d = data.dims[ax], s = starts[k], e = ends[k], st = steps[k];
    if (s < 0) s += d;
    if (e < 0) e += d;
    if (st > 0) {
      s = std::clamp<int64_t>(s, 0, d);
      e = std::clamp<int64_t>(e, 0, d);
      out_dims[ax] = e > s ? (e - s + st - 1) / st : 0;
    } else {
      s = std::clamp<int64_t>(s, 0, d - 1);
      e = std::clamp<int64_t>(e, -1, d - 1);
      out_dims[ax] = s > e ? (s - e - st - 1) / -st : 0;
    }
    start[ax] = s;
    step[ax] = st;
  }
  int64_t total = count(out_dims);
  if (total > kMaxFoldElements) return std::nullopt;
  size_t es = dtype_size(data.dtype);
  std::vector<int64_t> in_strides = row_major_strides(data.dims), idx(rank, 0);
  std::vector<uint8_t> bytes(total * es);
  for (int64_t k = 0; k < total; ++k) {
    int64_t off = 0;
    for (size_t i = 0; i < rank; ++i) off += (start[i] + idx[i] * step[i]) * in_strides[i];
    std::memcpy(bytes.data() + k * es, data.raw() + off * es, es);
    advance_index(idx, out_dims);
  }
  Tensor t;
  t.dtype = data.dtype;
  t.dims = out_dims;
  t.buffer = Buffer::owned(std::move(bytes));
  return t;
}

std::optional<std::vector<int64_t>> reshape_dims(const std::vector<int64_t>& in_dims, std::vector<int64_t> target,
                                                 bool allowzero) {
  int64_t known = 1, infer = -1;
  for (size_t i = 0; i < target.size(); ++i) {
    if (target[i] == 0 && !allowzero) {
      if (i >= in_dims.size()) return std::nullopt;
      target[i] = in_dims[i];
    }
    if (target[i] == -1) {
      if (infer >= 0) return std::nullopt;
      infer = static_cast<int64_t>(i);
    } else {
      known *= target[i];
    }
  }
  int64_t total = count(in_dims);
  if (infer >= 0) {
    if (known == 0 || total % known) return std::nullopt;
    target[infer] = total / known;
  }
  if (count(target) != total) return std::nullopt;
  return target;
}

// ReduceSum/Prod/Min/Max/Mean with axes as an input (keepdims, noop_with_empty_axes as in ONNX).
std::optional<Tensor> reduce(const Node& n, const Tensor& x, const Tensor* axes_t) {
  static const std::map<std::string, std::pair<Num, Fn2>> ops = {
      {"ReduceSum", {0, [](Num a, Num b) { return a + b; }}},
      {"ReduceMean", {0, [](Num a, Num b) { return a + b; }}},
      {"ReduceProd", {1, [](Num a, Num b) { return a * b; }}},
      {"ReduceMin", {INFINITY, [](Num a, Num b) { return std::min(a, b); }}},
      {"ReduceMax", {-INFINITY, [](Num a, Num b) { return std::max(a, b); }}},
  };
  auto it = ops.find(n.op);
  if (it == ops.end() || x.numel() > kMaxFoldElements) return std::nullopt;
  size_t rank = x.dims.size();
  std::vector<int64_t> axes = axes_t ? axes_t->to_int_vector() : n.attr_ints("axes");
  if (axes.empty() && n.attr_int("noop_with_empty_axes", 0)) return x;
  std::vector<bool> reduced(rank, axes.empty());
  for (int64_t a : axes) {
    a = norm_axis(a, rank);
    if (a < 0 || a >= static_cast<int64_t>(rank)) return std::nullopt;
    reduced[a] = true;
  }
  bool keep = n.attr_int("keepdims", 1) != 0;
  std::vector<int64_t> kept_dims, out_dims;  // kept_dims: rank-preserving, 1 where reduced
  for (size_t i = 0; i < rank; ++i) {
    kept_dims.push_back(reduced[i] ? 1 : x.dims[i]);
    if (!reduced[i] || keep) out_dims.push_back(kept_dims.back());
  }
  Arr in = load(x);
  int64_t n_out = count(kept_dims);
  Arr out{x.dtype, out_dims, std::vector<Num>(static_cast<size_t>(n_out), it->second.first)};
  std::vector<int64_t> out_strides = row_major_strides(kept_dims), idx(rank, 0);
  for (size_t k = 0; k < in.v.size(); ++k) {
    int64_t o = 0;
    for (size_t i = 0; i < rank; ++i) o += reduced[i] ? 0 : idx[i] * out_strides[i];
    out.v[o] = it->second.second(out.v[o], in.v[k]);
    advance_index(idx, x.dims);
  }
  if (n.op == "ReduceMean") {
    Num per = n_out ? static_cast<Num>(in.v.size()) / n_out : 1;
    for (auto& v : out.v) v /= per;
  }
  for (auto& v : out.v) v = is_int(out.dt) ? std::trunc(v) : round_to(out.dt, v);
  return store(out);
}

std::optional<Tensor> eval_one(const Node& n, const std::vector<const Tensor*>& in) {
  const std::string& op = n.op;
  const Tensor& x = *in[0];
  size_t rank = x.dims.size();
  auto has = [&](size_t k) { return in.size() > k && in[k]; };
  if ((op == "Reshape" || op == "Gather" || op == "Expand") && !has(1)) return std::nullopt;
  if ((op == "Range" || op == "Slice") && !has(2)) return std::nullopt;
  if (op == "Identity") return x;
  if (op == "Reshape") {
    auto d = reshape_dims(x.dims, in[1]->to_int_vector(), n.attr_int("allowzero", 0) != 0);
    return d ? std::optional<Tensor>(with_dims(x, *d)) : std::nullopt;
  }
  if (op == "Unsqueeze") {
    std::vector<int64_t> axes = has(1) ? in[1]->to_int_vector() : n.attr_ints("axes");
    size_t out_rank = rank + axes.size();
    std::vector<bool> added(out_rank, false);
    for (int64_t a : axes) {
      a = norm_axis(a, out_rank);
      if (a < 0 || a >= static_cast<int64_t>(out_rank) || added[a]) return std::nullopt;
      added[a] = true;
    }
    std::vector<int64_t> dims;
    size_t j = 0;
    for (size_t i = 0; i < out_rank; ++i) dims.push_back(added[i] ? 1 : x.dims[j++]);
    return with_dims(x, dims);
  }
  if (op == "Squeeze") {
    std::vector<int64_t> axes = has(1) ? in[1]->to_int_vector() : n.attr_ints("axes");
    std::vector<bool> drop(rank, axes.empty());
    if (axes.empty())
      for (size_t i = 0; i < rank; ++i) drop[i] = x.dims[i] == 1;
    for (int64_t a : axes) {
      a = norm_axis(a, rank);
      if (a < 0 || a >= static_cast<int64_t>(rank) || x.dims[a] != 1) return std::nullopt;
      drop[a] = true;
    }
    std::vector<int64_t> dims;
    for (size_t i = 0; i < rank; ++i)
      if (!drop[i]) dims.push_back(x.dims[i]);
    return with_dims(x, dims);
  }
  if (op == "Flatten") {
    int64_t axis = norm_axis(n.attr_int("axis", 1), rank);
    if (axis < 0 || axis > static_cast<int64_t>(rank)) return std::nullopt;
    return with_dims(x, {count({x.dims.begin(), x.dims.begin() + axis}), count({x.dims.begin() + axis, x.dims.end()})});
  }
  if (op == "Transpose") {
    std::vector<int64_t> perm = n.attr_ints("perm");
    if (perm.empty())
      for (size_t i = rank; i-- > 0;) perm.push_back(static_cast<int64_t>(i));
    if (perm.size() != rank) return std::nullopt;
    return permute_tensor(x, perm);
  }
  if (op == "Shape") {
    int64_t r = static_cast<int64_t>(rank);
    int64_t s = std::clamp<int64_t>(norm_axis(n.attr_int("start", 0), rank), 0, r);
    int64_t e = std::clamp<int64_t>(n.has_attr("end") ? norm_axis(n.attr_int("end", r), rank) : r, 0, r);
    return Tensor::i64(std::vector<int64_t>(x.dims.begin() + s, x.dims.begin() + std::max(s, e)));
  }
  if (op == "Size") return Tensor::i64_scalar(x.numel());
  if (op == "Gather") return gather(x, *in[1], n.attr_int("axis", 0));
  if (op == "Concat") return concat(in, n.attr_int("axis", 0));
  if (op == "Slice") return slice(in);
  if (op == "ConstantOfShape") {
    std::vector<int64_t> dims = x.to_int_vector();
    if (count(dims) > kMaxFoldElements) return std::nullopt;
    Tensor value = n.has_attr("value") ? std::get<Tensor>(n.attrs.at("value")) : Tensor::f32_scalar(0);
    if (!numeric(value.dtype) || value.numel() != 1) return std::nullopt;
    Arr a{value.dtype, dims, std::vector<Num>(static_cast<size_t>(count(dims)), load(value).v[0])};
    return store(a);
  }
  // Everything below computes element by element.
  for (auto* t : in)
    if (t && !numeric(t->dtype)) return std::nullopt;
  if (op.rfind("Reduce", 0) == 0) return reduce(n, x, has(1) ? in[1] : nullptr);
  if (op == "Cast") {
    auto to = dtype_of_code(n.attr_int("to", 0));
    if (!to || x.numel() > kMaxFoldElements) return std::nullopt;
    Arr a = load(x);
    a.dt = *to;
    if (is_int(*to))
      for (auto& v : a.v) v = std::trunc(v);
    return store(a);
  }
  if (op == "Range") {
    Num start = load(x).v.at(0), limit = load(*in[1]).v.at(0), delta = load(*in[2]).v.at(0);
    if (delta == 0) return std::nullopt;
    Num steps = std::ceil((limit - start) / delta);
    int64_t len = steps > 0 ? static_cast<int64_t>(steps) : 0;
    if (len > kMaxFoldElements) return std::nullopt;
    Arr a{x.dtype, {len}, {}};
    for (int64_t i = 0; i < len; ++i) a.v.push_back(round_to(x.dtype, start + i * delta));
    return store(a);
  }
  if (op == "Expand") {
    Arr a = load(x), shape{x.dtype, in[1]->to_int_vector(), {}};
    shape.v.assign(static_cast<size_t>(count(shape.dims)), 0);
    auto r = broadcast({&a, &shape}, x.dtype, [](const std::vector<Num>& v) { return v[0]; });
    return r ? store(*r) : std::nullopt;
  }
  if (auto it = unary_ops().find(op); it != unary_ops().end()) {
    if (x.numel() > kMaxFoldElements) return std::nullopt;
    Arr a = load(x);
    for (auto& v : a.v) v = round_to(a.dt, it->second(v));
    return store(a);
  }
  std::vector<Arr> arrs;
  for (auto* t : in) {
    if (!t || t->numel() > kMaxFoldElements) return std::nullopt;
    arrs.push_back(load(*t));
  }
  std::vector<const Arr*> ptrs;
  for (auto& a : arrs) ptrs.push_back(&a);
  std::optional<Arr> r;
  if (op == "Where" && arrs.size() == 3) {
    r = broadcast(ptrs, arrs[1].dt, [](const std::vector<Num>& v) { return v[0] != 0 ? v[1] : v[2]; });
  } else if (auto c = compare_ops().find(op); c != compare_ops().end() && arrs.size() == 2) {
    Fn2 f = c->second;
    r = broadcast(ptrs, DType::Bool, [f](const std::vector<Num>& v) { return f(v[0], v[1]); });
  } else if (auto f = arith_op(n, x.dtype)) {
    if ((op != "Min" && op != "Max" && arrs.size() != 2) || arrs.empty()) return std::nullopt;
    DType dt = x.dtype;
    Fn2 g = *f;
    r = broadcast(ptrs, dt, [g, dt](const std::vector<Num>& v) {
      Num acc = v[0];
      for (size_t i = 1; i < v.size(); ++i) acc = round_to(dt, g(acc, v[i]));
      return acc;
    });
  }
  if (!r) return std::nullopt;
  for (Num v : r->v)
    if (is_int(r->dt) && std::isnan(v)) return std::nullopt;  // integer division by zero
  return store(*r);
}

}  // namespace

std::optional<std::vector<Tensor>> eval_constant_node(const Node& n) {
  if (!n.domain.empty() || n.outputs.size() != 1 || n.inputs.empty() || !n.inputs[0]) return std::nullopt;
  std::vector<const Tensor*> in;
  for (Value* v : n.inputs) {
    if (v && !v->is_constant()) return std::nullopt;
    in.push_back(v ? v->constant.get() : nullptr);
  }
  if (in[0]->dtype == DType::String) return std::nullopt;
  try {
    auto t = eval_one(n, in);
    if (!t) return std::nullopt;
    return std::vector<Tensor>{*t};
  } catch (const std::exception&) {
    return std::nullopt;  // malformed inputs: leave the node to the runtime, which reports it
  }
}

}  // namespace modelport
