// Logging to the console (PID 1's stderr: the container's log), through spdlog and
// console::Err() (console.h): a log line never blocks, it is dropped when the reader stalls.
//
// Levels: quiet shows warnings and errors only, normal adds the boot/runlevel/shutdown story,
// verbose adds every spawn and exit, debug adds reaped orphans and protocol details.
// Warnings and errors carry a "warning: " / "error: " prefix so they stand out in `docker logs`.
#pragma once

// fmt only: spdlog (header-only, so its implementation is compiled wherever it is included)
// stays inside log.cc, which keeps it out of the 30-odd files that log.
#include <fmt/format.h>

#include <functional>
#include <string_view>
#include <utility>

namespace ctinit::log {

enum class Level { kQuiet, kNormal, kVerbose, kDebug };

// Sets up the console logger. Safe to call more than once.
void Init(Level level) noexcept;
void SetLevel(Level level) noexcept;

// How important one line is; Level decides which are shown (kQuiet: kWarn and kError).
enum class Severity { kDebug, kVerbose, kInfo, kWarn, kError };
// Whether a line of `severity` would be shown now (checked before anything is formatted).
bool Enabled(Severity severity) noexcept;
// Writes one formatted line (the warning/error prefix is added here).
void Write(Severity severity, std::string_view line) noexcept;

template <typename... Args>
void Emit(Severity severity, fmt::format_string<Args...> f, Args&&... args) noexcept {
  if (!Enabled(severity)) return;
  try {
    Write(severity, fmt::format(f, std::forward<Args>(args)...));
  } catch (...) {
  }
}

template <typename... Args>
void Info(fmt::format_string<Args...> f, Args&&... args) noexcept {
  Emit(Severity::kInfo, f, std::forward<Args>(args)...);
}
template <typename... Args>
void Verbose(fmt::format_string<Args...> f, Args&&... args) noexcept {
  Emit(Severity::kVerbose, f, std::forward<Args>(args)...);
}
template <typename... Args>
void Debug(fmt::format_string<Args...> f, Args&&... args) noexcept {
  Emit(Severity::kDebug, f, std::forward<Args>(args)...);
}
template <typename... Args>
void Warn(fmt::format_string<Args...> f, Args&&... args) noexcept {
  Emit(Severity::kWarn, f, std::forward<Args>(args)...);
}
template <typename... Args>
void Error(fmt::format_string<Args...> f, Args&&... args) noexcept {
  Emit(Severity::kError, f, std::forward<Args>(args)...);
}

// Runs `fn`; an exception is logged as "WHAT: message" and goes no further (PID 1's handlers:
// nothing may escape the event loop).
void Guarded(const char* what, const std::function<void()>& fn) noexcept;

}  // namespace ctinit::log
