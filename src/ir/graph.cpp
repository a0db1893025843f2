#include <algorithm>
#include <iterator>
#include <set>
#include <sstream>
#include <stdexcept>
#include <unordered_set>

#include "modelport/ir.h"

namespace modelport {

int64_t Node::attr_int(const std::string& k, int64_t def) const {
  auto it = attrs.find(k);
  return it != attrs.end() && std::holds_alternative<int64_t>(it->second) ? std::get<int64_t>(it->second) : def;
}
float Node::attr_float(const std::string& k, float def) const {
  auto it = attrs.find(k);
  return it != attrs.end() && std::holds_alternative<float>(it->second) ? std::get<float>(it->second) : def;
}
std::string Node::attr_string(const std::string& k, const std::string& def) const {
  auto it = attrs.find(k);
  return it != attrs.end() && std::holds_alternative<std::string>(it->second) ? std::get<std::string>(it->second)
                                                                             : def;
}
std::vector<int64_t> Node::attr_ints(const std::string& k, const std::vector<int64_t>& def) const {
  auto it = attrs.find(k);
  return it != attrs.end() && std::holds_alternative<std::vector<int64_t>>(it->second)
             ? std::get<std::vector<int64_t>>(it->second)
             : def;
}

// ---------------------------------------------------------------- use lists
void ValueList::add_use(Value* v) {
  if (v) v->uses_.push_back(this);
}

void ValueList::drop_use(Value* v) {
  if (!v) return;
  auto& u = v->uses_;
  auto it = std::find(u.rbegin(), u.rend(), this);  // newest first: a slot just set is dropped fast
  if (it != u.rend()) u.erase(std::next(it).base());
}

void ValueList::set(size_t i, Value* v) {
  Value*& slot = v_.at(i);
  if (slot == v) return;
  drop_use(slot);
  slot = v;
  add_use(v);
}

void ValueList::push_back(Value* v) {
  v_.push_back(v);
  add_use(v);
}

void ValueList::resize(size_t n) {
  while (v_.size() > n) {
    drop_use(v_.back());
    v_.pop_back();
  }
  v_.resize(n, nullptr);
}

void ValueList::assign(std::vector<Value*> vs) {
  for (Value* v : vs) add_use(v);  // before dropping: `vs` may repeat current entries
  for (Value* v : v_) drop_use(v);
  v_ = std::move(vs);
}

void ValueList::replace(const Value* from, Value* to) {
  for (size_t i = 0; i < v_.size(); ++i)
    if (v_[i] == from) set(i, to);
}

// ---------------------------------------------------------------- graph
Graph::Graph(std::string n, Graph* parent) : name(std::move(n)), parent_(parent) {}

Graph::~Graph() {
  // Uses go before the values they point at (members are destroyed after this body).
  outputs.clear();
  nodes_.clear();
}

std::string Graph::unique_name(const std::string& hint_in) {
  std::string hint = hint_in.empty() ? "v" : hint_in;
  auto taken = [&](const std::string& s) {
    for (const Graph* g = this; g; g = g->parent_)
      if (g->used_names_.count(s)) return true;
    return false;
  };
  std::string name = hint;
  int& n = name_counts_[hint];
  while (taken(name)) name = hint + "_" + std::to_string(++n);
  used_names_[name] = true;
  return name;
}

bool Graph::rename(Value* v, const std::string& new_name) {
  if (v->name == new_name) return true;
  for (const Graph* g = this; g; g = g->parent_)
    if (g->used_names_.count(new_name)) return false;
  used_names_.erase(v->name);
  used_names_[new_name] = true;
  v->name = new_name;
  return true;
}

Value* Graph::new_value(const std::string& hint) {
  values_.push_back(std::make_unique<Value>());
  Value* v = values_.back().get();
  v->name = unique_name(hint);
  return v;
}

Value* Graph::add_input(const std::string& name, DType dt, Shape shape) {
  Value* v = new_value(name);
  v->dtype = dt;
  v->shape = std::move(shape);
  inputs.push_back(v);
  return v;
}

Value* Graph::add_constant(const std::string& name_hint, Tensor t) {
  Value* v = new_value(name_hint.empty() ? "const" : name_hint);
  v->dtype = t.dtype;
  v->shape = Shape::of(t.dims);
  v->constant = std::make_shared<const Tensor>(std::move(t));
  return v;
}

Node* Graph::add_node(const std::string& op, std::vector<Value*> ins, size_t num_outputs,
                      std::map<std::string, Attribute> attrs, const std::string& name_hint) {
  auto node = std::make_unique<Node>();
  node->op = op;
  node->name = unique_name(name_hint.empty() ? op : name_hint);
  node->inputs = std::move(ins);
  node->attrs = std::move(attrs);
  for (size_t i = 0; i < num_outputs; ++i) {
    Value* v = new_value(node->name + (num_outputs == 1 ? std::string(":out") : ":out" + std::to_string(i)));
    v->producer = node.get();
    node->outputs.push_back(v);
  }
  nodes_.push_back(std::move(node));
  return nodes_.back().get();
}

Value* Graph::op(const std::string& op, std::vector<Value*> ins, std::map<std::string, Attribute> attrs,
                 const std::string& name_hint) {
  return add_node(op, std::move(ins), 1, std::move(attrs), name_hint)->outputs[0];
}

std::vector<Value*> Graph::constants() const {
  std::vector<Value*> out;
  for (auto& v : values_)
    if (v->constant) out.push_back(v.get());
  return out;
}

void for_each_subgraph_of(const Node& n, const std::function<void(Graph&)>& fn) {
  for (auto& [k, a] : n.attrs)
    if (auto* sg = std::get_if<GraphPtr>(&a); sg && *sg) fn(**sg);
}

void for_each_subgraph(const Graph& g, const std::function<void(Graph&)>& fn) {
  for (auto& n : g.nodes()) for_each_subgraph_of(*n, fn);
}

void Graph::replace_all_uses(Value* from, Value* to) {
  if (from == to) return;
  std::vector<ValueList*> lists = from->uses();  // shrinks while rewriting
  for (ValueList* l : lists) l->replace(from, to);
}

bool Graph::is_output(const Value* v) const {
  for (const ValueList* l : v->uses())
    if (l->graph() == this) return true;
  return false;
}

void Graph::erase_nodes(const std::vector<const Node*>& dead) {
  if (dead.empty()) return;
  std::unordered_set<const Node*> d(dead.begin(), dead.end());
  std::unordered_set<const Value*> dead_vals;
  for (const Node* n : dead)
    for (auto* o : n->outputs) dead_vals.insert(o);
  // Destroying the nodes drops their (and their subgraphs') uses of other values.
  nodes_.erase(std::remove_if(nodes_.begin(), nodes_.end(), [&](auto& n) { return d.count(n.get()) != 0; }),
               nodes_.end());
  for (const Value* v : dead_vals)
    if (!v->uses().empty())
      throw std::logic_error("graph IR: removed node output '" + v->name + "' is still used");
  values_.erase(std::remove_if(values_.begin(), values_.end(),
                               [&](auto& v) {
                                 if (!dead_vals.count(v.get())) return false;
                                 used_names_.erase(v->name);
                                 return true;
                               }),
                values_.end());
}

bool Graph::inline_subgraph(const Node* at, Graph& sub) {
  auto pos = std::find_if(nodes_.begin(), nodes_.end(), [&](auto& n) { return n.get() == at; });
  if (pos == nodes_.end() || sub.outputs.size() != at->outputs.size()) return false;
  for (Value* o : at->outputs)
    if (std::find(outputs.begin(), outputs.end(), o) != outputs.end()) return false;
  // The branch's value and node names are unique among its ancestors as they were when it was
  // built; names this graph took later may repeat them.
  for (auto& v : sub.values_) v->name = unique_name(v->name);
  for (auto& n : sub.nodes_) n->name = unique_name(n->name);
  std::move(sub.values_.begin(), sub.values_.end(), std::back_inserter(values_));
  sub.values_.clear();
  for (auto& n : sub.nodes_)  // the moved nodes' own subgraphs now hang off this graph
    for (auto& [k, a] : n->attrs)
      if (auto* g = std::get_if<GraphPtr>(&a); g && *g) (*g)->parent_ = this;
  size_t index = static_cast<size_t>(pos - nodes_.begin());
  nodes_.insert(nodes_.begin() + index, std::make_move_iterator(sub.nodes_.begin()),
                std::make_move_iterator(sub.nodes_.end()));
  sub.nodes_.clear();
  for (size_t i = 0; i < at->outputs.size(); ++i) replace_all_uses(at->outputs[i], sub.outputs[i]);
  sub.outputs.clear();
  return true;
}

size_t Graph::remove_dead() {
  // One backward sweep: a node is dead when none of its outputs is used. Dropping a dead node's
  // input uses (and its subgraphs') at once lets the earlier producers it read see that; a live
  // node's subgraphs are cleaned before the nodes above it are looked at, for the same reason.
  size_t removed = 0;
  std::unordered_set<const Node*> dead;
  for (auto it = nodes_.rbegin(); it != nodes_.rend(); ++it) {
    Node* n = it->get();
    bool used = false;
    for (auto* o : n->outputs) used |= !o->uses().empty();
    if (used) {
      for_each_subgraph_of(*n, [&](Graph& sg) { removed += sg.remove_dead(); });
      continue;
    }
    n->inputs.clear();
    n->attrs.clear();  // subgraphs go with their uses
    dead.insert(n);
  }
  std::unordered_set<const Value*> dead_vals;
  for (const Node* n : dead)
    for (auto* o : n->outputs) dead_vals.insert(o);
  nodes_.erase(std::remove_if(nodes_.begin(), nodes_.end(), [&](auto& n) { return dead.count(n.get()) != 0; }),
               nodes_.end());
  size_t before = values_.size();
  values_.erase(std::remove_if(values_.begin(), values_.end(),
                               [&](auto& v) {
                                 if (!dead_vals.count(v.get()) && !(v->constant && v->uses().empty())) return false;
                                 used_names_.erase(v->name);
                                 return true;
                               }),
                values_.end());
  return removed + dead.size() + (before - values_.size() - dead_vals.size());
}

namespace {
std::string attr_str(const Attribute& a) {
  std::ostringstream os;
  auto list = [&](const auto& v) {
    os << "[";
    for (size_t i = 0; i < v.size(); ++i) os << (i ? "," : "") << v[i];
    os << "]";
  };
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, int64_t> || std::is_same_v<T, float>) os << x;
        else if constexpr (std::is_same_v<T, std::string>) os << '"' << x << '"';
        else if constexpr (std::is_same_v<T, std::vector<int64_t>> || std::is_same_v<T, std::vector<float>> ||
                           std::is_same_v<T, std::vector<std::string>>) list(x);
        else if constexpr (std::is_same_v<T, Tensor>) {
          os << "tensor<" << dtype_name(x.dtype) << ">";
          list(x.dims);
        } else os << "graph(" << (x ? x->name : "null") << ")";
      },
      a);
  return os.str();
}

