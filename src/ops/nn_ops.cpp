// Neural-network ops whose output shape is not a plain function of one input's shape: convolution
// and pooling (batch and channels always, spatial dims when fixed), Gemm, the recurrent ops, Resize,
// Tile, DepthToSpace/SpaceToDepth and Einsum; and the normalizations and softmaxes, shaped as their
// input but with an axis (so no layout trait), as are CumSum, Trilu and ReverseSequence. Symbolic
// dims pass through where the op keeps them (a Conv's batch axis stays "batch"), so exported outputs
// reuse the inputs' symbols.
#include <cmath>
#include <map>

#include "ops/op_def.h"
#include "ops/shape_support.h"

namespace modelport {
namespace ops {
namespace {

// Conv / ConvTranspose / MaxPool / AveragePool: spatial output size of one axis (unknown unless
// the input size is fixed and the padding is explicit or auto_pad says how to compute it).
Dim spatial(const Node& n, const Dim& in, size_t i, int64_t kernel, bool transpose) {
  if (!in.is_fixed() || kernel < 0) return Dim::unknown();
  auto at = [](const std::vector<int64_t>& v, size_t k, int64_t def) { return k < v.size() ? v[k] : def; };
  std::vector<int64_t> strides = n.attr_ints("strides"), dil = n.attr_ints("dilations"), pads = n.attr_ints("pads");
  size_t spatial_rank = pads.size() / 2;
  int64_t s = at(strides, i, 1), d = at(dil, i, 1), eff = (kernel - 1) * d + 1;
  std::string pad_mode = n.attr_string("auto_pad", "NOTSET");
  if (s <= 0) return Dim::unknown();
  if (transpose) {
    std::vector<int64_t> shape = n.attr_ints("output_shape");
    if (i < shape.size()) return Dim::fixed(shape[i]);
    if (pad_mode == "SAME_UPPER" || pad_mode == "SAME_LOWER") return Dim::fixed(in.value * s);
    int64_t total = pad_mode == "VALID" ? 0 : at(pads, i, 0) + at(pads, i + spatial_rank, 0);
    return Dim::fixed(s * (in.value - 1) + at(n.attr_ints("output_padding"), i, 0) + eff - total);
  }
  if (pad_mode == "SAME_UPPER" || pad_mode == "SAME_LOWER") return Dim::fixed((in.value + s - 1) / s);
  int64_t total = pad_mode == "VALID" ? 0 : at(pads, i, 0) + at(pads, i + spatial_rank, 0);
  int64_t span = in.value + total - eff;
  if (span < 0) return Dim::unknown();
  if (n.attr_int("ceil_mode", 0) == 0) return Dim::fixed(span / s + 1);
  // ceil_mode: a last window that would start in the end padding is dropped.
  int64_t out = (span + s - 1) / s + 1, begin = pad_mode == "VALID" ? 0 : at(pads, i, 0);
  return Dim::fixed((out - 1) * s >= in.value + begin ? out - 1 : out);
}

std::optional<Shape> conv_pool(const Node& n) {
  const Shape* x = known(n.input(0));
  if (!x || x->rank() < 3) return std::nullopt;
  bool conv = n.op == "Conv" || n.op == "ConvTranspose", transpose = n.op == "ConvTranspose";
  const Shape* w = conv ? known(n.input(1)) : nullptr;
  std::vector<int64_t> kernel = n.attr_ints("kernel_shape");
  std::vector<Dim> out{x->dims[0], conv ? Dim::unknown() : x->dims[1]};
  if (w && w->rank() == x->rank()) {
    const Dim& m = w->dims[transpose ? 1 : 0];
    if (!transpose) out[1] = m;
    else if (m.is_fixed()) out[1] = Dim::fixed(m.value * n.attr_int("group", 1));
    if (kernel.empty())
      for (size_t i = 2; i < w->rank(); ++i) kernel.push_back(w->dims[i].is_fixed() ? w->dims[i].value : -1);
  }
  for (size_t i = 2; i < x->rank(); ++i)
    out.push_back(spatial(n, x->dims[i], i - 2, i - 2 < kernel.size() ? kernel[i - 2] : -1, transpose));
  return Shape(out);
}

// RNN / GRU / LSTM (layout 0): X [T, N, I] -> Y [T, D, N, H], Y_h and Y_c [D, N, H] (X is 3-D
// even when its rank is not known here).
std::vector<Shape> recurrent(const Node& n, const Shape& known_x) {
  Shape x = known_x.rank_known ? known_x : Shape(std::vector<Dim>(3, Dim::unknown()));
  if (x.rank() != 3 || n.attr_int("layout", 0) != 0) return {};
  Dim d = Dim::fixed(n.attr_string("direction", "forward") == "bidirectional" ? 2 : 1);
  int64_t hidden = n.attr_int("hidden_size", -1);
  Dim h = hidden > 0 ? Dim::fixed(hidden) : Dim::unknown();
  std::vector<Shape> out{Shape({x.dims[0], d, x.dims[1], h})};
  for (size_t i = 1; i < n.outputs.size(); ++i) out.push_back(Shape({d, x.dims[1], h}));
  return out;
}

// Resize with sizes (constants or shape values), or constant scales (an axis scaled by 1 keeps
// its dim).
std::optional<Shape> resize(const Node& n, const Shape& x, const ShapeValues& sv) {
  if (const Value* sizes = n.input(3)) {
    auto entries = target_entries(sizes, sv);
    if (!entries || entries->scalar || entries->dims.size() != x.rank()) return std::nullopt;
    return from_dims(*entries);
  }
  const Value* scales = n.input(2);
  if (!scales || !scales->is_constant() || scales->constant->numel() != static_cast<int64_t>(x.rank()))
    return std::nullopt;
  std::vector<Dim> out;
  for (size_t i = 0; i < x.rank(); ++i) {
    double s = scales->constant->as_double(static_cast<int64_t>(i));
    const Dim& d = x.dims[i];
    out.push_back(s == 1.0 ? d : d.is_fixed() ? Dim::fixed(static_cast<int64_t>(std::floor(d.value * s))) : Dim::unknown());
  }
  return Shape(out);
}

// Tile: a dim repeated once keeps its symbol, a fixed dim repeated a known number of times is
// fixed (the repeats are constants or a shape value with some entries known).
Shapes tile(const Node& n, const ShapeValues& sv) {
  const Shape* x = known(n.input(0));
  auto reps = target_entries(n.input(1), sv);
  if (!x || !reps || reps->scalar || reps->dims.size() != x->rank()) return std::nullopt;
  std::vector<Dim> out;
  for (size_t i = 0; i < x->rank(); ++i) {
    const Dim& d = x->dims[i];
    const ShapeEntry& r = reps->dims[i];
    out.push_back(r.is_fixed() && r.value == 1       ? d
                  : r.is_fixed() && d.is_fixed()      ? Dim::fixed(d.value * r.value)
                                                      : Dim::unknown());
  }
  return one(Shape(out));
}

// DepthToSpace / SpaceToDepth (NCHW): channels divided / multiplied by blocksize^2, H and W the
// other way; the batch keeps its symbol.
std::optional<Shape> depth_space(const Node& n, const Shape& x) {
  int64_t b = n.attr_int("blocksize", 0);
  if (x.rank() != 4 || b < 1) return std::nullopt;
  bool to_space = n.op == "DepthToSpace";
  auto scale = [](const Dim& d, int64_t mul, int64_t div) {
    return d.is_fixed() && (d.value * mul) % div == 0 ? Dim::fixed(d.value * mul / div) : Dim::unknown();
  };
  int64_t bb = b * b;
  return Shape({x.dims[0], to_space ? scale(x.dims[1], 1, bb) : scale(x.dims[1], bb, 1),
                to_space ? scale(x.dims[2], b, 1) : scale(x.dims[2], 1, b),
                to_space ? scale(x.dims[3], b, 1) : scale(x.dims[3], 1, b)});
}

// Einsum with an explicit output ("ij,jk->ik", no ellipsis): each output letter's dim from an input.
std::optional<Shape> einsum(const Node& n) {
  std::string eq;
  for (char ch : n.attr_string("equation", "")) if (ch != ' ') eq += ch;
  size_t arrow = eq.find("->");
  if (arrow == std::string::npos || eq.find('.') != std::string::npos) return std::nullopt;
  std::map<char, Dim> dims;
  size_t k = 0, start = 0;
  for (size_t i = 0; i <= arrow; ++i) {
    if (i < arrow && eq[i] != ',') continue;
    const Shape* s = known(n.input(k++));
    if (!s || s->rank() != i - start) return std::nullopt;
    for (size_t j = 0; j < s->rank(); ++j) {
      Dim& d = dims[eq[start + j]];
      if (!d.is_fixed() && !d.is_symbol()) d = s->dims[j];
    }
    start = i + 1;
  }
  std::vector<Dim> out;
  for (char ch : eq.substr(arrow + 2)) {
    if (!dims.count(ch)) return std::nullopt;
    out.push_back(dims[ch]);
  }
  return Shape(out);
}


Shapes global_pool(const Node& n, const ShapeValues&) {
  const Shape* x = known(n.input(0));
  if (!x || x->rank() < 3) return std::nullopt;
  std::vector<Dim> out{x->dims[0], x->dims[1]};
  out.resize(x->rank(), Dim::fixed(1));
  return one(Shape(out));
}

Shapes gemm(const Node& n, const ShapeValues&) {
  const Shape *a = known(n.input(0)), *b = known(n.input(1));
  if (!a || a->rank() != 2 || !b || b->rank() != 2) return std::nullopt;
  return one(Shape({a->dims[n.attr_int("transA", 0) ? 1 : 0], b->dims[n.attr_int("transB", 0) ? 0 : 1]}));
}

// STFT(signal [B, L, 1 or 2], frame_step, window?, frame_length?) -> [B, frames, bins, 2]: frames
// (L - length) / step + 1 when L is fixed, bins length / 2 + 1 when onesided (the default) else length;
// the length is frame_length, else the window's.
Shapes stft(const Node& n, const ShapeValues&) {
  const Shape* x = known(n.input(0));
  if (!x || x->rank() != 3) return std::nullopt;
  std::optional<int64_t> len, step;
  if (n.inputs.size() > 3 && n.input(3))
    if (auto v = const_ints(n.input(3)); v && v->size() == 1) len = (*v)[0];
  if (!len && n.inputs.size() > 2 && n.input(2) && n.input(2)->shape.rank_known && n.input(2)->shape.rank() == 1 &&
      n.input(2)->shape.dims[0].is_fixed())
    len = n.input(2)->shape.dims[0].value;
  if (auto v = const_ints(n.input(1)); v && v->size() == 1) step = (*v)[0];
  Dim frames = Dim::unknown(), bins = Dim::unknown();
  if (len && step && *step > 0 && x->dims[1].is_fixed() && x->dims[1].value >= *len)
    frames = Dim::fixed((x->dims[1].value - *len) / *step + 1);
  if (len) bins = Dim::fixed(n.attr_int("onesided", 1) ? *len / 2 + 1 : *len);
  return one(Shape({x->dims[0], frames, bins, Dim::fixed(2)}));
}

// A rule taking the known shape of input 0.
template <std::optional<Shape> (*F)(const Node&, const Shape&)>
Shapes with_input(const Node& n, const ShapeValues&) {
  const Shape* x = known(n.input(0));
  return x ? one(F(n, *x)) : std::nullopt;
}

}  // namespace

void add_nn_ops(Table& t) {
  for (const char* op : {"Conv", "ConvTranspose", "AveragePool", "LpPool"})
    t.push_back({op, Layout::Opaque, [](const Node& n, const ShapeValues&) { return one(conv_pool(n)); }, nullptr, nullptr});
  // MaxPool's optional second output: the int64 flat (NCHW) index of each maximum, shaped as Y.
  t.push_back({"MaxPool", Layout::Opaque,
               [](const Node& n, const ShapeValues&) -> Shapes {
                 auto y = conv_pool(n);
                 if (!y) return std::nullopt;
                 return Shapes(std::vector<Shape>(n.outputs.size() > 1 ? 2 : 1, *y));
               },
               nullptr, nullptr, [](const Node& n, size_t i) { return i == 1 ? DType::Int64 : n.input(0)->dtype; }});
  for (const char* op : {"GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool"})
    t.push_back({op, Layout::Opaque, global_pool, nullptr, nullptr});
  t.push_back({"Gemm", Layout::Opaque, gemm, nullptr, nullptr});
  for (const char* op : {"RNN", "GRU", "LSTM"})
    t.push_back({op, Layout::Opaque,
                 [](const Node& n, const ShapeValues&) -> Shapes {
                   auto s = recurrent(n, n.input(0)->shape);
                   return s.empty() ? std::nullopt : Shapes(s);
                 },
                 nullptr, nullptr});
  t.push_back({"Resize", Layout::Opaque,
               [](const Node& n, const ShapeValues& sv) -> Shapes {
                 const Shape* x = known(n.input(0));
                 return x ? one(resize(n, *x, sv)) : std::nullopt;
               },
               nullptr, nullptr});
  t.push_back({"Tile", Layout::Opaque, tile, nullptr, nullptr});
  t.push_back({"STFT", Layout::Opaque, stft, nullptr, nullptr});
  for (const char* op : {"DepthToSpace", "SpaceToDepth"}) t.push_back({op, Layout::Opaque, with_input<depth_space>, nullptr, nullptr});
  t.push_back({"Einsum", Layout::Opaque, [](const Node& n, const ShapeValues&) { return one(einsum(n)); }, nullptr, nullptr});
  for (const char* op : {"Softmax", "LogSoftmax", "Hardmax", "LayerNormalization", "BatchNormalization",
                         "InstanceNormalization", "GroupNormalization", "LpNormalization", "MeanVarianceNormalization",
                         "LRN", "CumSum", "Trilu", "ReverseSequence"})
    t.push_back({op, Layout::Opaque, same_shape, nullptr, nullptr});
}

}  // namespace ops
}  // namespace modelport
