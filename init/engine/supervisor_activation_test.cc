// Issue 11, case 4: one connect() to the socket of a service that exits at once must not start
// an endless respawn storm. Activation starts go through the start limiter (Activate does not
// forgive it as Start does), and the socket's trigger limit (trigger_limit.h) stops the rest.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "init/engine/supervisor_fake_test.h"
#include "init/engine/trigger_limit.h"

namespace ctinit {
namespace {

using namespace testing_support;  // NOLINT

class ActivationTest : public UnitsTest {
 protected:
  // A socket-activated unit that fails at once (ExecStart=/bin/false), systemd's start limit.
  static ServiceSpec Failing() {
    ServiceSpec s = Manual("s");
    s.respawn_limit.max_starts = 5;
    s.respawn_limit.interval = seconds(10);
    s.respawn_limit.give_up = true;
    return s;
  }
  // What sockets.cc does while a client keeps the socket readable: activate whenever the
  // service is not running, unless the trigger limit says no. Returns the activations made.
  int Storm(TriggerLimit* triggers, int events) {
    int activations = 0;
    for (int i = 0; i < events; ++i) {
      host_.now += milliseconds(1);
      if (Running("s")) {
        ExitText("/bin/s", kFail);
        continue;
      }
      if (!triggers->Allow(host_.now)) break;  // the socket is failed: no more events
      ++activations;
      sup_->Activate("s");
    }
    return activations;
  }
};

TEST_F(ActivationTest, ActivationStartsGoThroughTheStartLimiter) {
  Start({Failing()}, '3');
  TriggerLimit unlimited(seconds(2), 1 << 30);
  Storm(&unlimited, 10000);
  EXPECT_EQ(host_.Count("s"), 5);  // StartLimitBurst, then no more
  EXPECT_EQ(State("s"), ServiceState::kFailed);
  EXPECT_EQ(host_.states.back().reason, ChangeReason::kStartLimitHit);
  std::string err;
  EXPECT_FALSE(sup_->Activate("s", &err));
  EXPECT_EQ(err, "start limit hit");
  // An explicit start forgives the limiter (systemctl start after the cause was fixed).
  EXPECT_TRUE(sup_->Start("s"));
  EXPECT_EQ(host_.Count("s"), 6);
}

TEST_F(ActivationTest, TheTriggerLimitStopsTheStormOfAServiceWithoutAStartLimit) {
  ServiceSpec s = Failing();
  s.respawn_limit.max_starts = 0;  // no start limit: only the socket's limit is left
  Start({s}, '3');
  TriggerLimit triggers;  // systemd's defaults: 20 within 2 s
  EXPECT_EQ(Storm(&triggers, 10000), 20);
  EXPECT_EQ(host_.Count("s"), 20);
}

TEST(TriggerLimitTest, TwentyWithinTwoSecondsThenNoUntilTheWindowEnds) {
  TriggerLimit limit;
  EXPECT_EQ(limit.interval(), std::chrono::seconds(2));
  auto t = TriggerLimit::Clock::time_point{} + std::chrono::hours(1);
  for (int i = 0; i < 20; ++i) EXPECT_TRUE(limit.Allow(t + std::chrono::milliseconds(i)));
  EXPECT_FALSE(limit.Allow(t + std::chrono::milliseconds(1999)));
  EXPECT_TRUE(limit.Allow(t + std::chrono::seconds(2)));  // a new window
}

}  // namespace
}  // namespace ctinit
