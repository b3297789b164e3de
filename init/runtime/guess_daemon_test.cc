// GuessMainPID= for Type=forking without a pid file (sys.h PickDaemon, spawner.h line 7), on
// FakeSystem's process table: a daemon(3)-style daemon (forked once, the child called setsid())
// is told apart from ctinit's own children by the launcher's INVOCATION_ID in its environment,
// and nothing that does not carry it (another service's daemon, another start's) is ever taken.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "init/runtime/spawner.h"
#include "init/runtime/system_fake.h"

namespace ctinit {
namespace {

using ::testing::MatchesRegex;

constexpr pid_t kLauncher = 100;
const std::string kToken = "INVOCATION_ID=0123456789abcdef0123456789abcdef";

class GuessDaemonTest : public ::testing::Test {
 protected:
  // A process re-parented to PID 1 (pid 1 in FakeSystem) in process group `pgid`, session `sid`.
  void Orphan(pid_t pid, pid_t pgid, pid_t sid, std::vector<std::string> env = {}) {
    sys_.table.push_back({pid, 1, pgid, sid});
    if (!env.empty()) sys_.environ[pid] = std::move(env);
  }
  FakeSystem sys_;
};

TEST_F(GuessDaemonTest, ADaemon3StyleDaemonIsFoundByTheLaunchersToken) {
  Orphan(50, 50, 50, {"PATH=/bin"});             // a service ctinit started itself
  Orphan(101, 101, 101, {"PATH=/bin", kToken});  // forked once, then setsid()
  sys_.table.push_back({102, 101, 101, 101});    // the daemon's own child
  EXPECT_EQ(sys_.GuessDaemon(kLauncher, kToken), 101);
  // Without the token it looks like any of ctinit's children: no guess, as before.
  EXPECT_EQ(sys_.GuessDaemon(kLauncher, ""), std::nullopt);
}

TEST_F(GuessDaemonTest, WhatDoesNotCarryTheTokenIsNeverTaken) {
  // Another start's daemon(3) daemon (its own token), and another service's daemon that forked
  // twice (an orphaned session): the launcher left nothing, so there is no guess.
  Orphan(201, 201, 201, {"INVOCATION_ID=ffffffffffffffffffffffffffffffff"});
  Orphan(301, 300, 300, {"PATH=/bin"});
  EXPECT_EQ(sys_.GuessDaemon(kLauncher, kToken), std::nullopt);
  // A prefix of the token is not the token.
  Orphan(401, 401, 401, {kToken.substr(0, kToken.size() - 1)});
  EXPECT_EQ(sys_.GuessDaemon(kLauncher, kToken), std::nullopt);
  // Without a token, the double-forked one is taken as before (the old rule).
  sys_.table.erase(sys_.table.begin() + 2);
  EXPECT_EQ(sys_.GuessDaemon(kLauncher, ""), 301);
}

TEST_F(GuessDaemonTest, ADoubleForkedDaemonMustCarryTheTokenWhenThereIsOne) {
  Orphan(301, 300, 300, {kToken});
  EXPECT_EQ(sys_.GuessDaemon(kLauncher, kToken), 301);
}

TEST_F(GuessDaemonTest, ADaemonStillInTheLaunchersGroupNeedsNoToken) {
  Orphan(101, kLauncher, kLauncher);  // forked once, no setsid() (yet)
  EXPECT_EQ(sys_.GuessDaemon(kLauncher, kToken), 101);
}

TEST_F(GuessDaemonTest, TwoCarriersAreNoGuess) {
  Orphan(101, 101, 101, {kToken});
  Orphan(102, 102, 102, {kToken});
  EXPECT_EQ(sys_.GuessDaemon(kLauncher, kToken), std::nullopt);
  // Not re-parented to PID 1 (still some process's child): not the launcher's orphan.
  sys_.table.pop_back();
  sys_.table.push_back({102, 77, 102, 102});
  EXPECT_EQ(sys_.GuessDaemon(kLauncher, kToken), 101);
}

ServiceSpec Forking(const std::string& name) {
  ServiceSpec spec;
  spec.name = name;
  spec.origin = "test:1";
  spec.kind = Kind::kLongRun;
  spec.readiness = Readiness::kForking;
  spec.command.argv = {"/usr/sbin/" + name};
  Command pre;
  pre.text = "/bin/pre";
  pre.argv = {"/bin/pre"};
  spec.start_pre.push_back(pre);
  return spec;
}

std::string TokenIn(const std::vector<std::string>& env) {
  for (const auto& e : env)
    if (e.rfind("INVOCATION_ID=", 0) == 0) return e;
  return "";
}

TEST_F(GuessDaemonTest, TheLauncherAloneGetsAFreshTokenThatTheGuessLooksFor) {
  Spawner spawner(sys_);
  ServiceSpec spec = Forking("apache2");
  pid_t pre = spawner.Spawn(spec, spec.start_pre[0], '2', 'N', {}, {});
  EXPECT_EQ(TokenIn(sys_.spawned_env.back()), "");  // a step is no launcher
  EXPECT_EQ(spawner.LaunchToken(pre), "");
  pid_t launcher = spawner.Spawn(spec, spec.command, '2', 'N', {}, {});
  std::string token = TokenIn(sys_.spawned_env.back());
  EXPECT_THAT(token, MatchesRegex("INVOCATION_ID=[0-9a-f]{32}"));
  EXPECT_EQ(spawner.LaunchToken(launcher), token);
  // The daemon it leaves inherits its environment.
  Orphan(launcher + 1, launcher + 1, launcher + 1, sys_.spawned_env.back());
  EXPECT_EQ(sys_.GuessDaemon(launcher, spawner.LaunchToken(launcher)), launcher + 1);
  spawner.ForgetLaunch(launcher);
  EXPECT_EQ(spawner.LaunchToken(launcher), "");
  // Each start its own token.
  pid_t again = spawner.Spawn(spec, spec.command, '2', 'N', {}, {});
  EXPECT_NE(spawner.LaunchToken(again), token);
  // No token where nothing is guessed: a pid file, GuessMainPID=no, another type.
  ServiceSpec with_pidfile = Forking("nginx");
  with_pidfile.pidfile = "/run/nginx.pid";
  ServiceSpec no_guess = Forking("sshd");
  no_guess.guess_main_pid = false;
  ServiceSpec simple = Forking("cron");
  simple.readiness = Readiness::kSpawned;
  for (const ServiceSpec* s : {&with_pidfile, &no_guess, &simple}) {
    pid_t pid = spawner.Spawn(*s, s->command, '2', 'N', {}, {});
    EXPECT_EQ(TokenIn(sys_.spawned_env.back()), "") << s->name;
    EXPECT_EQ(spawner.LaunchToken(pid), "") << s->name;
  }
}

}  // namespace
}  // namespace ctinit
