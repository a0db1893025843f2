#include <cctype>

#include "modelport/error.h"
#include "modelport/loaders.h"

namespace modelport {
namespace {

bool is_identifier(const std::string& s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.')) return false;
  return true;
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

}  // namespace

InputSpec parse_input_spec(const std::string& text) {
  auto fail = [&](const std::string& why) -> UsageError {
    return UsageError("--input '" + text + "': " + why + " (expected NAME[:DTYPE][[DIM,...]], e.g. x:float32[batch,3,224,224])");
  };
  InputSpec spec;
  std::string head = text, dims;
  if (auto lb = text.find('['); lb != std::string::npos) {
    if (text.back() != ']') throw fail("missing closing ']'");
    head = text.substr(0, lb);
    dims = text.substr(lb + 1, text.size() - lb - 2);
    if (dims.find_first_of("[]") != std::string::npos) throw fail("nested brackets");
  }
  std::string name = head, dt;
  // Names may contain ':' (TensorFlow tensor names like "x:0"), so the dtype is what follows the
  // last ':' when it parses as a dtype.
  if (auto colon = head.rfind(':'); colon != std::string::npos) {
    std::string tail = head.substr(colon + 1);
    bool numeric = !tail.empty() && tail.find_first_not_of("0123456789") == std::string::npos;
    if (!numeric) {
      name = head.substr(0, colon);
      dt = tail;
    }
  }
  name = trim(name);
  if (name.empty()) throw fail("empty input name");
  spec.name = name;
  if (!dt.empty()) {
    spec.dtype = parse_dtype(trim(dt));
    if (!spec.dtype) throw fail("unknown dtype '" + dt + "'");
  }
  if (text.find('[') != std::string::npos) {
    std::vector<Dim> ds;
    std::string rest = dims;
    if (!trim(rest).empty()) {
      size_t pos = 0;
      while (true) {
        size_t comma = rest.find(',', pos);
        std::string tok = trim(rest.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos));
        if (tok.empty()) throw fail("empty dimension");
        if (tok.find_first_not_of("0123456789") == std::string::npos) {
          if (tok.size() > 15) throw fail("dimension '" + tok + "' is too large");
          ds.push_back(Dim::fixed(std::stoll(tok)));
        } else if (is_identifier(tok)) {
          ds.push_back(Dim::sym(tok));
        } else {
          throw fail("dimension '" + tok + "' is neither a non-negative integer nor a symbol name");
        }
        if (comma == std::string::npos) break;
        pos = comma + 1;
      }
    }
    spec.shape = Shape(std::move(ds));
  }
  return spec;
}

}  // namespace modelport
