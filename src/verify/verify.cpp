#include "verify/verify.h"

#include <onnx/onnx_pb.h>

#include <cmath>
#include <fstream>
#include <random>
#include <set>

#include "modelport/error.h"
#include "modelport/tensor_ops.h"
#include "util/npy.h"
#include "verify/ort_runner.h"

namespace modelport {
namespace {

struct SignatureEntry {
  std::string name;
  DType dtype = DType::Undefined;
  std::vector<Dim> dims;
};

DType from_onnx_type(int t) {
  switch (t) {
    case onnx::TensorProto::FLOAT: return DType::Float32;
    case onnx::TensorProto::DOUBLE: return DType::Float64;
    case onnx::TensorProto::FLOAT16: return DType::Float16;
    case onnx::TensorProto::BFLOAT16: return DType::BFloat16;
    case onnx::TensorProto::INT8: return DType::Int8;
    case onnx::TensorProto::INT16: return DType::Int16;
    case onnx::TensorProto::INT32: return DType::Int32;
    case onnx::TensorProto::INT64: return DType::Int64;
    case onnx::TensorProto::UINT8: return DType::UInt8;
    case onnx::TensorProto::BOOL: return DType::Bool;
    default: return DType::Undefined;
  }
}

// An ONNX file's graph (parsing the file; external data is not loaded).
onnx::ModelProto read_onnx(const std::string& path) {
  onnx::ModelProto m;
  std::ifstream in(path, std::ios::binary);
  if (!in || !m.ParseFromIstream(&in)) throw Error(path + ": not a readable ONNX model");
  return m;
}

// The model's graph inputs (initializers excluded).
std::vector<SignatureEntry> onnx_inputs(const onnx::ModelProto& m) {
  std::set<std::string> inits;
  for (auto& t : m.graph().initializer()) inits.insert(t.name());
  std::vector<SignatureEntry> out;
  for (auto& vi : m.graph().input()) {
    if (inits.count(vi.name())) continue;
    SignatureEntry e;
    e.name = vi.name();
    e.dtype = from_onnx_type(vi.type().tensor_type().elem_type());
    for (auto& d : vi.type().tensor_type().shape().dim())
      e.dims.push_back(d.has_dim_value() ? Dim::fixed(d.dim_value())
                                         : Dim::sym(d.dim_param().empty() ? "?" : d.dim_param()));
    out.push_back(std::move(e));
  }
  return out;
}

struct StatePair {
  std::string source, input, output;
};

// The state pairs recorded in metadata kStateMetadataKey ("source:input:output;...").
std::vector<StatePair> onnx_state(const onnx::ModelProto& m, const std::string& path) {
  std::vector<StatePair> out;
  for (auto& p : m.metadata_props()) {
    if (p.key() != kStateMetadataKey) continue;
    std::string v = p.value();
    for (size_t start = 0; start < v.size();) {
      size_t end = std::min(v.find(';', start), v.size());
      std::string e = v.substr(start, end - start);
      size_t a = e.find(':'), b = e.rfind(':');
      if (a == std::string::npos || a == b) throw Error(path + ": malformed " + kStateMetadataKey + " entry '" + e + "'");
      out.push_back({e.substr(0, a), e.substr(a + 1, b - a - 1), e.substr(b + 1)});
      start = end + 1;
    }
  }
  return out;
}

std::string dims_str(const std::vector<int64_t>& d) {
  std::string s = "[";
  for (size_t i = 0; i < d.size(); ++i) s += (i ? "," : "") + std::to_string(d[i]);
  return s + "]";
}

OutputCheck compare(const std::string& name, const Tensor& got, const Tensor& want, const VerifyOptions& o) {
  OutputCheck c;
  c.name = name;
  c.dtype = dtype_name(got.dtype);
  c.shape = dims_str(got.dims);
  c.expected_dtype = dtype_name(want.dtype);
  c.expected_shape = dims_str(want.dims);
  if (got.dims != want.dims) {
    c.ok = false;
    c.problem = "shape " + c.shape + " != expected " + c.expected_shape;
    return c;
  }
  if (got.dtype != want.dtype) {
    c.ok = false;
    c.problem = "dtype " + c.dtype + " != expected " + c.expected_dtype;
  }
  for (int64_t i = 0; i < want.numel(); ++i) {
    double a = got.as_double(i), b = want.as_double(i);
    if (std::isnan(a) && std::isnan(b)) continue;
    double d = std::abs(a - b);
    if (std::isnan(d)) d = INFINITY;
    c.max_abs = std::max(c.max_abs, d);
    if (!std::isnan(b)) c.ref_max_abs = std::max(c.ref_max_abs, std::abs(b));
    if (b != 0) c.max_rel = std::max(c.max_rel, d / std::abs(b));
    if (d > o.atol + o.rtol * std::abs(b) && c.problem.empty()) {
      c.ok = false;
      c.problem = "values differ beyond --atol/--rtol";
    }
  }
  return c;
}

// TensorFlow.js has no int64 or float64: where the reference's output is the narrower type of the
// same kind, compare in the ONNX output's type (and say so once).
void narrow_reference_dtypes(const std::vector<NamedTensor>& got, std::vector<NamedTensor>& want, VerifyReport& rep) {
  for (size_t i = 0; i < std::min(got.size(), want.size()); ++i) {
    DType g = got[i].tensor.dtype, w = want[i].tensor.dtype;
    bool widen = (g == DType::Int64 && w == DType::Int32) || (g == DType::Float64 && w == DType::Float32);
    if (!widen) continue;
    std::vector<double> v(size_t(want[i].tensor.numel()));
    for (size_t k = 0; k < v.size(); ++k) v[k] = want[i].tensor.as_double(int64_t(k));
    want[i].tensor = tensor_from_doubles(g, want[i].tensor.dims, v);
    std::string note = "the reference computes " + std::string(dtype_name(g)) + " outputs as " + dtype_name(w) +
                       " (TensorFlow.js has no " + dtype_name(g) + "): compared in " + dtype_name(g);
    if (std::find(rep.notes.begin(), rep.notes.end(), note) == rep.notes.end()) rep.notes.push_back(note);
  }
}

}  // namespace

Tensor random_tensor(DType dt, const std::vector<int64_t>& dims, uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto uniform = [&] { return (static_cast<double>(rng() >> 11) + 0.5) / 9007199254740992.0; };
  int64_t n = 1;
  for (auto d : dims) n *= d;
  std::vector<double> values(static_cast<size_t>(n));
  for (auto& v : values) {
    if (dtype_is_float(dt)) v = std::sqrt(-2 * std::log(uniform())) * std::cos(2 * M_PI * uniform());  // N(0,1)
    else if (dt == DType::Bool) v = static_cast<double>(rng() & 1);
    else v = static_cast<double>(rng() % 10);
  }
  return tensor_from_doubles(dt, dims, values);
}

VerifyReport verify_export(const std::string& source, Format format, const std::string& onnx_path,
                           const VerifyOptions& opts) {
  VerifyReport rep;
  onnx::ModelProto proto = read_onnx(onnx_path);
  auto sig = onnx_inputs(proto);
  auto state = onnx_state(proto, onnx_path);
  auto state_of_input = [&](const std::string& name) -> const StatePair* {
    for (auto& s : state)
      if (s.input == name) return &s;
    return nullptr;
  };
  int calls = state.empty() ? 1 : kStateCalls;
  std::vector<std::string> symbols;
  for (auto& e : sig)
    for (auto& d : e.dims)
      if (d.is_symbol() && std::find(symbols.begin(), symbols.end(), d.symbol) == symbols.end())
        symbols.push_back(d.symbol);
  for (auto& kv : opts.input_data) {
    const std::string& name = kv.first;  // (a structured binding cannot be captured before C++20: clang)
    if (std::none_of(sig.begin(), sig.end(), [&](auto& e) { return e.name == name; }))
      throw UsageError("--input-data " + name + ": the ONNX model has no input named '" + name + "'");
  }

  for (auto& [name, ab] : opts.sizes)
    if (std::find(symbols.begin(), symbols.end(), name) == symbols.end())
      throw UsageError("--sizes " + name + ": the ONNX model has no symbolic axis named '" + name + "'");
  // Given data fixes the sizes: one run. Otherwise two runs with different sizes for every symbol.
  std::vector<std::map<std::string, int64_t>> size_sets;
  if (!opts.input_data.empty() || symbols.empty()) size_sets.push_back({});
  else {
    std::map<std::string, int64_t> a, b;
    for (auto& s : symbols) {
      auto it = opts.sizes.find(s);
      a[s] = it == opts.sizes.end() ? 2 : it->second.first;
      b[s] = it == opts.sizes.end() ? 3 : it->second.second;
    }
    size_sets = {a, b};
  }
  bool has_expected = !opts.expected.empty();
  std::unique_ptr<SourceReference> ref;
  if (has_expected) {
    rep.reference = "expected .npy files";
  } else {
    try {
      ref = open_reference(source, format, opts.load);
      if (!ref) rep.not_verified = std::string("no reference runtime for ") + format_name(format) + " models";
    } catch (const ReferenceUnavailable& e) {
      rep.not_verified = std::string("TensorFlow.js cannot take this model: ") + e.what();
    }
    rep.reference = ref ? ref->name() : "none";
  }
  for (size_t run = 0; run < size_sets.size() && rep.fixed_axes.empty(); ++run) {
    if (ref) ref->reset();
    std::map<std::string, Tensor> carried;  // state input -> its value for the next call
    for (int call = 0; call < calls; ++call) {
      VerifyRun vr;
      vr.symbol_sizes = size_sets[run];
      vr.call = state.empty() ? -1 : call;
      std::vector<NamedTensor> feeds;
      for (size_t i = 0; i < sig.size(); ++i) {
        auto& e = sig[i];
        if (auto it = opts.input_data.find(e.name); it != opts.input_data.end()) {
          feeds.push_back({e.name, read_npy(it->second)});
          continue;
        }
        if (auto it = carried.find(e.name); it != carried.end()) {
          feeds.push_back({e.name, it->second});
          continue;
        }
        const StatePair* sp = state_of_input(e.name);
        std::optional<Tensor> initial = sp && ref && rep.not_verified.empty() ? ref->state(sp->source) : std::nullopt;
        if (initial) {
          feeds.push_back({e.name, *initial});
          continue;
        }
        std::vector<int64_t> dims;
        for (auto& d : e.dims) dims.push_back(d.is_fixed() ? d.value : vr.symbol_sizes.at(d.symbol));
        feeds.push_back({e.name, random_tensor(e.dtype, dims, opts.seed * 1000003 + run * 101 + i + uint64_t(call) * 7919)});
      }
      std::vector<NamedTensor> got;
      try {
        got = run_onnxruntime(onnx_path, feeds);
      } catch (const Error& e) {
        if (run > 0 && !symbols.empty()) {
          // Worked at the first sizes, fails at the second: some symbolic axis is really fixed.
          for (auto& s : symbols) rep.fixed_axes.push_back(s);
          rep.notes.push_back(std::string("ONNX Runtime fails when the symbolic axes change size: ") + e.what());
          rep.ok = false;
          rep.runs.push_back(vr);
          break;
        }
        throw;
      }
      for (auto& s : state)
        for (auto& g : got)
          if (g.name == s.output) carried[s.input] = g.tensor;
      std::vector<NamedTensor> want;
      if (has_expected) {
        for (auto& g : got) {
          auto it = opts.expected.find(g.name);
          if (it == opts.expected.end()) continue;
          want.push_back({g.name, read_npy(it->second)});
        }
      } else if (ref && rep.not_verified.empty()) {
        try {
          // The source takes forward()'s arguments only; its state after the call follows its outputs.
          std::vector<NamedTensor> args;
          for (auto& f : feeds)
            if (!state_of_input(f.name)) args.push_back(f);
          want = ref->run(args);
          for (auto& s : state) {
            std::optional<Tensor> now = ref->state(s.source);
            if (!now) throw ReferenceUnavailable(ref->name() + " keeps no module state to compare " + s.output + " with");
            want.push_back({s.output, *now});
          }
          rep.reference_version = ref->version();
        } catch (const ReferenceUnavailable& e) {
          rep.not_verified = *e.what() ? e.what() : "the reference failed without saying why";
          want.clear();
        }
        if (rep.not_verified.empty() && want.size() != got.size()) {
          rep.ok = false;
          rep.notes.push_back("the source model returned " + std::to_string(want.size()) + " outputs, ONNX " +
                              std::to_string(got.size()));
        }
        narrow_reference_dtypes(got, want, rep);
      }
      for (size_t i = 0; i < got.size(); ++i) {
        if (has_expected) {
          auto it = std::find_if(want.begin(), want.end(), [&](auto& w) { return w.name == got[i].name; });
          if (it == want.end()) continue;
          vr.outputs.push_back(compare(got[i].name, got[i].tensor, it->tensor, opts));
        } else if (i < want.size() && rep.not_verified.empty()) {
          vr.outputs.push_back(compare(got[i].name, got[i].tensor, want[i].tensor, opts));
        } else {
          OutputCheck c;
          c.name = got[i].name;
          c.dtype = dtype_name(got[i].tensor.dtype);
          c.shape = dims_str(got[i].tensor.dims);
          vr.outputs.push_back(c);
        }
        if (!vr.outputs.back().ok) rep.ok = false;
      }
      rep.runs.push_back(vr);
    }
  }
  // An axis that changes size in the input but leaves every output shape unchanged while the
  // reference's output shapes change was baked in somewhere.
  if (rep.runs.size() == size_t(2 * calls) && size_sets.size() == 2 && rep.fixed_axes.empty()) {
    auto& a = rep.runs[0].outputs;
    auto& b = rep.runs[size_t(calls)].outputs;
    for (size_t i = 0; i < std::min(a.size(), b.size()); ++i)
      if (!a[i].expected_shape.empty() && a[i].expected_shape != b[i].expected_shape && a[i].shape == b[i].shape) {
        for (auto& s : symbols) rep.fixed_axes.push_back(s);
        rep.ok = false;
        break;
      }
  }
  if (has_expected)
    for (auto& [name, f] : opts.expected) {
      bool found = false;
      for (auto& o : rep.runs.front().outputs) found |= o.name == name;
      if (!found) throw UsageError("--expected " + name + ": the ONNX model has no output named '" + name + "'");
    }
  return rep;
}

int VerifyReport::exit_code() const {
  if (!ok) return kExitVerifyMismatch;
  return not_verified.empty() ? kExitOk : kExitNotVerified;
}

nlohmann::json VerifyReport::to_json() const {
  nlohmann::json j = {{"ok", ok},
                      {"verified", not_verified.empty()},
                      {"reference", reference},
                      {"reference_version", reference_version},
                      {"not_verified", not_verified.empty() ? nlohmann::json(nullptr) : nlohmann::json(not_verified)},
                      {"notes", notes},
                      {"fixed_axes", fixed_axes}};
  j["runs"] = nlohmann::json::array();
  for (auto& r : runs) {
    nlohmann::json outs = nlohmann::json::array();
    for (auto& o : r.outputs)
      outs.push_back({{"name", o.name}, {"dtype", o.dtype}, {"shape", o.shape}, {"max_abs_diff", o.max_abs},
                      {"max_rel_diff", o.max_rel}, {"ref_max_abs", o.ref_max_abs}, {"ok", o.ok}, {"problem", o.problem}});
    j["runs"].push_back({{"symbol_sizes", r.symbol_sizes}, {"outputs", outs}});
    if (r.call >= 0) j["runs"].back()["call"] = r.call;
  }
  return j;
}

}  // namespace modelport