void dump_graph(const Graph& g, std::ostringstream& os, const std::string& indent) {
  auto vstr = [](const Value* v) {
    return v ? "%" + v->name + ":" + dtype_name(v->dtype) + v->shape.str() : std::string("<none>");
  };
  os << indent << "graph " << g.name << " (\n";
  for (auto* v : g.inputs) os << indent << "  input " << vstr(v) << "\n";
  os << indent << ") {\n";
  for (auto* c : g.constants()) os << indent << "  const " << vstr(c) << "\n";
  for (auto& n : g.nodes()) {
    os << indent << "  ";
    for (size_t i = 0; i < n->outputs.size(); ++i) os << (i ? ", " : "") << vstr(n->outputs[i]);
    os << " = " << (n->domain.empty() ? "" : n->domain + ".") << n->op << "(";
    for (size_t i = 0; i < n->inputs.size(); ++i)
      os << (i ? ", " : "") << (n->inputs[i] ? "%" + n->inputs[i]->name : std::string("<none>"));
    os << ")";
    if (!n->attrs.empty()) {
      os << " {";
      bool first = true;
      for (auto& [k, a] : n->attrs) {
        os << (first ? "" : ", ") << k << "=" << attr_str(a);
        first = false;
      }
      os << "}";
    }
    if (!n->source.empty()) os << "  # " << n->source;
    os << "\n";
    for (auto& [k, a] : n->attrs)
      if (auto* sg = std::get_if<GraphPtr>(&a); sg && *sg) dump_graph(**sg, os, indent + "    ");
  }
  os << indent << "  return ";
  for (size_t i = 0; i < g.outputs.size(); ++i) os << (i ? ", " : "") << vstr(g.outputs[i]);
  os << "\n" << indent << "}\n";
}
}  // namespace

std::string Graph::dump() const {
  std::ostringstream os;
  dump_graph(*this, os, "");
  return os.str();
}

}  // namespace modelport
