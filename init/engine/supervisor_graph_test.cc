// The supervisor with graph front ends: scripted services, `after`/`needs` ordering in
// parallel, reverse-order stops, Restart= policies, steps, manual (supervised) services.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include "init/engine/supervisor_fake_test.h"

namespace ctinit {
namespace {

using namespace testing_support;  // NOLINT
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

constexpr milliseconds kWait{3000};
constexpr int kFail = 1 << 8;  // wait status: exited 1

ServiceSpec Scripted(const std::string& n, Trigger t, const std::string& levels,
                     std::vector<std::string> after = {}) {
  ServiceSpec s = Spec(n, t, Kind::kScripted, false, levels, "openrc");
  s.command.text = n + " start";
  Command stop;
  stop.text = n + " stop";
  stop.argv = {n, "stop"};
  s.stop = {stop};
  s.after = std::move(after);
  return s;
}

Command Cmd(const std::string& text) {
  Command c;
  c.text = text;
  c.argv = {text};
  return c;
}

ServiceSpec Daemon(const std::string& n, const std::string& levels, Restart r) {
  ServiceSpec s = Spec(n, Trigger::kRunlevel, Kind::kLongRun, false, levels, "unit");
  s.restart = r;
  return s;
}

class GraphTest : public SupervisorTest {
 protected:
  ServiceState State(const std::string& n) const { return sup_->View(n)->state; }
};

TEST_F(GraphTest, IndependentServicesStartInParallelAndDependentsWait) {
  // a, b independent; c after a and b; d after c.
  Start({Scripted("a", Trigger::kRunlevel, "3"), Scripted("b", Trigger::kRunlevel, "3"),
         Scripted("c", Trigger::kRunlevel, "3", {"a", "b"}),
         Scripted("d", Trigger::kRunlevel, "3", {"c"})},
        '3');
  EXPECT_EQ(sup_->level(), '3');
  EXPECT_THAT(TextsSince(0), ElementsAre("a start", "b start"));
  EXPECT_EQ(State("a"), ServiceState::kStarting);
  ExitText("a start");
  EXPECT_EQ(State("a"), ServiceState::kUp);
  EXPECT_THAT(TextsSince(0), ElementsAre("a start", "b start"));  // c still waits for b
  ExitText("b start");
  EXPECT_THAT(TextsSince(2), ElementsAre("c start"));
  EXPECT_TRUE(host_.settled.empty());
  ExitText("c start");
  EXPECT_THAT(TextsSince(3), ElementsAre("d start"));
  ExitText("d start");
  EXPECT_THAT(host_.settled, ElementsAre('3'));
  EXPECT_EQ(State("d"), ServiceState::kUp);
  EXPECT_FALSE(Running("d"));  // a started scripted service has no process
}

TEST_F(GraphTest, ShutdownStopsInReverseOrderInParallelWhereUnordered) {
  Start({Scripted("a", Trigger::kRunlevel, "3"), Scripted("b", Trigger::kRunlevel, "3", {"a"}),
         Scripted("c", Trigger::kRunlevel, "3", {"a"})},
        '3');
  ExitText("a start");
  ExitText("b start");
  ExitText("c start");
  size_t mark = host_.spawns.size();
  sup_->RequestLevel('0', kWait);
  // b and c depend on a: they stop first, together; a only after both.
  EXPECT_THAT(TextsSince(mark), UnorderedElementsAre("b stop", "c stop"));
  EXPECT_EQ(State("b"), ServiceState::kStopping);
  ExitText("b stop");
  EXPECT_THAT(TextsSince(mark), UnorderedElementsAre("b stop", "c stop"));
  EXPECT_TRUE(host_.settled.size() == 1);  // only '3' so far
  ExitText("c stop");
  EXPECT_THAT(TextsSince(mark + 2), ElementsAre("a stop"));
  ExitText("a stop");
  EXPECT_EQ(State("a"), ServiceState::kStopped);
  EXPECT_THAT(host_.settled, ElementsAre('3', '0'));
}

TEST_F(GraphTest, StopScriptThatHangsIsKilledAfterTheWait) {
  Start({Scripted("a", Trigger::kRunlevel, "3")}, '3');
  ExitText("a start");
  sup_->RequestLevel('0', kWait);
  pid_t stop_pid = host_.spawns.back().pid;
  Advance(kWait - milliseconds(1));
  EXPECT_TRUE(KillsOf(-1).empty());
  EXPECT_TRUE(KillsOf(stop_pid).empty());
  Advance(milliseconds(1));
  EXPECT_THAT(KillsOf(stop_pid), ElementsAre(std::make_pair(stop_pid, SIGKILL)));
  ASSERT_TRUE(sup_->OnChildExit(stop_pid, SIGKILL));
  EXPECT_EQ(State("a"), ServiceState::kStopped);
  EXPECT_THAT(host_.settled, ElementsAre('3', '0'));
}

TEST_F(GraphTest, FailedNeedFailsTheDependentWithoutRunningIt) {
  auto b = Scripted("b", Trigger::kRunlevel, "3", {"a"});
  b.needs = {"a"};
  auto c = Scripted("c", Trigger::kRunlevel, "3", {"a"});  // after only: runs anyway
  Start({Scripted("a", Trigger::kRunlevel, "3"), b, c}, '3');
  ExitText("a start", kFail);
  EXPECT_EQ(State("a"), ServiceState::kFailed);
  EXPECT_EQ(State("b"), ServiceState::kFailed);
  EXPECT_EQ(host_.Count("b"), 0);
  EXPECT_EQ(host_.Count("c"), 1);
  ExitText("c start");
  EXPECT_THAT(host_.settled, ElementsAre('3'));
}

TEST_F(GraphTest, BootStagesWaitForScriptedServicesAndTheyAreKeptByLevels) {
  auto si = Scripted("devfs", Trigger::kSysInit, "2345");
  auto boot1 = Scripted("hostname", Trigger::kBoot, "2345");
  auto boot2 = Scripted("localmount", Trigger::kBoot, "2345", {"hostname"});
  auto def = Scripted("nginx", Trigger::kRunlevel, "345", {"localmount"});
  Start({si, boot1, boot2, def}, '3');
  EXPECT_EQ(sup_->level(), '#');
  ExitText("devfs start");
  EXPECT_EQ(sup_->level(), '*');
  EXPECT_THAT(TextsSince(1), ElementsAre("hostname start"));
  ExitText("hostname start");
  EXPECT_EQ(sup_->level(), '*');  // localmount still to run
  ExitText("localmount start");
  EXPECT_EQ(sup_->level(), '3');
  EXPECT_THAT(TextsSince(3), ElementsAre("nginx start"));
  ExitText("nginx start");
  size_t mark = host_.spawns.size();
  sup_->RequestLevel('2', kWait);  // boot and sysinit services stay, nginx stops
  EXPECT_THAT(TextsSince(mark), ElementsAre("nginx stop"));
  ExitText("nginx stop");
  mark = host_.spawns.size();
  sup_->RequestLevel('0', kWait);
  EXPECT_THAT(TextsSince(mark), ElementsAre("localmount stop"));
  ExitText("localmount stop");
  EXPECT_THAT(TextsSince(mark), ElementsAre("localmount stop", "hostname stop"));
  ExitText("hostname stop");  // the sysinit stage stops after the boot stage
  EXPECT_THAT(TextsSince(mark), ElementsAre("localmount stop", "hostname stop", "devfs stop"));
  ExitText("devfs stop");
  EXPECT_THAT(host_.settled, ElementsAre('3', '2', '0'));
}

TEST_F(GraphTest, KeywordsKeepServicesRunning) {
  auto nostop = Scripted("a", Trigger::kRunlevel, "3");
  nostop.stop_on_level_change = false;
  auto noshutdown = Scripted("b", Trigger::kRunlevel, "3");
  noshutdown.stop_on_shutdown = false;
  Start({nostop, noshutdown}, '3');
  ExitText("a start");
  ExitText("b start");
  size_t mark = host_.spawns.size();
  sup_->RequestLevel('0', kWait);
  EXPECT_TRUE(TextsSince(mark).empty());
  EXPECT_THAT(host_.settled, ElementsAre('3', '0'));
}

TEST_F(GraphTest, DependencyLoopIsStartedAnywayInsteadOfHanging) {
  Start({Scripted("a", Trigger::kRunlevel, "3", {"b"}),
         Scripted("b", Trigger::kRunlevel, "3", {"a"})},
        '3');
  ASSERT_EQ(host_.spawns.size(), 1u);
  ExitText(host_.spawns[0].text);
  EXPECT_EQ(host_.spawns.size(), 2u);
}

TEST_F(GraphTest, DependentOfALongRunStartsWhenItIsUp) {
  auto web = Scripted("web", Trigger::kRunlevel, "3", {"db"});
  Start({Daemon("db", "3", Restart::kAlways), web}, '3');
  EXPECT_THAT(TextsSince(0), ElementsAre("/bin/db", "web start"));
}

TEST_F(GraphTest, RestartPolicies) {
  // Each policy against each way of ending: exit 0, exit 1, SIGTERM (clean), SIGSEGV.
  struct Case {
    Restart policy;
    int status;
    bool restarts;
  };
  const Case cases[] = {
      {Restart::kNo, 0, false},
      {Restart::kNo, kFail, false},
      {Restart::kNo, SIGSEGV, false},
      {Restart::kAlways, 0, true},
      {Restart::kAlways, kFail, true},
      {Restart::kOnSuccess, 0, true},
      {Restart::kOnSuccess, SIGTERM, true},  // a clean signal is a success
      {Restart::kOnSuccess, kFail, false},
      {Restart::kOnSuccess, SIGSEGV, false},
      {Restart::kOnFailure, 0, false},
      {Restart::kOnFailure, SIGTERM, false},
      {Restart::kOnFailure, kFail, true},
      {Restart::kOnFailure, SIGSEGV, true},
      {Restart::kOnAbnormal, kFail, false},
      {Restart::kOnAbnormal, SIGKILL, true},
      {Restart::kOnAbnormal, SIGTERM, false},
      {Restart::kOnAbort, SIGSEGV, true},
      {Restart::kOnAbort, kFail, false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(::testing::Message()
                 << "policy " << static_cast<int>(c.policy) << " status " << c.status);
    host_.spawns.clear();
    Start({Daemon("d", "3", c.policy)}, '3');
    Exit("d", c.status);
    EXPECT_EQ(host_.Count("d"), c.restarts ? 2 : 1);
    EXPECT_EQ(State("d"), c.restarts                               ? ServiceState::kUp
                          : (c.status == 0 || c.status == SIGTERM) ? ServiceState::kStopped
                                                                   : ServiceState::kFailed);
  }
}

TEST_F(GraphTest, RestartDelayAndPreventStatus) {
  auto d = Daemon("d", "3", Restart::kAlways);
  d.restart_delay = seconds(5);
  d.restart_prevent_status = {7};
  Start({d}, '3');
  Exit("d", kFail);
  EXPECT_EQ(host_.Count("d"), 1);
  Advance(seconds(4));
  EXPECT_EQ(host_.Count("d"), 1);
  Advance(seconds(1));
  EXPECT_EQ(host_.Count("d"), 2);
  Exit("d", 7 << 8);
  Advance(seconds(10));
  EXPECT_EQ(host_.Count("d"), 2);
}

TEST_F(GraphTest, GiveUpAfterTooManyRespawns) {
  auto d = Daemon("d", "3", Restart::kAlways);
  d.respawn_limit.max_starts = 3;
  d.respawn_limit.interval = seconds(10);
  d.respawn_limit.give_up = true;
  Start({d}, '3');
  Exit("d", kFail);
  Exit("d", kFail);
  Exit("d", kFail);
  EXPECT_EQ(host_.Count("d"), 3);
  EXPECT_EQ(State("d"), ServiceState::kFailed);
  Advance(std::chrono::hours(1));
  EXPECT_EQ(host_.Count("d"), 3);  // no disable timer: it stays given up
}

TEST_F(GraphTest, StepsRunInOrderWithMainPid) {
  auto d = Daemon("d", "3", Restart::kNo);
  Command pre = Cmd("pre");
  Command post = Cmd("post");
  Command stop = Cmd("stop");
  Command stop_post = Cmd("stoppost");
  d.start_pre = {pre};
  d.start_post = {post};
  d.stop = {stop};
  d.stop_post = {stop_post};
  d.stop_timeout = seconds(2);
  auto dep = Scripted("dep", Trigger::kRunlevel, "3", {"d"});
  Start({d, dep}, '3');
  EXPECT_THAT(TextsSince(0), ElementsAre("pre"));
  ExitText("pre");
  EXPECT_THAT(TextsSince(0), ElementsAre("pre", "/bin/d", "post"));
  pid_t main = PidOfText("/bin/d");
  EXPECT_THAT(host_.envs.back(), ElementsAre("MAINPID=" + std::to_string(main)));
  ExitText("post");
  EXPECT_THAT(TextsSince(3), ElementsAre("dep start"));  // d is up only after start_post
  ExitText("dep start");
  size_t mark = host_.spawns.size();
  sup_->RequestLevel('0', kWait);
  EXPECT_THAT(TextsSince(mark), ElementsAre("dep stop"));
  ExitText("dep stop");
  EXPECT_THAT(TextsSince(mark + 1), ElementsAre("stop"));
  ExitText("stop");
  EXPECT_THAT(KillsOf(main), ElementsAre(std::make_pair(main, SIGTERM)));
  Advance(seconds(2));
  EXPECT_THAT(KillsOf(main),
              ElementsAre(std::make_pair(main, SIGTERM), std::make_pair(main, SIGKILL)));
  ASSERT_TRUE(sup_->OnChildExit(main, SIGKILL));
  EXPECT_THAT(TextsSince(mark + 2), ElementsAre("stoppost"));
  ExitText("stoppost");
  EXPECT_EQ(State("d"), ServiceState::kStopped);
  EXPECT_THAT(host_.settled, ElementsAre('3', '0'));
}

TEST_F(GraphTest, FailingStartPreFailsTheService) {
  auto d = Daemon("d", "3", Restart::kNo);
  d.start_pre = {Cmd("pre")};
  Start({d}, '3');
  ExitText("pre", kFail);
  EXPECT_EQ(State("d"), ServiceState::kFailed);
  EXPECT_EQ(host_.Count("d"), 1);  // only the pre step ran
}

TEST_F(GraphTest, FailedStartIsRestartedByItsPolicy) {
  // systemd: a failing ExecStartPre is a failure like any other for Restart=.
  auto d = Daemon("d", "3", Restart::kOnFailure);
  d.start_pre = {Cmd("pre")};
  d.restart_delay = milliseconds(100);
  Start({d}, '3');
  ExitText("pre", kFail);
  EXPECT_EQ(State("d"), ServiceState::kStopped);
  EXPECT_EQ(host_.Count("d"), 1);
  Advance(milliseconds(100));
  EXPECT_THAT(TextsSince(1), ElementsAre("pre"));
  ExitText("pre");
  EXPECT_THAT(TextsSince(1), ElementsAre("pre", "/bin/d"));
  EXPECT_EQ(State("d"), ServiceState::kUp);
}

TEST_F(GraphTest, SupervisedServicesAreManualAndSurviveLevelChanges) {
  Start({Once("o", "3")}, '3');
  ServiceSpec d = Spec("supervise:x", Trigger::kManual, Kind::kLongRun, false, "", "supervise");
  d.stop_timeout = seconds(5);
  std::string err;
  ASSERT_TRUE(sup_->AddSupervised(d, &err)) << err;
  pid_t pid = host_.Pid("supervise:x");
  EXPECT_FALSE(sup_->AddSupervised(d, &err));
  EXPECT_EQ(err, "already running");
  sup_->RequestLevel('2', kWait);
  EXPECT_TRUE(KillsOf(pid).empty());
  Exit("supervise:x", kFail);  // crash: respawned
  EXPECT_EQ(host_.Count("supervise:x"), 2);
  pid = host_.Pid("supervise:x");
  std::vector<std::string> stopped;
  ASSERT_TRUE(sup_->Stop("supervise:x"));
  EXPECT_THAT(KillsOf(pid), ElementsAre(std::make_pair(pid, SIGTERM)));
  ASSERT_TRUE(sup_->OnChildExit(pid, SIGTERM));
  EXPECT_FALSE(sup_->View("supervise:x").has_value());  // forgotten once stopped
  EXPECT_EQ(host_.Count("supervise:x"), 2);
}

TEST_F(GraphTest, SysvEntriesKeepTheirBatchTerm) {
  // No dependencies: all unwanted entries get SIGTERM together, as before.
  Start({Respawn("a", "2"), Respawn("b", "2")}, '2');
  pid_t a = host_.Pid("a"), b = host_.Pid("b");
  sup_->RequestLevel('3', kWait);
  EXPECT_THAT(KillsOf(a), ElementsAre(std::make_pair(a, SIGTERM)));
  EXPECT_THAT(KillsOf(b), ElementsAre(std::make_pair(b, SIGTERM)));
}

}  // namespace
}  // namespace ctinit
