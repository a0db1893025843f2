// TensorList ops (TF2's TensorArray, tf.map_fn) as one tensor whose first axis indexes the list:
// FromTensor and Stack are the tensor itself, GetItem a Gather, SetItem a ScatterND, Length its
// first dim. Reserve makes num_elements zeros of the element shape; of an unknown element shape, a
// rank-1 tensor of zeros that the first SetItem widens to the item's shape (inside a loop the loop
// widens its initial value once the body shows the shape: control_ops.cpp).
#include <algorithm>

#include "translators.h"

namespace modelport::tf {
namespace {

std::vector<Value*> reserve(OpCtx& c) {
  DType dt = c.attr_type("element_dtype");
  if (dt == DType::Undefined || dt == DType::String) c.fail("element_dtype must be a numeric type");
  Value* n = c.op("Reshape", {c.to_i64(c.input(1)), c.c_i64({1})});
  const Tensor* shape = c.const_input(0);
  std::vector<int64_t> dims = shape ? shape->to_int_vector() : std::vector<int64_t>{-1};
  bool known = shape && shape->dims.size() == 1 &&
               std::all_of(dims.begin(), dims.end(), [](int64_t d) { return d >= 0; });
  Value* full_shape = known ? c.op("Concat", {n, c.c_i64(dims)}, {{"axis", int64_t(0)}}) : n;
  Value* list = c.op("Expand", {c.c_scalar(dt, 0), full_shape});
  if (!known) c.cv.shapeless_lists->insert(list);
  return {list};
}

std::vector<Value*> from_tensor(OpCtx& c) { return {c.input(0)}; }
std::vector<Value*> stack(OpCtx& c) { return {c.input(0)}; }

std::vector<Value*> get_item(OpCtx& c) {
  return {c.op("Gather", {c.input(0), c.to_i64(c.input(1))}, {{"axis", int64_t(0)}})};
}

std::vector<Value*> set_item(OpCtx& c) {
  Value *list = c.input(0), *item = c.input(2);
  if (!list->shape.rank_known || !item->shape.rank_known) c.fail("the list's and the item's ranks must be known");
  if (list->shape.rank() == 1 && item->shape.rank() > 0) {  // elements of unknown shape: widen to the item's
    Value* n = c.op("Shape", {list});
    Value* full = c.op("Concat", {n, c.op("Shape", {item})}, {{"axis", int64_t(0)}});
    std::vector<int64_t> ones(item->shape.rank() + 1, 1);
    ones[0] = -1;
    list = c.op("Expand", {c.op("Reshape", {list, c.c_i64(ones)}), full});
  }
  if (list->shape.rank() != item->shape.rank() + 1)
    c.fail("item of rank " + std::to_string(item->shape.rank()) + " set in a list of rank-" +
           std::to_string(list->shape.rank() - 1) + " elements");
  Value* index = c.op("Reshape", {c.to_i64(c.input(1)), c.c_i64({1, 1})});
  Value* update = c.op("Unsqueeze", {item, c.c_i64({0})});
  return {c.op("ScatterND", {list, index, update})};
}

std::vector<Value*> length(OpCtx& c) {
  Value* n = c.op("Gather", {c.op("Shape", {c.input(0)}), c.c_i64({0})}, {{"axis", int64_t(0)}});
  return {c.cast(c.op("Reshape", {n, c.c_i64({})}), DType::Int32)};
}

}  // namespace

void register_list_ops(OpTable& t) {
  t["TensorListReserve"] = reserve;
  t["TensorListFromTensor"] = from_tensor;
  t["TensorListStack"] = stack;
  t["TensorListGetItem"] = get_item;
  t["TensorListSetItem"] = set_item;
  t["TensorListLength"] = length;
}

}  // namespace modelport::tf
