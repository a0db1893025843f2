#include "cli/commands.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "cli/op_table.h"
#include "modelport/emit.h"
#include "modelport/error.h"
#include "modelport/loaders.h"
#include "passes/cleanup.h"

namespace modelport::cli {
namespace {
namespace fs = std::filesystem;
using json = nlohmann::json;

struct CommonSource {
  std::string model;
  std::string format = "auto";
  std::vector<std::string> inputs, outputs;
  std::string signature = "serving_default", tag = "serve";
  std::vector<std::string> nchw;
};

void add_source_options(CLI::App* cmd, CommonSource& s) {
  cmd->add_option("MODEL", s.model, "Source model: TorchScript archive, SavedModel dir, GraphDef .pb, Keras .h5/.keras")
      ->required();
  cmd->add_option("--format", s.format, "Source format (default: detected from the content)")
      ->check(CLI::IsMember({"auto", "torchscript", "savedmodel", "graphdef", "keras_h5", "keras_v3"}));
  cmd->add_option("--input", s.inputs,
                  "Input NAME[:DTYPE][[DIM,...]] in argument order; a symbolic DIM is a dynamic axis "
                  "(e.g. x:float32[batch,3,224,224])");
  cmd->add_option("--output", s.outputs, "Output name (renames, in order; for GraphDef: tensor name)");
  cmd->add_option("--signature", s.signature, "SavedModel signature")->capture_default_str();
  cmd->add_option("--tag", s.tag, "SavedModel tag set")->capture_default_str();
  cmd->add_option("--inputs-as-nchw", s.nchw, "Keras/TF: make this input channel-first");
}

LoadOptions load_options(const CommonSource& s) {
  LoadOptions o;
  for (auto& t : s.inputs) o.inputs.push_back(parse_input_spec(t));
  o.outputs = s.outputs;
  o.signature = s.signature;
  o.tag = s.tag;
  o.inputs_as_nchw = s.nchw;
  return o;
}

Format resolve_format(const CommonSource& s) {
  Format detected = detect_format(s.model);  // also reports a missing file
  if (s.format == "auto") return detected;
  return *parse_format(s.format);
}

json io_json(const std::vector<Value*>& vals) {
  json a = json::array();
  for (auto* v : vals) a.push_back({{"name", v->name}, {"dtype", dtype_name(v->dtype)}, {"shape", v->shape.str()}});
  return a;
}

std::map<std::string, int64_t> op_histogram(const Graph& g) {
  std::map<std::string, int64_t> h;
  for (auto& n : g.nodes()) ++h[n->op];
  return h;
}

// ------------------------------------------------------------------ export
struct ExportArgs {
  CommonSource src;
  std::string out;
  int opset = kDefaultOpset;
  bool external_data = false, json_out = false, print_ir = false;
};

int do_export(const ExportArgs& a) {
  auto t0 = std::chrono::steady_clock::now();
  if (a.opset < kMinOpset || a.opset > kMaxOpset)
    throw UsageError("--opset " + std::to_string(a.opset) + " is not supported (supported: " +
                     std::to_string(kMinOpset) + ".." + std::to_string(kMaxOpset) + ")");
  if (fs::is_directory(a.out)) throw UsageError("-o " + a.out + ": is a directory; name the .onnx file to write");
  LoadOptions opts = load_options(a.src);
  Format fmt = resolve_format(a.src);
  spdlog::info("{}: {} model", a.src.model, format_name(fmt));
  Model model = load_model(a.src.model, fmt, opts);
  cleanup_graph(*model.graph);
  if (a.print_ir) std::cerr << model.graph->dump();
  for (auto& w : model.warnings) spdlog::warn("{}", w);
  EmitOptions eo;
  eo.opset = a.opset;
  eo.external_data = a.external_data;
  EmitResult r = emit_onnx(model, a.out, eo);
  for (auto& w : r.warnings) spdlog::warn("{}", w);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (a.json_out) {
    json j = {{"ok", true},
              {"command", "export"},
              {"source", a.src.model},
              {"format", format_name(fmt)},
              {"output", a.out},
              {"files", r.files},
              {"opset", a.opset},
              {"external_data", r.used_external_data},
              {"inputs", io_json(model.graph->inputs)},
              {"outputs", io_json(model.graph->outputs)},
              {"node_count", r.node_count},
              {"warnings", model.warnings},
              {"seconds", secs}};
    for (auto& w : r.warnings) j["warnings"].push_back(w);
    std::cout << j.dump() << "\n";
  } else {
    std::cerr << "wrote " << a.out << " (opset " << a.opset << ", " << r.node_count << " nodes";
    if (r.used_external_data) std::cerr << ", external data";
    std::cerr << ") in " << secs << " s\n";
  }
  return kExitOk;
}

// ------------------------------------------------------------------ inspect
struct InspectArgs {
  CommonSource src;
  bool json_out = false, ir = false;
};

int do_inspect(const InspectArgs& a) {
  LoadOptions opts = load_options(a.src);
  Format fmt = resolve_format(a.src);
  SourceReport rep = inspect_model(a.src.model, fmt, opts);
  std::string ir_dump;
  if (a.ir && rep.unsupported.empty()) {
    Model m = load_model(a.src.model, fmt, opts);
    cleanup_graph(*m.graph);
    ir_dump = m.graph->dump();
  }
  if (a.json_out) {
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
    std::cout << j.dump(2) << "\n";
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
  if (json_out) std::cout << json{{"ok", false}, {"error", line}, {"exit_code", code}}.dump() << "\n";
}

}  // namespace

int run(int argc, char** argv) {
  auto logger = spdlog::stderr_color_mt("modelport");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("modelport: %l: %v");
  spdlog::set_level(spdlog::level::warn);

  CLI::App app{"modelport: convert TorchScript, TensorFlow SavedModel/GraphDef and Keras models to ONNX"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("modelport ") + MODELPORT_VERSION + " (" + MODELPORT_GIT_REV + ")");
  bool verbose = false;
  app.add_flag("-v,--verbose", verbose, "Log progress to stderr");

  ExportArgs ex;
  auto* exp = app.add_subcommand("export", "Convert a model to ONNX");
  add_source_options(exp, ex.src);
  exp->add_option("-o,--output-file", ex.out, "ONNX file to write")->required();
  exp->add_option("--opset", ex.opset, "ONNX opset (" + std::to_string(kMinOpset) + ".." +
                                           std::to_string(kMaxOpset) + ")")->capture_default_str();
  exp->add_flag("--external-data", ex.external_data, "Write weights to OUT.onnx.data (automatic above 2 GiB)");
  exp->add_flag("--json", ex.json_out, "Print one JSON result object on stdout");
  exp->add_flag("--print-ir", ex.print_ir, "Dump the graph IR to stderr before writing");

  InspectArgs in;
  auto* insp = app.add_subcommand("inspect", "Describe a source model: format, signature, ops, parameters");
  add_source_options(insp, in.src);
  insp->add_flag("--json", in.json_out, "Print JSON on stdout");
  insp->add_flag("--ir", in.ir, "Also print the lowered graph IR");

  bool ops_markdown = false;
  auto* ops = app.add_subcommand("ops", "List supported source ops and the ONNX opsets each needs");
  ops->add_flag("--markdown", ops_markdown, "Print as the Markdown table used in README.md");

  bool json_out = false;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  if (verbose) spdlog::set_level(spdlog::level::info);
  try {
    if (exp->parsed()) {
      json_out = ex.json_out;
      return do_export(ex);
    }
    if (insp->parsed()) {
      json_out = in.json_out;
      return do_inspect(in);
    }
    if (ops->parsed()) {
      std::cout << (ops_markdown ? op_table_markdown() : op_table_text());
      return kExitOk;
    }
  } catch (const Error& e) {
    print_error(e.what(), e.exit_code(), json_out);
    return e.exit_code();
  } catch (const std::exception& e) {
    print_error(std::string("internal error: ") + e.what(), kExitConversionFailed, json_out);
    return kExitConversionFailed;
  }
  return kExitUsage;
}

}  // namespace modelport::cli
