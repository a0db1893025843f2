#include "cli/commands.h"

#include <malloc.h>
#include <unistd.h>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "cli/inspect_onnx.h"
#include "cli/ops_listing.h"
#include "cli/progress.h"
#include "modelport/convert.h"
#include "modelport/error.h"
#include "modelport/limits.h"
#include "modelport/loaders.h"
#include "passes/cleanup.h"
#include "pipeline/git_revision.h"
#include "pipeline/manifest.h"

namespace modelport::cli {
namespace {
namespace fs = std::filesystem;
using json = nlohmann::json;

// Options that apply to every command, accepted before or after it.
struct Globals {
  bool verbose = false, quiet = false, json = false, version = false;
};

struct CommonSource {
  std::string model;
  std::string format = "auto";
  std::vector<std::string> inputs, outputs;
  std::string signature = "serving_default", tag = "serve";
  std::vector<std::string> nchw;
  std::vector<std::string> keras_configs;
  std::string max_tensor_bytes;
  std::string quantized = "integer";
};

void add_source_options(CLI::App* cmd, CommonSource& s) {
  cmd->add_option("MODEL", s.model, "Source model: TorchScript archive, SavedModel dir, GraphDef .pb, Keras .h5/.keras")
      ->required();
  cmd->add_option("--format", s.format, "Source format (default: detected from the content)")
      ->check(CLI::IsMember({"auto", "torchscript", "savedmodel", "graphdef", "keras_h5", "keras_v3", "tfjs"}));
  cmd->add_option("--input", s.inputs,
                  "Input NAME[:DTYPE][[DIM,...]] in argument order; a symbolic DIM is a dynamic axis "
                  "(e.g. x:float32[batch,3,224,224])");
  cmd->add_option("--output", s.outputs, "Output name (renames, in order; for GraphDef: tensor name)");
  cmd->add_option("--signature", s.signature, "SavedModel signature")->capture_default_str();
  cmd->add_option("--tag", s.tag, "SavedModel tag set")->capture_default_str();
  cmd->add_option("--inputs-as-nchw", s.nchw, "Keras/TF: make this input channel-first");
  cmd->add_option("--keras-config", s.keras_configs,
                  "CLASS=FILE.json: a Sequential/Functional config describing a custom Keras model class");
  cmd->add_option("--quantized", s.quantized,
                  "TorchScript quantized ops: integer (QuantizeLinear/MatMulInteger/..., the quantized module's "
                  "numbers) or float (dequantized weights, float ops; warns)")
      ->check(CLI::IsMember({"integer", "float"}))
      ->capture_default_str();
  cmd->add_option("--max-tensor-bytes", s.max_tensor_bytes,
                  "Refuse a source tensor declared larger than this (bytes, or 512M, 16G, 2T; default 16G)");
}

std::map<std::string, std::string> name_file_pairs(const std::vector<std::string>& items, const std::string& flag,
                                                   const std::string& ext = ".npy") {
  std::map<std::string, std::string> m;
  for (auto& it : items) {
    auto eq = it.rfind('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == it.size())
      throw UsageError(flag + " '" + it + "': expected NAME=FILE" + ext);
    std::string file = it.substr(eq + 1);
    if (!fs::exists(file)) throw UsageError(flag + " '" + it + "': " + file + ": no such file");
    m[it.substr(0, eq)] = file;
  }
  return m;
}

LoadOptions load_options(const CommonSource& s) {
  LoadOptions o;
  for (auto& t : s.inputs) o.inputs.push_back(parse_input_spec(t));
  o.outputs = s.outputs;
  o.signature = s.signature;
  o.tag = s.tag;
  o.inputs_as_nchw = s.nchw;
  o.quantized = s.quantized == "float" ? QuantizedMode::Float : QuantizedMode::Integer;
  for (auto& [cls, file] : name_file_pairs(s.keras_configs, "--keras-config", ".json")) o.keras_configs[cls] = file;
  return o;
}

// --max-tensor-bytes sets the process-wide cap every loader checks (include/modelport/limits.h).
void apply_limits(const CommonSource& s) {
  if (!s.max_tensor_bytes.empty()) limits().max_tensor_bytes = parse_byte_size(s.max_tensor_bytes, "--max-tensor-bytes");
}

Format resolve_format(const CommonSource& s) {
  apply_limits(s);
  Format detected = detect_format(s.model);  // also reports a missing file
  if (s.format == "auto") return detected;
  return *parse_format(s.format);
}

// Model-derived text (paths, names, messages) may hold bytes that are not UTF-8: they are written as
// U+FFFD instead of ending the command in a JSON exception.
std::string json_text(const json& j, int indent = -1) {
  return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

json io_json(const std::vector<ConvertResult::Io>& ios) {
  json a = json::array();
  for (auto& io : ios) a.push_back({{"name", io.name}, {"dtype", io.dtype}, {"shape", io.shape}});
  return a;
}

// ------------------------------------------------------------------ verify options
struct VerifyArgs {
  uint64_t seed = 0;
  double atol = kDefaultAtol, rtol = kDefaultRtol;
  std::vector<std::string> input_data, expected, sizes;
};

void add_verify_options(CLI::App* cmd, VerifyArgs& v) {
  cmd->add_option("--seed", v.seed, "Seed of the random inputs")->capture_default_str();
  cmd->add_option("--atol", v.atol, "Absolute tolerance: |onnx-ref| <= atol + rtol*|ref|")->capture_default_str();
  cmd->add_option("--rtol", v.rtol, "Relative tolerance")->capture_default_str();
  cmd->add_option("--input-data", v.input_data, "NAME=FILE.npy: use this input instead of random data");
  cmd->add_option("--expected", v.expected, "NAME=FILE.npy: expected output (when no source runtime exists)");
  cmd->add_option("--sizes", v.sizes,
                  "SYMBOL=A,B: the two sizes a symbolic axis takes in the two runs (default 2,3)");
}

// "h=224,256" -> {"h", {224, 256}}
std::map<std::string, std::pair<int64_t, int64_t>> parse_sizes(const std::vector<std::string>& items) {
  std::map<std::string, std::pair<int64_t, int64_t>> m;
  for (auto& it : items) {
    auto eq = it.find('='), comma = it.find(',', eq == std::string::npos ? 0 : eq);
    long long a = 0, b = 0;
    char tail = 0;
    if (eq == std::string::npos || eq == 0 || comma == std::string::npos ||
        std::sscanf(it.c_str() + eq + 1, "%lld,%lld%c", &a, &b, &tail) != 2 || a < 1 || b < 1 || a == b)
      throw UsageError("--sizes '" + it + "': expected SYMBOL=A,B with two different positive sizes");
    m[it.substr(0, eq)] = {a, b};
  }
  return m;
}

VerifyOptions verify_options(const VerifyArgs& v) {
  VerifyOptions o;
  o.seed = v.seed;
  o.atol = v.atol;
  o.rtol = v.rtol;
  o.input_data = name_file_pairs(v.input_data, "--input-data");
  o.expected = name_file_pairs(v.expected, "--expected");
  o.sizes = parse_sizes(v.sizes);
  return o;
}

std::string reference_text(const VerifyReport& r) {
  return r.reference_version.empty() ? r.reference : r.reference + " " + r.reference_version;
}

// One line per output and size: what a person reads after an export.
void print_verify(const VerifyReport& r, bool quiet) {
  if (quiet) {  // only what failed
    if (!r.ok) std::cerr << "verify: FAILED against " << reference_text(r) << "\n";
    else if (!r.not_verified.empty()) std::cerr << "verify: NOT VERIFIED: " << r.not_verified << "\n";
    return;
  }
  for (auto& n : r.notes) std::cerr << "verify: " << n << "\n";
  for (auto& run : r.runs) {
    std::string sizes;
    for (auto& [k, v] : run.symbol_sizes) sizes += (sizes.empty() ? " (" : ", ") + k + "=" + std::to_string(v);
    if (!sizes.empty()) sizes += ")";
    if (run.call >= 0) sizes += " call " + std::to_string(run.call + 1);
    for (auto& o : run.outputs) {
      std::cerr << "verify: " << o.name << " " << o.dtype << o.shape << sizes;
      if (r.reference != "none" && r.not_verified.empty())
        std::cerr << ": max abs diff " << o.max_abs << ", max rel diff " << o.max_rel << (o.ok ? " ok" : " MISMATCH");
      if (!o.problem.empty()) std::cerr << " (" << o.problem << ")";
      std::cerr << "\n";
    }
  }
  for (auto& a : r.fixed_axes) std::cerr << "verify: symbolic axis '" << a << "' behaves as if it were fixed\n";
  if (!r.ok) std::cerr << "verify: FAILED against " << reference_text(r) << "\n";
  else if (!r.not_verified.empty()) std::cerr << "verify: NOT VERIFIED: " << r.not_verified << "\n";
  else std::cerr << "verify: passed against " << reference_text(r) << "\n";
}

// ------------------------------------------------------------------ export
struct ExportArgs {
  CommonSource src;
  std::string out;
  int opset = kDefaultOpset;
  Globals g;
  bool external_data = false, print_ir = false;
  bool verify = false, no_manifest = false;
  std::string manifest;
  std::vector<std::string> include;
  VerifyArgs v;
};

// Every export option as given, for the manifest.
json export_options_json(const ExportArgs& a) {
  return {{"format", a.src.format},     {"opset", a.opset},          {"input", a.src.inputs},
          {"output", a.src.outputs},    {"signature", a.src.signature}, {"tag", a.src.tag},
          {"inputs_as_nchw", a.src.nchw}, {"external_data", a.external_data}, {"verify", a.verify},
          {"seed", a.v.seed},           {"atol", a.v.atol},          {"rtol", a.v.rtol},
          {"include", a.include},       {"quantized", a.src.quantized}};
}

int do_export(const ExportArgs& a) {
  auto t0 = std::chrono::steady_clock::now();
  if (a.opset < kMinOpset || a.opset > kMaxOpset)
    throw UsageError("--opset " + std::to_string(a.opset) + " is not supported (supported: " +
                     std::to_string(kMinOpset) + ".." + std::to_string(kMaxOpset) + ")");
  apply_limits(a.src);  // convert() detects the format itself
  ConvertOptions o;
  o.load = load_options(a.src);
  if (a.src.format != "auto") o.format = *parse_format(a.src.format);
  o.emit.opset = a.opset;
  o.emit.external_data = a.external_data;
  o.output = a.out;
  o.manifest_path = a.manifest;
  o.write_manifest = !a.no_manifest;
  o.include = a.include;
  o.verify = a.verify;
  o.verify_options = verify_options(a.v);
  o.recorded_options = export_options_json(a);
  ProgressLine line(!a.g.json && !a.g.quiet);
  std::string phase;
  o.on_progress = [&](const Progress& p) {
    if (p.phase != phase && !line.enabled()) spdlog::info("{}: {}", a.src.model, progress_text(p));
    phase = p.phase;
    line.update(p);
  };
  o.on_warning = [&](const std::string& w) {
    line.clear();
    spdlog::warn("{}", w);
  };
  if (a.print_ir) o.on_ir = [](const std::string& ir) { std::cerr << ir; };
  ConvertResult r = convert(a.src.model, o);
  line.clear();
  if (r.verification) print_verify(*r.verification, a.g.quiet);

  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (a.g.json) {
    json j = {{"ok", r.ok()},
              {"command", "export"},
              {"source", a.src.model},
              {"format", format_name(r.format)},
              {"output", r.model_path},
              {"files", r.files},
              {"sha256", r.sha256},
              {"manifest", r.manifest_path.empty() ? json(nullptr) : json(r.manifest_path)},
              {"opset", a.opset},
              {"checks", checks_json(r.checks)},
              {"external_data", r.used_external_data},
              {"inputs", io_json(r.inputs)},
              {"outputs", io_json(r.outputs)},
              {"node_count", r.node_count},
              {"warnings", r.warnings},
              {"verification", r.verification ? r.verification->to_json() : json(nullptr)},
              {"seconds", secs}};
    if (int code = r.verification ? r.verification->exit_code() : kExitOk) j["exit_code"] = code;
    std::cout << json_text(j) << "\n";
  } else if (!a.g.quiet) {
    std::cerr << "wrote " << r.model_path << " (opset " << a.opset << ", " << r.node_count << " nodes";
    if (r.used_external_data) std::cerr << ", external data";
    if (!r.checks.onnx_checker) std::cerr << ", onnx checker not run";
    std::cerr << ") in " << secs << " s\n";
    if (!r.checks.onnx_checker && !r.checks.reason.empty() && !r.verification)
      std::cerr << "note: " << r.checks.reason << "; --verify runs the model in ONNX Runtime\n";
  }
  return r.verification ? r.verification->exit_code() : kExitOk;
}

// ------------------------------------------------------------------ verify
struct VerifyCmdArgs {
  Globals g;
  CommonSource src;
  std::string onnx;
  VerifyArgs v;
};

int do_verify(const VerifyCmdArgs& a) {
  Format fmt = resolve_format(a.src);
  if (!fs::exists(a.onnx)) throw Error(a.onnx + ": no such file or directory");
  VerifyReport r;
  {
    ProgressLine line(!a.g.json && !a.g.quiet);
    line.update(Progress{"verify"});
    VerifyOptions vo = verify_options(a.v);
    vo.load = load_options(a.src);
    r = verify_export(a.src.model, fmt, a.onnx, vo);
  }
  if (a.g.json) {
    json j = r.to_json();
    j["command"] = "verify";
    if (r.exit_code() != kExitOk) j["exit_code"] = r.exit_code();
    std::cout << json_text(j) << "\n";
  }
  print_verify(r, a.g.quiet);
  return r.exit_code();
}

// ------------------------------------------------------------------ inspect
struct InspectArgs {
  Globals g;
  CommonSource src;
  bool ir = false;
};

int do_inspect(const InspectArgs& a) {
  if (a.src.format == "auto")
    if (auto onnx = inspect_onnx(a.src.model)) {
      const json& j = *onnx;
      if (a.g.json) {
        std::cout << json_text(j, 2) << "\n";
        return kExitOk;
      }
      std::cout << "file:       " << a.src.model << "\n"
                << "format:     onnx (ir_version " << j["ir_version"] << ", opsets " << j["opsets"].dump() << ")\n"
                << "producer:   " << j["producer"]["name"].get<std::string>() << " "
                << j["producer"]["version"].get<std::string>() << "\n"
                << "nodes:      " << j["node_count"] << "\n";
      for (auto& io : j["inputs"])
        std::cout << "input:      " << io["name"].get<std::string>() << " " << io["elem_type"].get<std::string>()
                  << io["shape"].get<std::string>() << "\n";
      for (auto& io : j["outputs"])
        std::cout << "output:     " << io["name"].get<std::string>() << " " << io["elem_type"].get<std::string>()
                  << io["shape"].get<std::string>() << "\n";
      std::cout << "ops:\n";
      for (auto& [op, n] : j["ops"].items()) std::cout << "  " << op << " x" << n << "\n";
      return kExitOk;
    }
  LoadOptions opts = load_options(a.src);
  Format fmt = resolve_format(a.src);
  SourceReport rep = inspect_model(a.src.model, fmt, opts);
  std::string ir_dump;
  if (a.ir && rep.unsupported.empty()) {
    Model m = load_model(a.src.model, fmt, opts);
    cleanup_graph(*m.graph);
    ir_dump = m.graph->dump();
  }
  if (a.g.json) {
    auto ios = [](const std::vector<SourceReport::Io>& v) {
      json arr = json::array();
      for (auto& io : v) arr.push_back({{"name", io.name}, {"dtype", io.dtype}, {"shape", io.shape}});
      return arr;
    };
    json j = {{"ok", true},
              {"command", "inspect"},
              {"source", a.src.model},
              {"format", rep.format.empty() ? format_name(fmt) : rep.format},
              {"producer", {{"name", rep.producer_name}, {"version", rep.producer_version}}},
              {"inputs", ios(rep.inputs)},
              {"outputs", ios(rep.outputs)},
              {"ops", rep.source_ops},
              {"parameter_count", rep.parameter_count},
              {"unsupported", rep.unsupported},
              {"extra", rep.extra}};
    if (!ir_dump.empty()) j["ir"] = ir_dump;
    std::cout << json_text(j, 2) << "\n";
    return kExitOk;
  }
  std::cout << "file:       " << a.src.model << "\n"
            << "format:     " << (rep.format.empty() ? format_name(fmt) : rep.format) << "\n"
            << "producer:   " << rep.producer_name << (rep.producer_version.empty() ? "" : " " + rep.producer_version)
            << "\n"
            << "parameters: " << rep.parameter_count << "\n";
  for (auto& [k, v] : rep.extra) std::cout << k << ": " << v << "\n";
  for (auto& io : rep.inputs) std::cout << "input:      " << io.name << " " << io.dtype << io.shape << "\n";
  for (auto& io : rep.outputs) std::cout << "output:     " << io.name << " " << io.dtype << io.shape << "\n";
  std::cout << "ops:\n";
  for (auto& [op, n] : rep.source_ops) std::cout << "  " << op << " x" << n << "\n";
  if (!rep.unsupported.empty()) {
    std::cout << "unsupported:\n";
    for (auto& u : rep.unsupported) std::cout << "  " << u << "\n";
  }
  if (!ir_dump.empty()) std::cout << "ir:\n" << ir_dump;
  return kExitOk;
}

void print_error(const std::string& msg, int code, bool json_out) {
  std::string line = msg;
  for (auto& c : line)
    if (c == '\n' || c == '\r') c = ' ';
  std::cerr << "modelport: error: " << line << "\n";
  if (json_out) std::cout << json_text(json{{"ok", false}, {"error", line}, {"exit_code", code}}) << "\n";
}


// Every option of every command takes exactly one value per use (repeat it for more), so the
// order of options and the model path does not matter; global options are accepted after the
// command too.
void one_value_per_use(CLI::App* cmd) {
  cmd->fallthrough();
  for (CLI::Option* opt : cmd->get_options())
    if (opt->get_expected_max() > 1) opt->allow_extra_args(false);
}

json version_json() {
  json libs = json::object();
  for (auto& [k, v] : library_versions()) libs[k] = v;
  return {{"name", "modelport"}, {"version", MODELPORT_VERSION}, {"git_revision", git_revision()}, {"libraries", libs}};
}

}  // namespace

int run(int argc, char** argv) {
#ifdef __GLIBC__
  // Blocks of 128 KiB or more (weights) always come from mmap and go back to the system when freed.
  // Otherwise glibc raises this threshold after the first such block is freed (up to 32 MiB), and
  // weights freed later (replaced by folded ones) stay in the heap: 16 MiB more at resnet50's peak.
  ::mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#endif
  auto logger = spdlog::stderr_color_mt("modelport");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("modelport: %l: %v");
  spdlog::set_level(spdlog::level::warn);

  CLI::App app{"modelport: convert TorchScript, TensorFlow SavedModel/GraphDef and Keras models to ONNX"};
  app.require_subcommand(0, 1);
  Globals g;
  app.add_flag("--version", g.version, "Print the version (with --json: and every library version) and exit");
  auto* verbose = app.add_flag("-v,--verbose", g.verbose, "Log progress to stderr (any position)");
  app.add_flag("-q,--quiet", g.quiet, "Print only errors (and --json results) (any position)")->excludes(verbose);
  app.add_flag("--json", g.json, "Print one JSON result object on stdout; no progress display (any position)");

  ExportArgs ex;
  auto* exp = app.add_subcommand("export", "Convert a model to ONNX");
  add_source_options(exp, ex.src);
  exp->add_option("-o,--output-file", ex.out, "ONNX file to write")->required();
  exp->add_option("--opset", ex.opset,
                  "ONNX opset (" + std::to_string(kMinOpset) + ".." + std::to_string(kMaxOpset) +
                      "). The onnx checker and shape inference run up to " + std::to_string(kMaxCheckedOpset) +
                      " only (the linked onnx knows no newer schemas); above, nothing checks the model unless "
                      "--verify runs it in ONNX Runtime. The manifest's export.checks says which ran")
      ->capture_default_str();
  exp->add_flag("--external-data", ex.external_data, "Write weights to OUT.onnx.data (automatic above 2 GiB)");
  exp->add_flag("--print-ir", ex.print_ir, "Dump the graph IR to stderr before writing");
  exp->add_flag("--verify", ex.verify, "Run the source and the ONNX model on the same inputs and compare (exit 3 on mismatch)");
  add_verify_options(exp, ex.v);
  exp->add_option("--manifest", ex.manifest, "Manifest path (default: OUT.onnx.json)");
  exp->add_flag("--no-manifest", ex.no_manifest, "Do not write a manifest");
  exp->add_option("--include", ex.include, "Package mode (-o DIR/): copy this file or directory into the package");

  VerifyCmdArgs vf;
  auto* ver = app.add_subcommand("verify", "Compare an exported ONNX model with its source model");
  add_source_options(ver, vf.src);
  ver->add_option("ONNX", vf.onnx, "The exported .onnx file")->required();
  add_verify_options(ver, vf.v);

  InspectArgs in;
  auto* insp = app.add_subcommand("inspect", "Describe a source model: format, signature, ops, parameters");
  add_source_options(insp, in.src);
  insp->add_flag("--ir", in.ir, "Also print the lowered graph IR");

  bool ops_markdown = false;
  auto* ops = app.add_subcommand("ops", "List supported source ops and the ONNX opsets each needs");
  ops->add_flag("--markdown", ops_markdown, "Print as the Markdown table used in README.md");
  for (CLI::App* cmd : {exp, ver, insp, ops}) one_value_per_use(cmd);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  if (g.version) {
    if (g.json) std::cout << version_json().dump(2) << "\n";
    else std::cout << "modelport " << MODELPORT_VERSION << " (" << git_revision() << ")\n";
    return kExitOk;
  }
  if (g.verbose) spdlog::set_level(spdlog::level::info);
  if (g.quiet) spdlog::set_level(spdlog::level::err);
  ex.g = vf.g = in.g = g;
  try {
    if (exp->parsed()) return do_export(ex);
    if (ver->parsed()) return do_verify(vf);
    if (insp->parsed()) return do_inspect(in);
    if (ops->parsed()) {
      std::cout << (ops_markdown ? op_table_markdown() : op_table_text());
      return kExitOk;
    }
  } catch (const Error& e) {
    print_error(e.what(), e.exit_code(), g.json);
    return e.exit_code();
  } catch (const std::exception& e) {
    // Bad input is reported as Error; anything else is still one line naming the file.
    std::string model = exp->parsed() ? ex.src.model : ver->parsed() ? vf.src.model : in.src.model;
    print_error(model + ": unexpected failure (" + e.what() + ")", kExitConversionFailed, g.json);
    return kExitConversionFailed;
  }
  print_error("a command is required: export, verify, inspect or ops (see --help)", kExitUsage, g.json);
  return kExitUsage;
}

int finish(int code) {
  std::cout.flush();
  std::cerr.flush();
  spdlog::shutdown();
  std::fflush(nullptr);
#if defined(__SANITIZE_ADDRESS__)
  return code;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  return code;
#endif
#endif
  ::_exit(code);
}

}  // namespace modelport::cli
