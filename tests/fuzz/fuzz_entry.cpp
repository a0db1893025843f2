// The libFuzzer entry point of one harness, chosen at compile time (MODELPORT_FUZZ_HARNESS).
#include "harness.h"

#define MODELPORT_CAT2(a, b) a##b
#define MODELPORT_CAT(a, b) MODELPORT_CAT2(a, b)

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  modelport::fuzz::set_fuzz_limits();
  return modelport::fuzz::MODELPORT_CAT(harness_, MODELPORT_FUZZ_HARNESS)(data, size);
}
