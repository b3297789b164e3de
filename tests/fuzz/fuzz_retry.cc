// libFuzzer target: an OpenRC stop schedule (`--retry`, the `retry` variable of a script;
// openrc-shim/applets/retry.h) and what the supervise verb is sent from it.
#include <signal.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

#include "openrc-shim/applets/retry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  std::string error;
  (void)ctinit::openrc::ParseSignal(text, &error);
  auto schedule = ctinit::openrc::ParseRetry(text, SIGTERM, &error);
  if (!schedule) return 0;
  ctinit::openrc::StopPlan plan = ctinit::openrc::ToStopPlan(*schedule);
  if (plan.timeout_seconds < 0 || plan.signal < 0 || plan.signal >= NSIG) abort();
  return 0;
}
