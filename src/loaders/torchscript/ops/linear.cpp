// Linear algebra: linear, addmm, matmul/mm/bmm/mv.
#include "loaders/torchscript/registry.h"

namespace modelport::ts {
namespace {

Shape matmul_shape(const Shape& a, const Shape& b) {
  if (!a.rank_known || !b.rank_known || a.rank() == 0 || b.rank() == 0) return Shape();
  std::vector<Dim> da = a.dims, db = b.dims;
  bool a1 = da.size() == 1, b1 = db.size() == 1;
  if (a1) da.insert(da.begin(), Dim::fixed(1));
  if (b1) db.push_back(Dim::fixed(1));
  Shape batch = broadcast_shapes(Shape(std::vector<Dim>(da.begin(), da.end() - 2)),
                                 Shape(std::vector<Dim>(db.begin(), db.end() - 2)));
  std::vector<Dim> out = batch.dims;
  if (!a1) out.push_back(da[da.size() - 2]);
  if (!b1) out.push_back(db.back());
  return Shape(std::move(out));
}

Value* matmul(Ctx& c, Value* a, Value* b) {
  Value* o = c.op("MatMul", {a, b});
  o->shape = matmul_shape(a->shape, b->shape);
  return o;
}

Value* transpose2d(Ctx& c, Value* w) {
  Value* t = c.op("Transpose", {w}, {{"perm", std::vector<int64_t>{1, 0}}});
  if (w->shape.rank_known && w->shape.rank() == 2) t->shape = Shape({w->shape.dims[1], w->shape.dims[0]});
  return t;
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
    Value* o = c.op("Gemm", ins, {{"transB", int64_t(1)}});
    o->shape = Shape({x->shape.dims[0], w->shape.dims[0]});
    return c.out(o);
  }
  Value* o = matmul(c, x, transpose2d(c, w));
  if (b) {
    Value* s = c.op("Add", {o, b});
    s->shape = o->shape;
    o = s;
  }
  c.out(o);
}

// addmm(self, mat1, mat2, beta=1, alpha=1) = beta*self + alpha*(mat1 @ mat2)
void lower_addmm(Ctx& c) {
  Value* bias = c.tensor(0);
  Value* a = c.tensor(1);
  Value* b = c.tensor(2);
  float beta = c.num_inputs() > 3 ? float(c.double_arg(3)) : 1.0f;
  float alpha = c.num_inputs() > 4 ? float(c.double_arg(4)) : 1.0f;
  Value* o = c.op("Gemm", {a, b, bias}, {{"alpha", alpha}, {"beta", beta}});
  o->shape = matmul_shape(a->shape, b->shape);
  c.out(o);
}

void lower_matmul(Ctx& c) { c.out(matmul(c, c.tensor(0), c.tensor(1))); }

}  // namespace

void register_linear_ops(Registry& r) {
  r["aten::linear"] = lower_linear;
  r["aten::addmm"] = lower_addmm;
  r["aten::matmul"] = r["aten::mm"] = r["aten::bmm"] = r["aten::mv"] = lower_matmul;
}

}  // namespace modelport::ts
