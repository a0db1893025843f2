// Command-line values parsed by modelport: --input specs, --max-tensor-bytes, --format, and the
// JSON of a --keras-config file (--output names are taken verbatim). Each input line is one value.
#include "../harness.h"
#include "loaders/keras/config_json.h"
#include "loaders/keras/model_graph.h"
#include "modelport/error.h"
#include "modelport/limits.h"
#include "modelport/loaders.h"

namespace modelport::fuzz {

int harness_cli_options(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    try {
      parse_input_spec(line);
    } catch (const Error&) {
    }
    try {
      parse_byte_size(line, "--max-tensor-bytes");
    } catch (const Error&) {
    }
    parse_format(line);
    start = end + 1;
  }
  try {
    keras::json cfg = keras::parse_config_json(text, "config.json", "the --keras-config file");
    keras::model_kind(cfg);
  } catch (const Error&) {
  }
  return 0;
}

}  // namespace modelport::fuzz
