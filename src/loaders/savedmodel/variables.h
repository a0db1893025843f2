// Finds the checkpoint key of a variable node and reads its value from the bundle.
//  - TF1 (VariableV2/Variable): the key is the node name.
//  - TF2 (VarHandleOp): a top-level call passes the variable as a captured input; the concrete
//    function's bound_inputs name the SavedObjectGraph node, whose path of child names is matched
//    in the checkpoint's TrackableObjectGraph (_CHECKPOINTABLE_OBJECT_GRAPH) to find the
//    ".ATTRIBUTES/VARIABLE_VALUE" key. Falls back to the shared_name.
#pragma once
#include <map>
#include <string>

#include "flat_graph.h"
#include "tf_source.h"

namespace modelport::tf {

class VariableResolver {
 public:
  explicit VariableResolver(const TfSource& src);
  // Checkpoint key for a variable node (empty when none found).
  std::string key_for(const FlatNode& n) const;
  // The variable's value. Throws Error naming the node and the index file.
  Tensor value(const FlatNode& n) const;

 private:
  const TfSource& src_;
  std::map<std::string, std::string> handle_keys_;  // VarHandleOp node name -> checkpoint key
};

}  // namespace modelport::tf
