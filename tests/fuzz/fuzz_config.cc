// libFuzzer target: ctinit's YAML configuration (init/runtime/config.h), with the keys of the
// three front ends known, as PID 1 reads it at boot.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "init/runtime/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view yaml(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> errors;
  ctinit::Config config =
      ctinit::ParseConfig(yaml, "/etc/ctinit/config.yaml", &errors, {"inittab", "openrc", "units"});
  (void)ctinit::SignalsToIgnore(config);
  (void)ctinit::SignalsToHandle(config);
  if (size < 256) (void)ctinit::ParseDuration(yaml);
  return 0;
}
