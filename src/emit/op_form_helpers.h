// Internal to the emitter: helpers shared by the op forms of op_forms.cpp (the table and the
// forms of opset 11 and later) and op_forms_legacy.cpp (the forms of opsets 9 and 10).
#pragma once

#include <set>
#include <string>
#include <vector>

#include "emit/emit_context.h"

namespace modelport::emit {

// Throws "<what> needs opset >= <min> (requested <opset>): node '<node>' (<source node>)" for the
// context's node.
[[noreturn]] void needs_opset(const EmitCtx& c, const std::string& what, int min);
// Names of late attributes (newer than the requested opset) the current node carries at their
// default, to be dropped; throws for non-default values.
std::set<std::string> drop_late_attrs(EmitCtx& c);
// Keeps the first k inputs, minus trailing omitted ("") ones.
void keep_inputs(onnx::NodeProto* p, int k);
void set_input(onnx::NodeProto* p, int i, const std::string& name);
bool output_used(EmitCtx& c, size_t i);
// Writes the current node with its late attributes dropped.
void as_is(EmitCtx& c);

// Below opset 11 axes must be non-negative: `axis` made non-negative for a rank-`rank` tensor
// (`rank` < 0: asks the rank of input 0 only when the axis is negative).
int64_t nonneg_axis(EmitCtx& c, int64_t axis, int64_t rank = -1);
std::vector<int64_t> nonneg_axes(EmitCtx& c, std::vector<int64_t> axes, int64_t rank = -1);
// Equal(a, b) at the context's opset (float operands below 11 through Less/Greater/IsNaN).
std::string write_equal(EmitCtx& c, const std::string& a, const std::string& b, DType dt, const std::string& out = "");
// Slice of `data` with constant starts/ends/axes at the context's opset (attributes below 10).
std::string write_slice(EmitCtx& c, const std::string& data, const std::vector<int64_t>& starts,
                        const std::vector<int64_t>& ends, const std::vector<int64_t>& axes, const std::string& out = "");
// Pad's pads for every axis (constant; expanded from the axes input when there is one).
std::vector<int64_t> full_pads(EmitCtx& c);

// The forms for opsets 9 and 10 (op_forms_legacy.cpp).
void axis_attr_legacy(EmitCtx& c);      // Concat/Flatten/ArgMax/ArgMin: non-negative axis
void slice_legacy(EmitCtx& c);          // Slice-1 attributes at 9; non-negative axes at 10
void topk_legacy(EmitCtx& c);           // TopK-1 k attribute at 9; TopK-10 at 10
void clip_legacy(EmitCtx& c);           // Clip-6 min/max attributes
void pad_legacy(EmitCtx& c);            // Pad-2 pads/value attributes
void resize_legacy(EmitCtx& c);         // Upsample-9 / Resize-10: asymmetric only
void gemm_legacy(EmitCtx& c);           // C required before 11
void gather_legacy(EmitCtx& c);         // negative indices made non-negative
void depth_to_space_legacy(EmitCtx& c); // CRD through a channel Gather + DCR
void mod_9(EmitCtx& c);                // integer Mod through Div/Mul/Sub at 9
void maxpool_9(EmitCtx& c);            // ceil_mode -> extra end padding at 9
void equal_legacy(EmitCtx& c);          // float Equal through Less/Greater/IsNaN
void compare_or_equal(EmitCtx& c);      // GreaterOrEqual/LessOrEqual below 12: Or(Greater/Less, Equal)
void celu_decomposed(EmitCtx& c);       // alpha * Elu(x / alpha) below 12
void thresholded_relu_9(EmitCtx& c);    // Where(x > alpha, x, 0) below 10
void isinf_9(EmitCtx& c);               // comparisons against the largest finite value below 10

}  // namespace modelport::emit
