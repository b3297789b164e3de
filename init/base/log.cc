#include "init/base/log.h"

#include <spdlog/sinks/stdout_sinks.h>

namespace ctinit::log {

void Init(Level level) noexcept {
  try {
    auto logger = spdlog::get("ctinit");
    if (!logger) {
      logger = spdlog::stderr_logger_st("ctinit");
      logger->set_pattern("ctinit: %v");
      logger->flush_on(spdlog::level::trace);
      spdlog::set_default_logger(logger);
    }
    SetLevel(level);
  } catch (...) {
  }
}

void SetLevel(Level level) noexcept {
  switch (level) {
    case Level::kQuiet:
      spdlog::set_level(spdlog::level::warn);
      break;
    case Level::kNormal:
      spdlog::set_level(spdlog::level::info);
      break;
    case Level::kVerbose:
      spdlog::set_level(spdlog::level::debug);
      break;
    case Level::kDebug:
      spdlog::set_level(spdlog::level::trace);
      break;
  }
}

void Guarded(const char* what, const std::function<void()>& fn) noexcept {
  try {
    fn();
  } catch (const std::exception& e) {
    Error("{}: {}", what, e.what());
  } catch (...) {
    Error("{}: unknown error", what);
  }
}

}  // namespace ctinit::log
