// Scalar helpers TorchScript emits for `x in (3, 4)` and `for i in range(a, b, s)`:
// aten::__contains__ (constant list), aten::__range_length, aten::__derive_index.
#include "loaders/torchscript/ops/graph_build.h"
#include "loaders/torchscript/registry.h"

namespace modelport::ts {
namespace {

// __contains__(list, item): folded when the list and the item are constants.
void lower_contains(Ctx& c) {
  const LVal& list = c.in(0);
  const LVal& item = c.in(1);
  if (!list.is_seq() || (!item.is_number() && item.kind != LVal::Kind::String))
    c.fail("`in` needs a constant list and a constant item, got " + list.describe() + " and " + item.describe());
  bool found = false;
  for (auto& x : list.items) {
    if (x.kind == LVal::Kind::String && item.kind == LVal::Kind::String) found |= x.s == item.s;
    else if (x.is_number() && item.is_number()) found |= x.number() == item.number();
    else if (x.is_tensor()) c.fail("`in` over a list holding dynamic values is not supported");
  }
  c.out(LVal::of_bool(found));
}

// __range_length(lo, hi, step): the number of items of range(lo, hi, step).
void lower_range_length(Ctx& c) {
  const LVal &lo = c.in(0), &hi = c.in(1);
  int64_t step = c.int_arg(2);
  if (step == 0) c.fail("range() step must not be 0");
  if (lo.kind == LVal::Kind::Int && hi.kind == LVal::Kind::Int) {
    int64_t n = step > 0 ? (hi.i - lo.i + step - 1) / step : (lo.i - hi.i - step - 1) / -step;
    return c.out(LVal::of_int(std::max<int64_t>(0, n)));
  }
  if (step != 1) c.fail("range() over dynamic bounds needs step 1");
  LVal n = gb::iop(c, "Sub", hi, lo);
  c.out(LVal::tensor(c.op("Max", {c.tensor_of(n), c.c_i64_scalar(0)})));
}

// __derive_index(index, start, step) = start + index * step
void lower_derive_index(Ctx& c) {
  c.out(gb::iop(c, "Add", c.in(1), gb::iop(c, "Mul", c.in(0), c.in(2))));
}

}  // namespace

void register_range_scalar_ops(Registry& r) {
  r["aten::__contains__"] = lower_contains;
  r["aten::__range_length"] = lower_range_length;
  r["aten::__derive_index"] = lower_derive_index;
}

}  // namespace modelport::ts
