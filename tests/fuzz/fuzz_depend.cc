// libFuzzer target: what an OpenRC script's depend() writes to fd 3 (openrc-shim/depend.h), the
// protocol PID 1 folds into dependencies, and the shebang check of the script's first line.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "openrc-shim/depend.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)ctinit::openrc::FoldDependLines("net.eth0", text);
  std::string_view first_line = text.substr(0, text.find('\n'));
  (void)ctinit::openrc::IsOpenrcShebang(first_line);
  (void)ctinit::openrc::ShellVar(first_line);
  return 0;
}
