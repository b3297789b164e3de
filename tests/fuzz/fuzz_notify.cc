// libFuzzer target: one datagram on $NOTIFY_SOCKET (init/runtime/notify.h), which any service
// (any user) may send.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "init/runtime/notify.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > ctinit::NotifySocket::kMaxDatagram) return 0;  // the socket never reads more
  std::string datagram(reinterpret_cast<const char*>(data), size);
  for (const auto& field : ctinit::NotifySocket::Fields(datagram)) {
    if (field.empty() || field.find('\n') != std::string::npos) abort();
  }
  return 0;
}
