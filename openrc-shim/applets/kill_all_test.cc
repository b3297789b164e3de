#include "openrc-shim/applets/kill_all.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace ctinit::openrc {
namespace {

// A container's view: 1 = ctinit, 2 is absent (no kthreadd in a pid namespace) unless given.
TEST(KillAllTargets, SparesPid1OwnSessionAndOmits) {
  std::vector<ProcessInfo> procs = {{1, 0, 1},   {10, 1, 10}, {11, 10, 10},
                                    {20, 1, 20}, {30, 1, 30}, {31, 30, 30}};
  // The caller is in session 20.
  auto t = KillAllTargets(procs, 20, {1, 31});
  EXPECT_EQ(t, (std::vector<pid_t>{10, 11, 30}));
}

TEST(KillAllTargets, SparesKernelThreads) {
  std::vector<ProcessInfo> procs = {{1, 0, 1}, {2, 0, 0}, {3, 2, 0}, {4, 3, 0}, {50, 1, 50}};
  EXPECT_EQ(KillAllTargets(procs, 99, {1}), (std::vector<pid_t>{50}));
}

TEST(KillAllTargets, AProcessWhoseStatusCannotBeReadIsSpared) {
  std::vector<ProcessInfo> procs = {{1, 0, 1}, {60, -1, 60}, {61, 60, 60}, {62, 1, 62}};
  EXPECT_EQ(KillAllTargets(procs, 99, {1}), (std::vector<pid_t>{62}));
}

TEST(KillAllMain, RejectsBadSignalsAndOmits) {
  EXPECT_EQ(KillAllMain({"0"}), 1);
  EXPECT_EQ(KillAllMain({"32"}), 1);
  EXPECT_EQ(KillAllMain({"-o", "abc", "-d"}), 1);
  EXPECT_EQ(KillAllMain({"-o", "0"}), 1);
}

TEST(KillAllMain, DryRunSendsNothingAndListsOnlyOthers) {
  testing::internal::CaptureStdout();
  int rc = KillAllMain({"--dry-run", "15"});
  std::string out = testing::internal::GetCapturedStdout();
  EXPECT_EQ(rc, 0);
  // Never pid 1, never this test (its own session).
  EXPECT_EQ(out.find("to process 1\n"), std::string::npos);
  EXPECT_EQ(out.find("to process " + std::to_string(getpid()) + "\n"), std::string::npos);
  if (!out.empty()) {
    EXPECT_NE(out.find(" * Would send signal 15 to process "), std::string::npos);
  }
}

}  // namespace
}  // namespace ctinit::openrc
