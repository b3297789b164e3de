#include "openrc-shim/applets/retry.h"

#include <gtest/gtest.h>
#include <signal.h>

namespace ctinit::openrc {
namespace {

using K = RetryStep::Kind;

RetrySchedule Parse(const std::optional<std::string>& text, int sig = SIGTERM) {
  std::string err;
  auto s = ParseRetry(text, sig, &err);
  EXPECT_TRUE(s) << err;
  return s.value_or(RetrySchedule{});
}

std::string Error(const std::string& text) {
  std::string err;
  EXPECT_FALSE(ParseRetry(text, SIGTERM, &err));
  return err;
}

TEST(Retry, NoScheduleIsTermThenFiveSeconds) {
  EXPECT_EQ(Parse(std::nullopt), (RetrySchedule{{K::kSignal, SIGTERM}, {K::kTimeout, 5}}));
  EXPECT_EQ(Parse(std::nullopt, SIGINT), (RetrySchedule{{K::kSignal, SIGINT}, {K::kTimeout, 5}}));
}

TEST(Retry, BareNumberIsTimeoutWithTheGivenSignal) {
  EXPECT_EQ(Parse("60"), (RetrySchedule{{K::kSignal, SIGTERM}, {K::kTimeout, 60}}));
  EXPECT_EQ(Parse("30", SIGQUIT), (RetrySchedule{{K::kSignal, SIGQUIT}, {K::kTimeout, 30}}));
  EXPECT_EQ(Parse("7s"), (RetrySchedule{{K::kSignal, SIGTERM}, {K::kTimeout, 7}}));  // sscanf
}

TEST(Retry, SignalTimeoutPairs) {
  EXPECT_EQ(
      Parse("TERM/60/KILL/5"),
      (RetrySchedule{
          {K::kSignal, SIGTERM}, {K::kTimeout, 60}, {K::kSignal, SIGKILL}, {K::kTimeout, 5}}));
  EXPECT_EQ(Parse("SIGPWR/40"), (RetrySchedule{{K::kSignal, SIGPWR}, {K::kTimeout, 40}}));
  // A leading '-' makes a number a signal; a bare number is always a timeout.
  EXPECT_EQ(Parse("-HUP/1/-9/2"),
            (RetrySchedule{
                {K::kSignal, SIGHUP}, {K::kTimeout, 1}, {K::kSignal, SIGKILL}, {K::kTimeout, 2}}));
  EXPECT_EQ(Parse("HUP/1/9"),
            (RetrySchedule{{K::kSignal, SIGHUP}, {K::kTimeout, 1}, {K::kTimeout, 9}}));
}

TEST(Retry, ForeverLoopsBack) {
  EXPECT_EQ(Parse("TERM/forever/KILL/5"), (RetrySchedule{{K::kSignal, SIGTERM},
                                                         {K::kForever, 0},
                                                         {K::kSignal, SIGKILL},
                                                         {K::kTimeout, 5},
                                                         {K::kGoto, 1}}));
}

TEST(Retry, Errors) {
  EXPECT_EQ(Error("soon"), "invalid timeout value in schedule 'soon'");
  EXPECT_EQ(Error("TERM/FOO"), "invalid schedule item `FOO'");
  EXPECT_EQ(Error("TERM/forever/forever"), "invalid schedule, `forever' appears more than once");
  EXPECT_EQ(Error("TERM/12345678901234567890"), "invalid schedule item, far too long");
  EXPECT_EQ(Error("TERM//5"), "invalid schedule item `'");
}

TEST(Retry, Signals) {
  std::string err;
  EXPECT_EQ(ParseSignal("TERM", &err), SIGTERM);
  EXPECT_EQ(ParseSignal("SIGKILL", &err), SIGKILL);
  EXPECT_EQ(ParseSignal("1", &err), SIGHUP);
  EXPECT_EQ(ParseSignal("NULL", &err), 0);
  EXPECT_FALSE(ParseSignal("SIGFOO", &err));
  EXPECT_EQ(err, "`SIGFOO' is not a valid signal");
  EXPECT_FALSE(ParseSignal("999", &err));
  EXPECT_FALSE(ParseSignal("term", &err));  // names are case-sensitive, as in OpenRC
}

TEST(Retry, StopPlan) {
  EXPECT_EQ(ToStopPlan(Parse("INT/30/KILL/5")).signal, SIGINT);
  EXPECT_EQ(ToStopPlan(Parse("INT/30/KILL/5")).timeout_seconds, 35);
  EXPECT_EQ(ToStopPlan(Parse(std::nullopt)).timeout_seconds, 5);
  EXPECT_EQ(ToStopPlan(Parse("TERM/forever/5")).timeout_seconds, 0);
  // Issue 11 case 9: the waits added up overflowed an int (UBSan); the total saturates.
  EXPECT_EQ(ToStopPlan(Parse("TERM/1000000000/1000000000/1000000000")).timeout_seconds,
            kMaxStopSeconds);
  EXPECT_EQ(ToStopPlan(Parse("TERM/9999999999999999999/KILL/5")).timeout_seconds, kMaxStopSeconds);
  EXPECT_EQ(ToStopPlan(Parse("-9")).timeout_seconds, 0);  // found by tests/fuzz/fuzz_retry
  // A NULL signal stops nothing: the first real signal is the stop signal.
  EXPECT_EQ(ToStopPlan(Parse("NULL/5/KILL/5")).signal, SIGKILL);
  EXPECT_EQ(ToStopPlan(Parse("1/-0/KILL/5")).signal, SIGKILL);
  EXPECT_EQ(ToStopPlan(Parse("NULL/5")).signal, SIGTERM);
  EXPECT_EQ(ToStopPlan(Parse("NULL/5")).timeout_seconds, 5);
  EXPECT_EQ(ToStopPlan(Parse("NULL/5/KILL/5")).timeout_seconds, 10);
}

}  // namespace
}  // namespace ctinit::openrc
