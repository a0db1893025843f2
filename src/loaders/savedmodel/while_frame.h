// A TF1 tf.while_loop as its frame of Enter/Merge/Switch/LoopCond/NextIteration/Exit nodes:
//   Enter(init_j) -> Merge_j(Enter_j, NextIteration_j) -> cond(Merge_j...) -> LoopCond
//   Switch_j(Merge_j, LoopCond): :0 -> Exit_j (the final value), :1 -> body -> NextIteration_j.
// Loop-invariant values enter through Enter nodes no Merge reads. The converter lowers a frame to
// one ONNX Loop when an Exit is needed (ops/control_ops.cpp).
#pragma once
#include <string>
#include <vector>

#include "flat_graph.h"

namespace modelport::tf {

struct WhileFrame {
  struct Var {
    const FlatNode* enter = nullptr;
    const FlatNode* merge = nullptr;
    const FlatNode* next = nullptr;    // the NextIteration feeding the Merge
    const FlatNode* sw = nullptr;      // the Switch reading Merge:0
    const FlatNode* exit = nullptr;    // nullptr when nothing reads the final value
  };
  std::string name;                    // Enter's frame_name
  const FlatNode* loop_cond = nullptr;
  std::vector<Var> vars;
  std::vector<const FlatNode*> invariants;  // Enter nodes of the frame that no Merge reads
  // The tensors outside the frame it reads: the vars' initial values, then the invariants'.
  std::vector<std::string> outer_inputs() const;
};

// The frame of Exit node `exit`. Throws Error naming the file and the node for a malformed frame.
WhileFrame find_while_frame(const FlatGraph& fg, const FlatNode& exit);

// The frame's own nodes: its Enter/Merge/Switch/LoopCond/NextIteration/Exit nodes and what its
// condition and body compute (inner frames included), up to the Enter nodes.
std::vector<const FlatNode*> frame_nodes(const FlatGraph& fg, const WhileFrame& f);

}  // namespace modelport::tf
