// Dicts and list mutation: prim::DictConstruct, dict item assignment and lookup, list append.
// Mutations rebind the mutated TorchScript value to its new contents, so later uses see them.
#include <optional>

#include "loaders/torchscript/registry.h"

namespace modelport::ts {
namespace {

std::string key_of(Ctx& c, size_t i) {
  const LVal& k = c.in(i);
  if (k.kind == LVal::Kind::String) return k.s;
  if (k.kind == LVal::Kind::Int) return std::to_string(k.i);
  c.fail("dict keys must be constant strings or ints, got " + k.describe());
}

// Index of `key` in dict `d`, or nullopt.
std::optional<size_t> find_key(const LVal& d, const std::string& key) {
  for (size_t j = 0; j < d.keys.size(); ++j)
    if (d.keys[j] == key) return j;
  return std::nullopt;
}

void set_item(LVal& d, const std::string& key, const LVal& v) {
  if (auto j = find_key(d, key)) {
    d.items[*j] = v;
    return;
  }
  d.keys.push_back(key);
  d.items.push_back(v);
}

// aten::dict(): an empty dict; aten::dict(d): a copy of d.
void lower_dict(Ctx& c) {
  if (c.num_inputs() == 0) return c.out(LVal::dict());
  if (c.in(0).is_dict()) return c.out(c.in(0));
  c.fail("dict() of a " + c.in(0).describe());
}

void lower_dict_construct(Ctx& c) {
  LVal d = LVal::dict();
  if (c.num_inputs() % 2) c.fail("odd number of key/value inputs");
  for (size_t i = 0; i + 1 < c.num_inputs(); i += 2) set_item(d, key_of(c, i), c.in(i + 1));
  c.out(d);
}

// aten::_set_item(dict, key, value) for dicts; list item assignment for lists.
void lower_set_item(Ctx& c) {
  LVal d = c.in(0);
  if (d.is_dict()) {
    set_item(d, key_of(c, 1), c.in(2));
  } else if (d.kind == LVal::Kind::List) {
    int64_t i = c.int_arg(1);
    if (i < 0) i += int64_t(d.items.size());
    if (i < 0 || i >= int64_t(d.items.size())) c.fail("list index out of range");
    d.items[size_t(i)] = c.in(2);
  } else {
    c.fail("item assignment on a " + d.describe());
  }
  c.bind(c.node->input(0), d);
  if (!c.node->outputs().empty()) c.out(LVal::none());
}

void lower_append(Ctx& c) {
  LVal l = c.in(0);
  if (l.kind != LVal::Kind::List) c.fail("append to a " + l.describe());
  l.items.push_back(c.in(1));
  c.bind(c.node->input(0), l);
  if (!c.node->outputs().empty()) c.out(l);
}

void lower_dict_get(Ctx& c) {
  const LVal& d = c.in(0);
  if (!d.is_dict()) c.fail("get() on a " + d.describe());
  if (auto j = find_key(d, key_of(c, 1))) return c.out(d.items[*j]);
  if (c.num_inputs() > 2) return c.out(c.in(2));
  c.out(LVal::none());
}

void lower_dict_values(Ctx& c) {
  const LVal& d = c.in(0);
  if (!d.is_dict()) c.fail("values() of a " + d.describe());
  c.out(LVal::list(d.items));
}

void lower_dict_keys(Ctx& c) {
  const LVal& d = c.in(0);
  if (!d.is_dict()) c.fail("keys() of a " + d.describe());
  std::vector<LVal> ks;
  for (auto& k : d.keys) ks.push_back(LVal::of_string(k));
  c.out(LVal::list(ks));
}

}  // namespace

// Dict lookup d[key], used by aten::__getitem__ when its first input is a dict.
void lower_dict_getitem(Ctx& c) {
  const LVal& d = c.in(0);
  std::string key = key_of(c, 1);
  if (auto j = find_key(d, key)) return c.out(d.items[*j]);
  c.fail("dict has no key '" + key + "'");
}

void register_container_ops(Registry& r) {
  r["prim::DictConstruct"] = lower_dict_construct;
  r["aten::dict"] = lower_dict;
  r["aten::_set_item"] = lower_set_item;
  r["aten::append"] = lower_append;
  r["aten::get"] = lower_dict_get;
  r["aten::values"] = lower_dict_values;
  r["aten::keys"] = lower_dict_keys;
}

}  // namespace modelport::ts
