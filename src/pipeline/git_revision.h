// The git revision modelport was built from (generated at configure time, see cmake/).
#pragma once

namespace modelport {
const char* git_revision();
}  // namespace modelport
