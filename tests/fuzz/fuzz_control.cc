// libFuzzer target: a request on ctinit's control socket (init/protocol/control.h), as the
// server decodes it from the bytes a client sent; and the same bytes as the ServiceRecords of a
// `services` reply, as `ctinit status` decodes them.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "init/protocol/control.h"

namespace {

// Records survive their own encoding: decoding what was encoded gives them back.
void CheckServices(const std::string& text) {
  using ctinit::control::DecodeServices;
  using ctinit::control::EncodeServices;
  auto records = DecodeServices(text);
  std::string once = EncodeServices(records);
  if (EncodeServices(DecodeServices(once)) != once) abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string request(reinterpret_cast<const char*>(data), size);
  CheckServices(request);
  std::vector<std::string> words;
  if (!ctinit::control::Decode(request, &words)) return 0;
  // A complete request is exactly its words encoded again.
  if (ctinit::control::Encode(words) != request) abort();
  return 0;
}
