// A socket's trigger limit (systemd.socket TriggerLimitIntervalSec=/TriggerLimitBurst=, whose
// defaults for Accept=no sockets are 2 s and 20): at most `burst` activations within
// `interval`, counted from the first one of a window. Once Allow() says no, the socket is put
// into failed and no longer watched (sockets.h), so that clients of a service that keeps ending
// cannot make PID 1 spawn it without end. Pure logic: the caller passes the time.
#pragma once

#include <chrono>

namespace ctinit {

class TriggerLimit {
 public:
  using Clock = std::chrono::steady_clock;
  explicit TriggerLimit(Clock::duration interval = std::chrono::seconds(2), int burst = 20)
      : interval_(interval), burst_(burst) {}

  // One more activation at `now`: false when it is one too many for the window.
  bool Allow(Clock::time_point now) {
    if (count_ == 0 || now - window_start_ >= interval_) {
      window_start_ = now;
      count_ = 0;
    }
    return ++count_ <= burst_;
  }
  Clock::duration interval() const { return interval_; }
  int burst() const { return burst_; }

 private:
  Clock::duration interval_;
  int burst_;
  Clock::time_point window_start_{};
  int count_ = 0;
};

}  // namespace ctinit
