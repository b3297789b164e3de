// Logging to the console (PID 1's stderr: the container's log), through spdlog and
// console::Err() (console.h): a log line never blocks, it is dropped when the reader stalls.
//
// Levels: quiet shows warnings and errors only, normal adds the boot/runlevel/shutdown story,
// verbose adds every spawn and exit, debug adds reaped orphans and protocol details.
// Warnings and errors carry a "warning: " / "error: " prefix so they stand out in `docker logs`.
#pragma once

#include <spdlog/spdlog.h>

#include <functional>
#include <string_view>

namespace ctinit::log {

enum class Level { kQuiet, kNormal, kVerbose, kDebug };

// Sets up the console logger. Safe to call more than once.
void Init(Level level) noexcept;
void SetLevel(Level level) noexcept;

template <typename... Args>
void Info(fmt::format_string<Args...> f, Args&&... args) noexcept {
  try {
    spdlog::info(f, std::forward<Args>(args)...);
  } catch (...) {
  }
}
template <typename... Args>
void Verbose(fmt::format_string<Args...> f, Args&&... args) noexcept {
  try {
    spdlog::debug(f, std::forward<Args>(args)...);
  } catch (...) {
  }
}
template <typename... Args>
void Debug(fmt::format_string<Args...> f, Args&&... args) noexcept {
  try {
    spdlog::trace(f, std::forward<Args>(args)...);
  } catch (...) {
  }
}
template <typename... Args>
void Warn(fmt::format_string<Args...> f, Args&&... args) noexcept {
  try {
    spdlog::warn("warning: {}", fmt::format(f, std::forward<Args>(args)...));
  } catch (...) {
  }
}
template <typename... Args>
void Error(fmt::format_string<Args...> f, Args&&... args) noexcept {
  try {
    spdlog::error("error: {}", fmt::format(f, std::forward<Args>(args)...));
  } catch (...) {
  }
}

// Runs `fn`; an exception is logged as "WHAT: message" and goes no further (PID 1's handlers:
// nothing may escape the event loop).
void Guarded(const char* what, const std::function<void()>& fn) noexcept;

}  // namespace ctinit::log
