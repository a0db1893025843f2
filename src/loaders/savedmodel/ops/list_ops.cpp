// TensorList ops (TF2's TensorArray, tf.map_fn) as one tensor whose first axis indexes the list:
// FromTensor and Stack are the tensor itself, GetItem a Gather, SetItem a ScatterND, Length its
// first dim. Reserve makes num_elements zeros of the element shape; of an unknown element shape, a
// rank-1 tensor of zeros that the first SetItem widens to the item's shape (inside a loop the loop
// widens its initial value once the body shows the shape: control_ops.cpp).
// TF1's TensorArrayV3 ops the same way, the array's tensor taking the place of its "flow" scalar
// (every op reads and writes the flow; the handle is a placeholder constant nothing reads).
#include <algorithm>
#include <climits>

#include "translators.h"

namespace modelport::tf {
namespace {

// `count` zeros of dtype attribute `dtype_attr`, each of shape `dims` (known: a fixed shape).
Value* zeros_list(OpCtx& c, const char* dtype_attr, Value* count, std::vector<int64_t> dims, bool known) {
  DType dt = c.attr_type(dtype_attr);
  if (dt == DType::Undefined || dt == DType::String) c.fail(std::string(dtype_attr) + " must be a numeric type");
  known = known && std::all_of(dims.begin(), dims.end(), [](int64_t d) { return d >= 0; });
  Value* n = c.op("Reshape", {c.to_i64(count), c.c_i64({1})});
  Value* full_shape = known ? c.op("Concat", {n, c.c_i64(dims)}, {{"axis", int64_t(0)}}) : n;
  Value* list = c.op("Expand", {c.c_scalar(dt, 0), full_shape});
  if (!known) c.cv.shapeless_lists->insert(list);
  return list;
}

std::vector<Value*> reserve(OpCtx& c) {
  const Tensor* shape = c.const_input(0);
  bool known = shape && shape->dims.size() == 1;
  return {zeros_list(c, "element_dtype", c.input(1), known ? shape->to_int_vector() : std::vector<int64_t>{}, known)};
}

std::vector<Value*> from_tensor(OpCtx& c) { return {c.input(0)}; }
std::vector<Value*> stack(OpCtx& c) { return {c.input(0)}; }

std::vector<Value*> get_item(OpCtx& c) {
  return {c.op("Gather", {c.input(0), c.to_i64(c.input(1))}, {{"axis", int64_t(0)}})};
}

// `list` with the items `items` (one per row of `index`, [k, 1]) written at `index`.
Value* scatter(OpCtx& c, Value* list, Value* index, Value* items) {
  if (!list->shape.rank_known || !items->shape.rank_known) c.fail("the list's and the items' ranks must be known");
  if (list->shape.rank() == 1 && items->shape.rank() > 1) {  // elements of unknown shape: widen to the items'
    Value* n = c.op("Shape", {list});
    Value* item_shape = c.op("Slice", {c.op("Shape", {items}), c.c_i64({1}), c.c_i64({INT64_MAX})});
    std::vector<int64_t> ones(items->shape.rank(), 1);
    ones[0] = -1;
    list = c.op("Expand", {c.op("Reshape", {list, c.c_i64(ones)}), c.op("Concat", {n, item_shape}, {{"axis", int64_t(0)}})});
  }
  if (list->shape.rank() != items->shape.rank())
    c.fail("items of rank " + std::to_string(items->shape.rank() - 1) + " set in a list of rank-" +
           std::to_string(list->shape.rank() - 1) + " elements");
  return c.op("ScatterND", {list, index, items});
}

// `list` with `item` at `index` (a scalar).
Value* set_at(OpCtx& c, Value* list, Value* index, Value* item) {
  index = c.op("Reshape", {c.to_i64(index), c.c_i64({1, 1})});
  return scatter(c, list, index, c.op("Unsqueeze", {item, c.c_i64({0})}));
}

std::vector<Value*> set_item(OpCtx& c) { return {set_at(c, c.input(0), c.input(1), c.input(2))}; }

Value* count(OpCtx& c, Value* list) {
  Value* n = c.op("Gather", {c.op("Shape", {list}), c.c_i64({0})}, {{"axis", int64_t(0)}});
  return c.cast(c.op("Reshape", {n, c.c_i64({})}), DType::Int32);
}

std::vector<Value*> length(OpCtx& c) { return {count(c, c.input(0))}; }

// TensorArrayV3(size) -> (handle, flow); the others take (handle, ..., flow_in).
std::vector<Value*> tensor_array(OpCtx& c) {
  const AttrValue* a = c.attr("element_shape");
  bool known = a && a->value_case() == AttrValue::kShape && !a->shape().unknown_rank();
  std::vector<int64_t> dims;
  if (known)
    for (auto& d : a->shape().dim()) dims.push_back(d.size());
  const Tensor* size = c.const_input(0);
  if (c.attr_bool("dynamic_size", false) && (!size || size->as_int(0) == 0))
    c.fail("a TensorArray that grows (dynamic_size, no size) is not supported");
  return {c.c_scalar(DType::Int32, 0), zeros_list(c, "dtype", c.input(0), dims, known)};
}
std::vector<Value*> ta_write(OpCtx& c) { return {set_at(c, c.input(3), c.input(1), c.input(2))}; }
std::vector<Value*> ta_read(OpCtx& c) {
  return {c.op("Gather", {c.input(2), c.to_i64(c.input(1))}, {{"axis", int64_t(0)}})};
}
std::vector<Value*> ta_scatter(OpCtx& c) {
  Value* index = c.op("Reshape", {c.to_i64(c.input(1)), c.c_i64({-1, 1})});
  return {scatter(c, c.input(3), index, c.input(2))};
}
std::vector<Value*> ta_size(OpCtx& c) { return {count(c, c.input(1))}; }

}  // namespace

void register_list_ops(OpTable& t) {
  t["TensorListReserve"] = reserve;
  t["TensorListFromTensor"] = from_tensor;
  t["TensorListStack"] = stack;
  t["TensorListGetItem"] = get_item;
  t["TensorListSetItem"] = set_item;
  t["TensorListLength"] = length;
  t["TensorArrayV3"] = tensor_array;
  t["TensorArrayWriteV3"] = ta_write;
  t["TensorArrayReadV3"] = ta_read;
  t["TensorArrayGatherV3"] = ta_read;
  t["TensorArrayScatterV3"] = ta_scatter;
  t["TensorArraySizeV3"] = ta_size;
}

}  // namespace modelport::tf
