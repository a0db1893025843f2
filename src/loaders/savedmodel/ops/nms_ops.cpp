// Non-max suppression: NonMaxSuppression and V2-V5, lowered to ONNX NonMaxSuppression over one
// batch and one class.
#include "translators.h"

namespace modelport::tf {
namespace {

// A float input as the 1-element tensor ONNX NMS takes for its thresholds.
Value* threshold(OpCtx& c, Value* v) { return c.op("Reshape", {c.cast(v, DType::Float32), c.c_i64({1})}); }

// NonMaxSuppression(boxes [N,4], scores [N], max_output_size {iou_threshold}),
// V2(+iou_threshold), V3(+score_threshold), V4 {pad_to_max_output_size} -> (+valid_outputs),
// V5(+soft_nms_sigma) -> (indices, scores, valid_outputs). TF's boxes [y1, x1, y2, x2] may hold
// either diagonal pair of corners, as ONNX's center_point_box=0 form. Both select greedily in
// score-descending order (equal scores: lower index first), keep a box whose score is > the score
// threshold and suppress one whose IoU with a kept box is > the IoU threshold. ONNX's spec leaves
// the order of selected_indices open; ONNX Runtime returns them in selection order, as TF.
std::vector<Value*> non_max_suppression(OpCtx& c) {
  const std::string& op = c.node.op;
  int version = op == "NonMaxSuppression" ? 1 : op.back() - '0';
  Value* boxes = c.op("Reshape", {c.cast(c.input(0), DType::Float32), c.c_i64({1, -1, 4})});
  Value* scores = c.cast(c.input(1), DType::Float32);
  Value* scores3 = c.op("Reshape", {scores, c.c_i64({1, 1, -1})});
  Value* max_out = c.op("Reshape", {c.to_i64(c.input(2)), c.c_i64({1})});
  Value* iou = version == 1 ? c.g.add_constant(c.node.name + "/iou", Tensor::f32({c.attr_float("iou_threshold", 0.5f)}))
                            : threshold(c, c.input(3));
  std::vector<Value*> ins{boxes, scores3, max_out, iou};
  if (version >= 3) ins.push_back(threshold(c, c.input(4)));
  if (version == 5) {
    const Tensor* sigma = c.const_input(5);
    if (!sigma) c.fail("soft_nms_sigma must be a constant");
    if (sigma->as_double(0) != 0.0) c.fail("soft_nms_sigma " + std::to_string(sigma->as_double(0)) + " (Soft-NMS) has no ONNX equivalent; only 0 (hard NMS) converts");
  }
  Value* triples = c.op("NonMaxSuppression", ins, {{"center_point_box", int64_t(0)}});
  Value* selected = c.op("Gather", {triples, c.c_scalar(DType::Int64, 2)}, {{"axis", int64_t(1)}});
  Value* count = c.op("Shape", {selected});
  Value* valid = c.cast(c.op("Reshape", {count, c.c_i64({})}), DType::Int32);
  Value* picked = c.cast(c.op("Gather", {scores, selected}, {{"axis", int64_t(0)}}), c.input(1)->dtype);
  if (version >= 4 && c.attr_bool("pad_to_max_output_size", false)) {
    // zeros after the selected entries up to max_output_size
    Value* pads = c.op("Concat", {c.c_i64({0}), c.op("Sub", {max_out, count})}, {{"axis", int64_t(0)}});
    selected = c.op("Pad", {selected, pads});
    picked = c.op("Pad", {picked, pads});
  }
  Value* indices = c.cast(selected, DType::Int32);
  if (version < 4) return {indices};
  if (version == 4) return {indices, valid};
  return {indices, picked, valid};
}

}  // namespace

void register_nms_ops(OpTable& t) {
  for (const char* op : {"NonMaxSuppression", "NonMaxSuppressionV2", "NonMaxSuppressionV3", "NonMaxSuppressionV4",
                         "NonMaxSuppressionV5"})
    t[op] = non_max_suppression;
}

}  // namespace modelport::tf
