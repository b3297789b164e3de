// libFuzzer target: an /etc/inittab (inittab/inittab.h promises: never throws, never aborts,
// whatever the input), and the process field rule on its own.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "inittab/inittab.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  ctinit::ServiceSet set = ctinit::inittab::Parse(text, "/etc/inittab");
  for (const auto& d : set.diagnostics) (void)d.ToString();
  if (size < 4096) (void)ctinit::inittab::SysvCommand(std::string(text), size % 2 == 0);
  return 0;
}
