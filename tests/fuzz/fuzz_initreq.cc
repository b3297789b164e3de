// libFuzzer target: the bytes of one read() from /run/initctl (init/protocol/initreq.h), which
// any process allowed to open the FIFO can write.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "init/protocol/initreq.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ctinit::InitRequest request;
  std::string err;
  if (!ctinit::DecodeInitRequest(data, size, &request, &err)) return 0;
  if (request.sleeptime < 0) abort();  // the header promises negative values are clamped
  if (request.cmd != ctinit::InitRequest::Cmd::kSetEnv) return 0;
  // Whatever was decoded came out of the 368-byte data area, so it must fit back into one.
  std::vector<std::string> assignments;
  for (const auto& [key, value] : request.env) {
    if (key.rfind("INIT_", 0) != 0) abort();  // only INIT_ names are kept
    assignments.push_back(value ? key + "=" + *value : key);
  }
  (void)ctinit::EncodeSetEnv(assignments);
  return 0;
}
