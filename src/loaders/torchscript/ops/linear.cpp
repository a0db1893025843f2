// Linear algebra: linear, addmm, matmul/mm/bmm/mv.
#include "loaders/torchscript/registry.h"

namespace modelport::ts {
namespace {

Value* matmul(Ctx& c, Value* a, Value* b) {
  return c.op("MatMul", {a, b});
}

Value* transpose2d(Ctx& c, Value* w) {
  return c.op("Transpose", {w}, {{"perm", std::vector<int64_t>{1, 0}}});
}

// linear(input, weight[out, in], bias?)
void lower_linear(Ctx& c) {
  Value* x = c.tensor(0);
  Value* w = c.tensor(1);
  Value* b = c.in(2).is_none() ? nullptr : c.tensor(2);
  if (!w->shape.rank_known || w->shape.rank() != 2) c.fail("linear weight must be 2-D");
  if (x->shape.rank_known && x->shape.rank() == 2 && w->is_constant()) {
    std::vector<Value*> ins = {x, w};
    if (b) ins.push_back(b);
    return c.out(c.op("Gemm", ins, {{"transB", int64_t(1)}}));
  }
  Value* o = matmul(c, x, transpose2d(c, w));
  if (b) o = c.op("Add", {o, b});
  c.out(o);
}

// addmm(self, mat1, mat2, beta=1, alpha=1) = beta*self + alpha*(mat1 @ mat2)
void lower_addmm(Ctx& c) {
  Value* bias = c.tensor(0);
  Value* a = c.tensor(1);
  Value* b = c.tensor(2);
  float beta = c.num_inputs() > 3 ? float(c.double_arg(3)) : 1.0f;
  float alpha = c.num_inputs() > 4 ? float(c.double_arg(4)) : 1.0f;
  c.out(c.op("Gemm", {a, b, bias}, {{"alpha", alpha}, {"beta", beta}}));
}

void lower_matmul(Ctx& c) { c.out(matmul(c, c.tensor(0), c.tensor(1))); }

}  // namespace

void register_linear_ops(Registry& r) {
  r["aten::linear"] = lower_linear;
  r["aten::addmm"] = lower_addmm;
  r["aten::matmul"] = r["aten::mm"] = r["aten::bmm"] = r["aten::mv"] = lower_matmul;
}

}  // namespace modelport::ts
