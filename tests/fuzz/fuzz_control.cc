// libFuzzer target: a request on ctinit's control socket (init/protocol/control.h), as the
// server decodes it from the bytes a client sent.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "init/protocol/control.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string request(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> words;
  if (!ctinit::control::Decode(request, &words)) return 0;
  // A complete request is exactly its words encoded again.
  if (ctinit::control::Encode(words) != request) abort();
  return 0;
}
