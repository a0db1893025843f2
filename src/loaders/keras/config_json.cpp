#include "loaders/keras/config_json.h"

#include "modelport/error.h"
#include "modelport/limits.h"

namespace modelport::keras {

// Deep nesting is refused while parsing, before a deep document exists: copies and walks of a
// json value recurse, so one would overflow the stack.
json parse_config_json(const std::string& text, const std::string& path, const char* what) {
  const int max_depth = limits().max_json_depth;
  auto guard = [&](int depth, json::parse_event_t, json&) {
    if (depth > max_depth)
      throw Error(path + ": " + what + " is nested deeper than " + std::to_string(max_depth) + " levels");
    return true;
  };
  try {
    return json::parse(text, guard);
  } catch (const Error&) {
    throw;
  } catch (const std::exception&) {
    throw Error(path + ": " + what + " is not valid JSON");
  }
}

}  // namespace modelport::keras
