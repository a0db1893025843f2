// F.pad and the padding modules: constant_pad_nd, reflection_pad*, replication_pad*, and
// aten::pad(self, pad, mode, value). torch lists pads last-dim-first as (begin, end) pairs; ONNX
// Pad takes [begin_0..begin_r-1, end_0..end_r-1]. Circular padding is Slice + Concat per dim, so
// it works with symbolic dims.
#include "loaders/torchscript/ops/graph_build.h"
#include "loaders/torchscript/registry.h"

namespace modelport::ts {
namespace {

// torch padding mode -> ONNX Pad mode ("" when ONNX has none).
std::string onnx_pad_mode(const std::string& mode) {
  return mode == "constant" ? "constant" : mode == "reflect" ? "reflect" : mode == "replicate" ? "edge" : "";
}

// ONNX Pad of x with the full [begins..., ends...] pads tensor.
Value* pad_node(Ctx& c, Value* x, Value* pads, const std::string& onnx_mode, std::optional<double> value,
                std::vector<Dim> dims) {
  std::vector<Value*> ins = {x, pads};
  if (onnx_mode == "constant" && value && *value != 0.0) ins.push_back(c.c_scalar(x->dtype, *value));
  return c.op("Pad", ins, {{"mode", onnx_mode}});
}

Value* pad_with(Ctx& c, Value* x, const std::vector<int64_t>& p, const std::string& mode, std::optional<double> value) {
  size_t r = c.need_rank(x, "padding");
  if (p.size() % 2 || p.size() / 2 > r)
    c.fail("pad has " + std::to_string(p.size()) + " values for a rank-" + std::to_string(r) + " input");
  std::vector<int64_t> pads(2 * r, 0);
  std::vector<Dim> dims = x->shape.dims;
  for (size_t i = 0; i < p.size() / 2; ++i) {
    size_t d = r - 1 - i;
    pads[d] = p[2 * i];
    pads[d + r] = p[2 * i + 1];
    if (mode != "constant" && (p[2 * i] < 0 || p[2 * i + 1] < 0)) c.fail("negative pads need mode 'constant'");
    if (dims[d].is_fixed()) dims[d] = Dim::fixed(dims[d].value + p[2 * i] + p[2 * i + 1]);
    else if (p[2 * i] || p[2 * i + 1]) dims[d] = Dim::unknown();
  }
  if (mode == "circular") {
    Value* y = x;
    for (size_t i = 0; i < p.size() / 2; ++i) {
      int64_t d = int64_t(r - 1 - i), b = p[2 * i], e = p[2 * i + 1];
      if (b < 0 || e < 0) c.fail("negative circular pads are not supported");
      std::vector<Value*> parts;
      if (b) parts.push_back(gb::slice(c, y, d, c.c_i64({-b}), c.c_i64({INT64_MAX})));
      parts.push_back(y);
      if (e) parts.push_back(gb::slice(c, y, d, c.c_i64({0}), c.c_i64({e})));
      y = gb::concat(c, parts, d);
    }
    return y;
  }
  std::string onnx_mode = onnx_pad_mode(mode);
  if (onnx_mode.empty()) c.fail("unknown padding mode '" + mode + "'");
  return pad_node(c, x, c.c_i64(pads), onnx_mode, value, dims);
}

// Pads that are run-time values (sizes computed from a symbolic shape, e.g. padding up to a
// multiple of a window): the ONNX pads input is assembled from the torch list at run time.
Value* pad_dynamic(Ctx& c, Value* x, const LVal& p, const std::string& mode, std::optional<double> value) {
  size_t r = c.need_rank(x, "padding");
  if (!p.is_seq()) c.fail("pad must be a list of ints, got " + p.describe());
  size_t k = p.items.size() / 2;
  if (p.items.size() % 2 || k > r) c.fail("pad has " + std::to_string(p.items.size()) + " values for a rank-" +
                                          std::to_string(r) + " input");
  std::string onnx_mode = onnx_pad_mode(mode);
  if (onnx_mode.empty()) c.fail("padding mode '" + mode + "' needs constant pads");
  std::vector<LVal> begins(r, LVal::of_int(0)), ends(r, LVal::of_int(0));
  for (size_t i = 0; i < k; ++i) {
    begins[r - 1 - i] = p.items[2 * i];
    ends[r - 1 - i] = p.items[2 * i + 1];
  }
  begins.insert(begins.end(), ends.begin(), ends.end());
  std::vector<Dim> dims = x->shape.dims;
  for (size_t i = 0; i < k; ++i) dims[r - 1 - i] = Dim::unknown();
  return pad_node(c, x, c.ints_tensor(LVal::list(begins)), onnx_mode, value, dims);
}

Value* pad_any(Ctx& c, Value* x, size_t list_arg, const std::string& mode, std::optional<double> value) {
  if (c.in(list_arg).is_const_int_list()) return pad_with(c, x, c.ints_arg(list_arg), mode, value);
  return pad_dynamic(c, x, c.in(list_arg), mode, value);
}

// constant_pad_nd(self, pad, value=0)
void lower_constant_pad(Ctx& c) {
  std::optional<double> v;
  if (c.num_inputs() > 2 && !c.in(2).is_none()) v = c.double_arg(2);
  c.out(pad_any(c, c.tensor(0), 1, "constant", v));
}

// reflection_padNd / replication_padNd(self, padding)
void lower_mode_pad(Ctx& c) {
  std::string k = c.node->kind().toUnqualString();
  c.out(pad_with(c, c.tensor(0), c.ints_arg(1), k.rfind("reflection", 0) == 0 ? "reflect" : "replicate", std::nullopt));
}

// pad(self, pad, mode="constant", value=None)
void lower_pad(Ctx& c) {
  std::string mode = c.num_inputs() > 2 && !c.in(2).is_none() ? c.string_arg(2) : "constant";
  std::optional<double> v;
  if (c.num_inputs() > 3 && !c.in(3).is_none()) v = c.double_arg(3);
  if (v && mode != "constant") c.fail("a pad value is only valid with mode 'constant'");
  c.out(pad_any(c, c.tensor(0), 1, mode, v));
}

}  // namespace

void register_padding_ops(Registry& r) {
  r["aten::constant_pad_nd"] = lower_constant_pad;
  for (const char* k : {"aten::reflection_pad1d", "aten::reflection_pad2d", "aten::reflection_pad3d",
                        "aten::replication_pad1d", "aten::replication_pad2d", "aten::replication_pad3d"})
    r[k] = lower_mode_pad;
  r["aten::pad"] = lower_pad;
}

}  // namespace modelport::ts
