// Graph plumbing: constants, placeholders, identities, variables.
#include "../tf_types.h"
#include "translators.h"

namespace modelport::tf {
namespace {

std::vector<Value*> const_op(OpCtx& c) {
  const AttrValue* a = c.attr("value");
  if (!a || a->value_case() != AttrValue::kTensor) c.fail("no 'value' tensor");
  Tensor t = tensor_from_proto(a->tensor(), c.cv.keepalive(), c.cv.where() + ": Const '" + c.node.name + "'");
  return {c.g.add_constant(c.node.name, std::move(t))};
}

std::vector<Value*> placeholder(OpCtx& c) {
  c.fail("placeholder is not an input of the export (name it as an input, or pick another signature)");
}

std::vector<Value*> placeholder_with_default(OpCtx& c) { return {c.input(0)}; }
std::vector<Value*> identity(OpCtx& c) { return {c.input(0)}; }
std::vector<Value*> identity_n(OpCtx& c) { return c.in; }
std::vector<Value*> no_op(OpCtx&) { return {}; }

std::vector<Value*> variable(OpCtx& c) {
  if (!c.cv.variable_value) c.fail("variables are not available (no variables/ directory)");
  Tensor t = c.cv.variable_value(c.node);
  return {c.g.add_constant(c.node.name, std::move(t))};
}

}  // namespace

void register_core_ops(OpTable& t) {
  t["Const"] = const_op;
  t["Placeholder"] = placeholder;
  t["PlaceholderV2"] = placeholder;
  t["PlaceholderWithDefault"] = placeholder_with_default;
  for (const char* op : {"Identity", "Snapshot", "StopGradient", "PreventGradient", "CheckNumerics", "ReadVariableOp",
                         "EnsureShape"})
    t[op] = identity;
  t["IdentityN"] = identity_n;
  t["NoOp"] = no_op;
  for (const char* op : {"VariableV2", "Variable", "VarHandleOp"}) t[op] = variable;
}

}  // namespace modelport::tf
