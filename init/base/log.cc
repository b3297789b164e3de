#include "init/base/log.h"

#include <spdlog/details/null_mutex.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include "init/base/console.h"
#include "init/base/printable.h"

namespace ctinit::log {

namespace {

// Formatted lines go to console::Err() (control characters escaped): a stalled reader of ctinit's
// stderr never blocks PID 1 (a line that does not fit the bounded buffer is dropped and counted,
// see console.h).
class ConsoleSink : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t line;
    formatter_->format(msg, line);
    // Messages carry text from outside (requests, notifications): no raw control characters.
    console::Err().Write(text::Printable(std::string_view(line.data(), line.size()), true));
  }
  void flush_() override { console::Err().Flush(); }
};

}  // namespace

void Init(Level level) noexcept {
  try {
    auto logger = spdlog::get("ctinit");
    if (!logger) {
      logger = std::make_shared<spdlog::logger>("ctinit", std::make_shared<ConsoleSink>());
      spdlog::register_logger(logger);
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

namespace {

spdlog::level::level_enum ToSpdlog(Severity severity) {
  switch (severity) {
    case Severity::kDebug:
      return spdlog::level::trace;
    case Severity::kVerbose:
      return spdlog::level::debug;
    case Severity::kInfo:
      return spdlog::level::info;
    case Severity::kWarn:
      return spdlog::level::warn;
    case Severity::kError:
      break;
  }
  return spdlog::level::err;
}

}  // namespace

bool Enabled(Severity severity) noexcept { return spdlog::should_log(ToSpdlog(severity)); }

void Write(Severity severity, std::string_view line) noexcept {
  try {
    const char* prefix = severity == Severity::kWarn    ? "warning: "
                         : severity == Severity::kError ? "error: "
                                                        : "";
    spdlog::log(ToSpdlog(severity), "{}{}", prefix, line);
  } catch (...) {
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
