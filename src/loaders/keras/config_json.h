// Parsing a Keras config (model_config, config.json, a --keras-config file) into json, refusing
// documents nested deeper than limits().max_json_depth while parsing.
#pragma once
#include <string>

#include "loaders/keras/lower.h"

namespace modelport::keras {

// Throws Error("<path>: <what> is not valid JSON" / "... is nested deeper than N levels").
json parse_config_json(const std::string& text, const std::string& path, const char* what);

}  // namespace modelport::keras
