#include "converter.h"

#include <sstream>

#include "modelport/error.h"
#include "ops/translators.h"

namespace modelport::tf {

std::string canonical_tensor(const std::string& t) {
  auto [n, k] = split_tensor_name(t);
  return n + ":" + std::to_string(k);
}

Converter::Converter(const FlatGraph& fg, Graph& g, std::string where, std::shared_ptr<const void> keepalive)
    : fg_(fg), g_(g), where_(std::move(where)), keepalive_(std::move(keepalive)) {}

Converter::Converter(const Converter& parent, const FlatGraph& fg, Graph& g)
    : Converter(fg, g, parent.where_, parent.keepalive_) {
  variable_value = parent.variable_value;
  shapeless_lists = parent.shapeless_lists;
}

std::vector<std::string> Converter::dependencies(const FlatNode& n) const {
  return n.op == "Exit" ? frame_of(n).outer_inputs() : n.inputs;
}

const WhileFrame& Converter::frame_of(const FlatNode& exit) const {
  auto& f = frames_[exit.name];
  if (!f) f = std::make_shared<const WhileFrame>(find_while_frame(fg_, exit));
  return *f;
}

void Converter::feed(const std::string& tensor, Value* v) { feeds_[canonical_tensor(tensor)] = v; }

Value* Converter::lookup(const std::string& tensor) const {
  if (auto it = feeds_.find(tensor); it != feeds_.end()) return it->second;
  auto [n, k] = split_tensor_name(tensor);
  auto it = produced_.find(n);
  if (it == produced_.end()) return nullptr;
  if (size_t(k) >= it->second.size() || !it->second[size_t(k)])
    throw Error(where_ + ": tensor '" + tensor + "' is not an output the converter produces for its node");
  return it->second[size_t(k)];
}

std::vector<const FlatNode*> Converter::reachable(const std::vector<std::string>& tensors) const {
  std::vector<const FlatNode*> order;
  std::map<const FlatNode*, int> state;  // 1 = visiting, 2 = done
  struct Frame {
    const FlatNode* n;
    std::vector<std::string> deps;
    size_t next;
  };
  for (auto& t0 : tensors) {
    std::string t = canonical_tensor(t0);
    if (feeds_.count(t)) continue;
    auto [name, k] = split_tensor_name(t);
    const FlatNode* root = fg_.find(name);
    if (!root) throw Error(where_ + ": no node '" + name + "' in the graph (tensor '" + t0 + "')");
    if (state[root] == 2) continue;
    std::vector<Frame> stack{{root, dependencies(*root), 0}};
    state[root] = 1;
    while (!stack.empty()) {
      Frame& f = stack.back();
      if (f.next < f.deps.size()) {
        const std::string in = canonical_tensor(f.deps[f.next++]);
        if (feeds_.count(in)) continue;
        auto [iname, ik] = split_tensor_name(in);
        const FlatNode* m = fg_.find(iname);
        if (!m) throw Error(where_ + ": node '" + f.n->name + "' reads unknown node '" + iname + "'");
        int& s = state[m];
        if (s == 1) throw Error(where_ + ": graph cycle through '" + m->name + "' (a cycle outside a tf.while_loop frame)");
        if (s == 0) {
          s = 1;
          stack.push_back({m, dependencies(*m), 0});
        }
        continue;
      }
      state[f.n] = 2;
      order.push_back(f.n);
      stack.pop_back();
    }
  }
  return order;
}

void Converter::check_supported(const std::vector<const FlatNode*>& nodes) const {
  struct Seen {
    int count = 0;
    std::string first;
  };
  std::map<std::string, Seen> bad;
  std::vector<std::string> order;
  for (auto* n : nodes) {
    if (op_table().count(n->op)) continue;
    Seen& s = bad[n->op];
    if (s.count++ == 0) {
      s.first = n->name;
      order.push_back(n->op);
    }
  }
  if (bad.empty()) return;
  std::ostringstream os;
  os << where_ << ": unsupported TensorFlow ops: ";
  for (size_t i = 0; i < order.size(); ++i) {
    const Seen& s = bad[order[i]];
    os << (i ? ", " : "") << order[i] << " x" << s.count << " (first: " << s.first << ")";
  }
  throw Error(os.str());
}

std::vector<Value*> Converter::convert(const std::vector<std::string>& tensors) {
  auto nodes = reachable(tensors);
  check_supported(nodes);
  for (auto* n : nodes)
    if (!produced_.count(n->name)) translate(*n);
  std::vector<Value*> out;
  for (auto& t : tensors) {
    Value* v = lookup(canonical_tensor(t));
    if (!v) throw Error(where_ + ": tensor '" + t + "' was not produced");
    out.push_back(v);
  }
  return out;
}

void Converter::translate(const FlatNode& n) {
  std::vector<Value*> ins;
  for (auto& t0 : dependencies(n)) {
    std::string t = canonical_tensor(t0);
    Value* v = lookup(t);
    if (!v) throw Error(where_ + ": " + n.op + " node '" + n.name + "' reads '" + t + "', which was not converted before it");
    ins.push_back(v);
  }
  OpCtx ctx(*this, n, std::move(ins));
  try {
    produced_[n.name] = op_table().at(n.op)(ctx);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(where_ + ": " + n.op + " node '" + n.name + "': " + e.what());
  }
}

}  // namespace modelport::tf
