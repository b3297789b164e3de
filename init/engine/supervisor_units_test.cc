// The supervisor's per-service machine as the unit and OpenRC front ends use it: readiness
// (notify, forking, grouping nodes), the stop sequence and kill modes, a main process ending on
// its own, restart rules and the start limit. Requests, host hooks, level changes and
// re-entrancy are in supervisor_requests_test.cc.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include "init/engine/supervisor_fake_test.h"

namespace ctinit {
namespace {

using namespace testing_support;  // NOLINT
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;

using NA = ServiceSpec::NotifyAccess;

// ---------------------------------------------------------------------------------------------
// Readiness: notify

TEST_F(UnitsTest, NotifyServiceIsUpOnlyAfterReadyAndDependentsWait) {
  auto web = Scripted("web", "3", {"db"});
  Start({NotifyDaemon("db"), web}, '3');
  pid_t db = PidOfText("/bin/db");
  EXPECT_EQ(State("db"), ServiceState::kStarting);
  EXPECT_THAT(host_.mains, ElementsAre(Pair("db", db)));
  EXPECT_THAT(TextsSince(0), ElementsAre("/bin/db"));  // web waits
  EXPECT_THAT(host_.settled, IsEmpty());
  Advance(std::chrono::hours(1));  // no start_timeout: it may take as long as it likes
  EXPECT_EQ(State("db"), ServiceState::kStarting);
  EXPECT_TRUE(Notify("db", {"STATUS=loading tables"}));
  EXPECT_EQ(State("db"), ServiceState::kStarting);
  EXPECT_EQ(Text("db"), "loading tables");
  EXPECT_THAT(TextsSince(0), ElementsAre("/bin/db"));
  EXPECT_TRUE(Notify("db", {"READY=1", "STATUS=serving"}));
  EXPECT_EQ(State("db"), ServiceState::kUp);
  EXPECT_EQ(Text("db"), "serving");
  EXPECT_EQ(MainPid("db"), db);
  EXPECT_THAT(TextsSince(1), ElementsAre("web start"));
  ExitText("web start");
  EXPECT_THAT(host_.settled, ElementsAre('3'));
  // A second READY=1 changes nothing.
  EXPECT_TRUE(Notify("db", {"READY=1"}));
  EXPECT_EQ(State("db"), ServiceState::kUp);
  EXPECT_EQ(host_.spawns.size(), 2u);
}

TEST_F(UnitsTest, NotifyMainPidChangesTheMainProcess) {
  Start({NotifyDaemon("d")}, '3');
  pid_t launcher = PidOfText("/bin/d");
  ASSERT_TRUE(Notify("d", {"MAINPID=4242"}));
  EXPECT_EQ(MainPid("d"), 4242);
  EXPECT_THAT(host_.mains, ElementsAre(Pair("d", launcher), Pair("d", 4242)));
  // From now on the new main process is the one that may notify (NotifyAccess=main).
  EXPECT_FALSE(sup_->OnNotify(launcher, launcher, {"READY=1"}));
  EXPECT_EQ(State("d"), ServiceState::kStarting);
  EXPECT_TRUE(sup_->OnNotify(4242, launcher, {"READY=1"}));
  EXPECT_EQ(State("d"), ServiceState::kUp);
  // The old process is no longer the service's.
  EXPECT_FALSE(sup_->OnChildExit(launcher, 0));
  EXPECT_EQ(State("d"), ServiceState::kUp);
  ASSERT_TRUE(sup_->Stop("d"));
  EXPECT_THAT(host_.kills, ElementsAre(Pair(4242, SIGTERM)));
  ASSERT_TRUE(sup_->OnChildExit(4242, SIGTERM));
  EXPECT_EQ(State("d"), ServiceState::kStopped);
}

TEST_F(UnitsTest, NotifyBadMainPidIsIgnored) {
  Start({NotifyDaemon("d")}, '3');
  pid_t pid = PidOfText("/bin/d");
  for (const char* f : {"MAINPID=", "MAINPID=abc", "MAINPID=1", "MAINPID=-5", "MAINPID=12x",
                        "MAINPID=99999999999"}) {
    EXPECT_TRUE(Notify("d", {f}));
    EXPECT_EQ(MainPid("d"), pid) << f;
  }
}

TEST_F(UnitsTest, NotifyMainPidAndReadyInOneDatagramStartPostSeesTheNewPid) {
  // systemd applies MAINPID= before READY=1, whatever their order in the datagram.
  auto d = NotifyDaemon("d");
  d.start_post = {Cmd("post")};
  Start({d}, '3');
  ASSERT_TRUE(Notify("d", {"READY=1", "MAINPID=4242"}));
  EXPECT_THAT(EnvOfText("post"), ElementsAre("MAINPID=4242"));
  ExitText("post");
  EXPECT_EQ(State("d"), ServiceState::kUp);
  EXPECT_EQ(MainPid("d"), 4242);
}

TEST_F(UnitsTest, NotifyStatusIsClearedByTheNextStart) {
  Start({NotifyDaemon("d", Restart::kAlways)}, '3');
  ASSERT_TRUE(Notify("d", {"READY=1", "STATUS=serving"}));
  EXPECT_EQ(Text("d"), "serving");
  ExitText("/bin/d", kFail);
  EXPECT_EQ(CountText("/bin/d"), 2);
  EXPECT_EQ(State("d"), ServiceState::kStarting);
  EXPECT_NE(Text("d"), "serving");
}

TEST_F(UnitsTest, NotifyAccessMainAcceptsOnlyTheMainProcess) {
  auto d = NotifyDaemon("d");
  d.reload = {Cmd("reload")};
  Start({d}, '3');
  pid_t pid = PidOfText("/bin/d");
  EXPECT_FALSE(sup_->OnNotify(pid + 50, pid, {"READY=1"}));  // another process of its group
  EXPECT_FALSE(sup_->OnNotify(pid + 51, 0, {"READY=1"}));    // a stranger
  EXPECT_EQ(State("d"), ServiceState::kStarting);
  EXPECT_TRUE(sup_->OnNotify(pid, pid, {"READY=1"}));
  EXPECT_EQ(State("d"), ServiceState::kUp);
  ASSERT_TRUE(sup_->ReloadService("d"));
  pid_t ctl = PidOfText("reload");
  EXPECT_FALSE(sup_->OnNotify(ctl, ctl, {"STATUS=from the reload step"}));
  EXPECT_NE(Text("d"), "from the reload step");
}

TEST_F(UnitsTest, NotifyAccessNoneAcceptsNothing) {
  auto d = NotifyDaemon("d");
  d.notify_access = NA::kNone;
  d.start_timeout = seconds(10);
  Start({d}, '3');
  pid_t pid = PidOfText("/bin/d");
  EXPECT_FALSE(sup_->OnNotify(pid, pid, {"READY=1"}));
  EXPECT_EQ(State("d"), ServiceState::kStarting);
  Advance(seconds(10));  // so it times out, as with systemd
  EXPECT_EQ(State("d"), ServiceState::kStopping);
  EXPECT_THAT(host_.kills, ElementsAre(Pair(pid, SIGTERM)));
}

TEST_F(UnitsTest, NotifyAccessExecAcceptsControlProcessesButNotTheGroup) {
  auto d = NotifyDaemon("d");
  d.notify_access = NA::kExec;
  d.reload = {Cmd("reload")};
  Start({d}, '3');
  pid_t pid = PidOfText("/bin/d");
  EXPECT_FALSE(sup_->OnNotify(pid + 50, pid, {"READY=1"}));
  EXPECT_EQ(State("d"), ServiceState::kStarting);
  EXPECT_TRUE(sup_->OnNotify(pid, pid, {"READY=1"}));
  ASSERT_TRUE(sup_->ReloadService("d"));
  pid_t ctl = PidOfText("reload");
  EXPECT_TRUE(sup_->OnNotify(ctl, ctl, {"STATUS=reloading"}));
  EXPECT_EQ(Text("d"), "reloading");
}

TEST_F(UnitsTest, NotifyAccessAllAcceptsAnyProcessOfTheGroup) {
  auto d = NotifyDaemon("d");
  d.notify_access = NA::kAll;
  Start({d}, '3');
  pid_t pid = PidOfText("/bin/d");
  EXPECT_FALSE(sup_->OnNotify(pid + 51, pid + 51, {"READY=1"}));  // not of its group
  EXPECT_TRUE(sup_->OnNotify(pid + 50, pid, {"READY=1"}));
  EXPECT_EQ(State("d"), ServiceState::kUp);
}

TEST_F(UnitsTest, NotificationsToServicesThatAreNotNotifyAreRejected) {
  Start({Daemon("d")}, '3');
  pid_t pid = PidOfText("/bin/d");
  EXPECT_FALSE(sup_->OnNotify(pid, pid, {"STATUS=hello"}));
  EXPECT_NE(Text("d"), "hello");
}

TEST_F(UnitsTest, NotifyMainExitBeforeReadyFails) {
  Start({NotifyDaemon("d")}, '3');
  ExitText("/bin/d", 0);  // even a clean exit: it never said it was ready
  EXPECT_EQ(State("d"), ServiceState::kFailed);
  EXPECT_THAT(Text("d"), HasSubstr("before it was ready"));
  EXPECT_EQ(CountText("/bin/d"), 1);
  EXPECT_EQ(sup_->Get("d")->last_status, 0);
}

TEST_F(UnitsTest, NotifyMainExitBeforeReadyIsRestartedByItsPolicy) {
  auto d = NotifyDaemon("d", Restart::kOnFailure);
  d.restart_delay = milliseconds(100);
  Start({d}, '3');
  ExitText("/bin/d", kFail);
  EXPECT_EQ(State("d"), ServiceState::kStopped);
  EXPECT_THAT(Text("d"), HasSubstr("restarting"));
  Advance(milliseconds(100));
  EXPECT_EQ(CountText("/bin/d"), 2);
  EXPECT_EQ(State("d"), ServiceState::kStarting);
  EXPECT_TRUE(Notify("d", {"READY=1"}));
  EXPECT_EQ(State("d"), ServiceState::kUp);
}

TEST_F(UnitsTest, NotifyStartTimeoutSignalsThenKills) {
  auto d = NotifyDaemon("d");
  d.start_timeout = seconds(5);
  d.stop_timeout = seconds(2);
  d.stop_post = {Cmd("stoppost")};
  Start({d}, '3');
  pid_t pid = PidOfText("/bin/d");
  Advance(seconds(5) - milliseconds(1));
  EXPECT_THAT(host_.kills, IsEmpty());
  Advance(milliseconds(1));
  EXPECT_THAT(host_.kills, ElementsAre(Pair(pid, SIGTERM)));
  EXPECT_EQ(State("d"), ServiceState::kStopping);
  Advance(seconds(2));
  EXPECT_THAT(host_.kills, ElementsAre(Pair(pid, SIGTERM), Pair(pid, SIGKILL)));
  ASSERT_TRUE(sup_->OnChildExit(pid, SIGKILL));
  EXPECT_THAT(TextsSince(1), ElementsAre("stoppost"));
  ExitText("stoppost");
  EXPECT_EQ(State("d"), ServiceState::kFailed);
  EXPECT_THAT(Text("d"), HasSubstr("timed out"));
  EXPECT_EQ(CountText("/bin/d"), 1);
}

TEST_F(UnitsTest, StartTimeoutCountsAsAbnormalNotAsAbort) {
  for (Restart r : {Restart::kOnAbnormal, Restart::kOnFailure, Restart::kOnAbort}) {
    SCOPED_TRACE(static_cast<int>(r));
    host_ = FakeHost();
    auto d = NotifyDaemon("d", r);
    d.start_timeout = seconds(1);
    Start({d}, '3');
    Advance(seconds(1));
    ExitText("/bin/d", SIGTERM);
    EXPECT_EQ(CountText("/bin/d"), r == Restart::kOnAbort ? 1 : 2);
  }
}

TEST_F(UnitsTest, StoppingNotificationShowsItStopping) {
  Start({NotifyDaemon("d")}, '3');
  ASSERT_TRUE(Notify("d", {"READY=1"}));
  ASSERT_TRUE(Notify("d", {"STOPPING=1"}));
  EXPECT_EQ(State("d"), ServiceState::kStopping);
  ExitText("/bin/d", 0);
  EXPECT_EQ(State("d"), ServiceState::kStopped);
}

// ---------------------------------------------------------------------------------------------
// Readiness: forking

TEST_F(UnitsTest, ForkingReadsThePidFileWhenTheLauncherExits) {
  auto d = Forking("d", "/run/d.pid");
  auto web = Scripted("web", "3", {"d"});
  Start({d, web}, '3');
  EXPECT_EQ(State("d"), ServiceState::kStarting);
  EXPECT_THAT(host_.mains, IsEmpty());  // the launcher is not the main process
  host_.pidfiles["/run/d.pid"] = 5000;
  EXPECT_THAT(TextsSince(0), ElementsAre("/bin/d"));
  ExitText("/bin/d", 0);
  EXPECT_EQ(State("d"), ServiceState::kUp);
  EXPECT_EQ(MainPid("d"), 5000);
  EXPECT_THAT(host_.mains, ElementsAre(Pair("d", 5000)));
  EXPECT_THAT(TextsSince(1), ElementsAre("web start"));
  ExitText("web start");
  size_t mark = host_.spawns.size();
  sup_->RequestLevel('0', kWait);
  ExitText("web stop");
  EXPECT_THAT(host_.kills, ElementsAre(Pair(5000, SIGTERM)));
  ASSERT_TRUE(sup_->OnChildExit(5000, SIGTERM));
  EXPECT_EQ(State("d"), ServiceState::kStopped);
  EXPECT_THAT(TextsSince(mark), ElementsAre("web stop"));
}

TEST_F(UnitsTest, ForkingPidFileThatAppearsLateIsPolled) {
  auto d = Forking("d", "/run/d.pid");
  d.start_timeout = seconds(10);
  Start({d}, '3');
  ExitText("/bin/d", 0);
  EXPECT_EQ(State("d"), ServiceState::kStarting);
  int reads = host_.pidfile_reads;
  EXPECT_GE(reads, 1);
  Advance(milliseconds(500));
  EXPECT_GT(host_.pidfile_reads, reads);
  EXPECT_EQ(State("d"), ServiceState::kStarting);
  host_.pidfiles["/run/d.pid"] = 5000;
  Advance(milliseconds(200));
  EXPECT_EQ(State("d"), ServiceState::kUp);
  EXPECT_EQ(MainPid("d"), 5000);
  reads = host_.pidfile_reads;
  Advance(seconds(20));  // polling ends once it is up, and the start timeout with it
  EXPECT_EQ(host_.pidfile_reads, reads);
  EXPECT_EQ(State("d"), ServiceState::kUp);
  EXPECT_FALSE(host_.timer.has_value());
}

TEST_F(UnitsTest, ForkingPidFileThatNeverAppearsFailsAtTheStartTimeout) {
  auto d = Forking("d", "/run/d.pid");
  d.start_timeout = seconds(3);
  Start({d}, '3');
  Advance(seconds(1));
  ExitText("/bin/d", 0);
  Advance(seconds(2) - milliseconds(1));
  EXPECT_EQ(State("d"), ServiceState::kStarting);
  Advance(milliseconds(1));  // the timeout covers the whole start, launcher included
  EXPECT_EQ(State("d"), ServiceState::kFailed);
  EXPECT_THAT(Text("d"), HasSubstr("pid file"));
  EXPECT_FALSE(host_.timer.has_value());
}

TEST_F(UnitsTest, ForkingPidFileTimeoutSignalsWhatTheLauncherLeftInItsGroup) {
  auto d = Forking("d", "/run/d.pid");
  d.start_timeout = seconds(3);
  d.kill_mode = KillMode::kControlGroup;
  Start({d}, '3');
  pid_t launcher = PidOfText("/bin/d");
  host_.groups_alive.insert(launcher);  // the daemon it forked is still in its group
  ExitText("/bin/d", 0);
  Advance(seconds(3));
  EXPECT_EQ(State("d"), ServiceState::kStopping);
  EXPECT_THAT(GroupKillsOf(launcher), ElementsAre(Pair(launcher, SIGTERM)));
  host_.groups_alive.clear();
  EXPECT_FALSE(sup_->OnChildExit(6000, SIGTERM));  // the daemon: not a child we know
  EXPECT_EQ(State("d"), ServiceState::kFailed);
}

TEST_F(UnitsTest, ForkingLauncherFailureFailsTheStart) {
  auto d = Forking("d", "/run/d.pid");
  host_.pidfiles["/run/d.pid"] = 5000;  // a stale pid file is not read
  Start({d}, '3');
  ExitText("/bin/d", kFail);
  EXPECT_EQ(State("d"), ServiceState::kFailed);
  EXPECT_THAT(Text("d"), HasSubstr("exited 1"));
  EXPECT_EQ(host_.pidfile_reads, 0);
  EXPECT_THAT(host_.mains, IsEmpty());
}

TEST_F(UnitsTest, ForkingPidFileNamingADeadProcessFails) {
  auto d = Forking("d", "/run/d.pid");
  host_.pidfiles["/run/d.pid"] = 5000;
  host_.dead.insert(5000);
  Start({d}, '3');
  ExitText("/bin/d", 0);
  EXPECT_EQ(State("d"), ServiceState::kFailed);
  EXPECT_THAT(Text("d"), HasSubstr("5000"));
}

TEST_F(UnitsTest, ForkingWithoutPidFileGuessesTheMainPid) {
  auto d = Forking("d", "");
  Start({d}, '3');
  pid_t launcher = PidOfText("/bin/d");
  host_.guesses[launcher] = 777;
  ExitText("/bin/d", 0);
  EXPECT_EQ(State("d"), ServiceState::kUp);
  EXPECT_EQ(MainPid("d"), 777);
  EXPECT_EQ(host_.pidfile_reads, 0);
  ASSERT_TRUE(sup_->OnChildExit(777, kFail));  // the daemon's end is the service's end
  EXPECT_EQ(State("d"), ServiceState::kFailed);
}

TEST_F(UnitsTest, ForkingWithoutGuessIsUpWithoutAMainPid) {
  auto d = Forking("d", "");
  d.guess_main_pid = false;
  Start({d}, '3');
  pid_t launcher = PidOfText("/bin/d");
  host_.guesses[launcher] = 777;  // not asked
  ExitText("/bin/d", 0);
  EXPECT_EQ(State("d"), ServiceState::kUp);
  EXPECT_EQ(MainPid("d"), 0);
  ASSERT_TRUE(sup_->Stop("d"));
  EXPECT_EQ(State("d"), ServiceState::kStopped);  // nothing known to signal
  EXPECT_THAT(host_.kills, IsEmpty());
}

// ---------------------------------------------------------------------------------------------
// Grouping nodes (kScripted without a command: a systemd target)

TEST_F(UnitsTest, GroupingNodeIsUpOnceItsDependenciesAreAndRunsNothing) {
  auto target = Scripted("multi-user.target", "3", {"a"});
  target.command = Command{};
  target.stop.clear();
  auto after_target = Scripted("late", "3", {"multi-user.target"});
  auto empty = Scripted("empty.target");
  empty.command = Command{};
  empty.stop.clear();
  Start({target, Scripted("a"), after_target, empty}, '3');
  EXPECT_EQ(State("empty.target"), ServiceState::kUp);
  EXPECT_NE(State("multi-user.target"), ServiceState::kUp);  // a is not up yet
  EXPECT_THAT(TextsSince(0), ElementsAre("a start"));
  ExitText("a start");
  EXPECT_EQ(State("multi-user.target"), ServiceState::kUp);
  EXPECT_THAT(TextsSince(1), ElementsAre("late start"));
  ExitText("late start");
  EXPECT_THAT(host_.settled, ElementsAre('3'));
  size_t mark = host_.spawns.size();
  sup_->RequestLevel('0', kWait);
  EXPECT_THAT(TextsSince(mark), ElementsAre("late stop"));
  ExitText("late stop");
  EXPECT_EQ(State("multi-user.target"), ServiceState::kStopped);
  EXPECT_THAT(TextsSince(mark), ElementsAre("late stop", "a stop"));
  ExitText("a stop");
  EXPECT_EQ(State("empty.target"), ServiceState::kStopped);
  EXPECT_THAT(host_.settled, ElementsAre('3', '0'));
}

// ---------------------------------------------------------------------------------------------
// The stop sequence and kill modes

TEST_F(UnitsTest, GroupModeSignalsTheGroupAndTheLeadersEndEndsTheWait) {
  auto d = Daemon("d");
  d.stop = {Cmd("stop1"), Cmd("stop2")};
  Start({d}, '3');
  pid_t pid = PidOfText("/bin/d");
  host_.groups_alive.insert(pid);  // kGroup does not wait for the rest of the group
  ASSERT_TRUE(sup_->Stop("d"));
  EXPECT_THAT(TextsSince(1), ElementsAre("stop1"));
  EXPECT_THAT(EnvOfText("stop1"), ElementsAre("MAINPID=" + std::to_string(pid)));
  EXPECT_THAT(host_.kills, IsEmpty());
  ExitText("stop1", kFail);  // a failing stop step does not end the sequence
  EXPECT_THAT(TextsSince(1), ElementsAre("stop1", "stop2"));
  EXPECT_THAT(EnvOfText("stop2"), ElementsAre("MAINPID=" + std::to_string(pid)));
  ExitText("stop2");
  EXPECT_THAT(host_.group_kills, ElementsAre(Pair(pid, SIGTERM)));
  EXPECT_THAT(host_.process_kills, IsEmpty());
  EXPECT_EQ(State("d"), ServiceState::kStopping);
  ExitText("/bin/d", SIGTERM);
  EXPECT_EQ(State("d"), ServiceState::kStopped);
}

TEST_F(UnitsTest, StopStepsEndingTheMainProcessSkipTheSignal) {
  auto d = Daemon("d");
  d.stop = {Cmd("stop")};
  Start({d}, '3');
  ASSERT_TRUE(sup_->Stop("d"));
  ExitText("/bin/d", 0);  // the stop command made it exit
  ExitText("stop");
  EXPECT_EQ(State("d"), ServiceState::kStopped);
  EXPECT_THAT(host_.kills, IsEmpty());
}

TEST_F(UnitsTest, ControlGroupModeWaitsForTheWholeGroup) {
  auto d = Daemon("d");
  d.kill_mode = KillMode::kControlGroup;
  d.stop_post = {Cmd("stoppost")};
  Start({d}, '3');
  pid_t pid = PidOfText("/bin/d");
  host_.groups_alive.insert(pid);
  ASSERT_TRUE(sup_->Stop("d"));
  EXPECT_THAT(host_.group_kills, ElementsAre(Pair(pid, SIGTERM)));
  ExitText("/bin/d", SIGTERM);
  EXPECT_EQ(State("d"), ServiceState::kStopping);  // its children are still there
  EXPECT_EQ(CountText("stoppost"), 0);
  EXPECT_FALSE(sup_->OnChildExit(9999, 0));  // an orphan: the group is checked again
  EXPECT_EQ(State("d"), ServiceState::kStopping);
  host_.groups_alive.clear();
  EXPECT_FALSE(sup_->OnChildExit(9998, 0));
  EXPECT_EQ(CountText("stoppost"), 1);
  ExitText("stoppost");
  EXPECT_EQ(State("d"), ServiceState::kStopped);
}

TEST_F(UnitsTest, ControlGroupIsKilledAtTheDeadlineAndNotWaitedForLong) {
  auto d = Daemon("d");
  d.kill_mode = KillMode::kControlGroup;
  d.stop_timeout = seconds(2);
  Start({d}, '3');
  pid_t pid = PidOfText("/bin/d");
  host_.groups_alive.insert(pid);
  ASSERT_TRUE(sup_->Stop("d"));
  ExitText("/bin/d", SIGTERM);
  Advance(seconds(2));
  EXPECT_THAT(host_.group_kills, ElementsAre(Pair(pid, SIGTERM), Pair(pid, SIGKILL)));
  EXPECT_EQ(State("d"), ServiceState::kStopping);
  Advance(seconds(1));  // survivors of SIGKILL are not our children: stop waiting
  EXPECT_EQ(State("d"), ServiceState::kStopped);
  EXPECT_FALSE(host_.timer.has_value());
}

TEST_F(UnitsTest, ControlGroupLeftoversAreSignalledWhenTheMainProcessEndsOnItsOwn) {
  auto d = Daemon("d", Restart::kAlways);
  d.kill_mode = KillMode::kControlGroup;
  Start({d}, '3');
  pid_t pid = PidOfText("/bin/d");
  host_.groups_alive.insert(pid);
  ExitText("/bin/d", kFail);
  EXPECT_THAT(host_.group_kills, ElementsAre(Pair(pid, SIGTERM)));
  EXPECT_EQ(CountText("/bin/d"), 1);  // not restarted while its old processes are around
  host_.groups_alive.clear();
  EXPECT_FALSE(sup_->OnChildExit(9999, 0));
  EXPECT_EQ(CountText("/bin/d"), 2);
  EXPECT_EQ(State("d"), ServiceState::kUp);
}

TEST_F(UnitsTest, ProcessModeSignalsOnlyTheMainProcess) {
  auto d = Daemon("d");
  d.kill_mode = KillMode::kProcess;
  d.stop_timeout = seconds(2);
  Start({d}, '3');
  pid_t pid = PidOfText("/bin/d");
  host_.groups_alive.insert(pid);
  ASSERT_TRUE(sup_->Stop("d"));
  EXPECT_THAT(host_.process_kills, ElementsAre(Pair(pid, SIGTERM)));
  Advance(seconds(2));
  EXPECT_THAT(host_.process_kills, ElementsAre(Pair(pid, SIGTERM), Pair(pid, SIGKILL)));
  EXPECT_THAT(host_.group_kills, IsEmpty());
  ExitText("/bin/d", SIGKILL);
  EXPECT_EQ(State("d"), ServiceState::kStopped);  // the group is not waited for
}

TEST_F(UnitsTest, MixedModeSignalsTheMainProcessThenKillsTheRestOfTheGroup) {
  auto d = Daemon("d");
  d.kill_mode = KillMode::kMixed;
  Start({d}, '3');
  pid_t pid = PidOfText("/bin/d");
  host_.groups_alive.insert(pid);
  ASSERT_TRUE(sup_->Stop("d"));
  EXPECT_THAT(host_.process_kills, ElementsAre(Pair(pid, SIGTERM)));
  EXPECT_THAT(host_.group_kills, IsEmpty());
  ExitText("/bin/d", SIGTERM);
  EXPECT_THAT(host_.group_kills, ElementsAre(Pair(pid, SIGKILL)));
  EXPECT_EQ(State("d"), ServiceState::kStopping);
  host_.groups_alive.clear();
  EXPECT_FALSE(sup_->OnChildExit(9999, SIGKILL));
  EXPECT_EQ(State("d"), ServiceState::kStopped);
}

TEST_F(UnitsTest, MixedModeKillsTheGroupAtTheDeadline) {
  auto d = Daemon("d");
  d.kill_mode = KillMode::kMixed;
  d.stop_timeout = seconds(2);
  Start({d}, '3');
  pid_t pid = PidOfText("/bin/d");
  ASSERT_TRUE(sup_->Stop("d"));
  Advance(seconds(2));
  EXPECT_THAT(host_.process_kills, ElementsAre(Pair(pid, SIGTERM)));
  EXPECT_THAT(host_.group_kills, ElementsAre(Pair(pid, SIGKILL)));
  ExitText("/bin/d", SIGKILL);
  EXPECT_EQ(State("d"), ServiceState::kStopped);
}

TEST_F(UnitsTest, MixedModeLeftoversAreKilledWhenTheMainProcessEndsOnItsOwn) {
  auto d = Daemon("d");
  d.kill_mode = KillMode::kMixed;
  Start({d}, '3');
  pid_t pid = PidOfText("/bin/d");
  host_.groups_alive.insert(pid);
  ExitText("/bin/d", 0);
  EXPECT_THAT(host_.group_kills, ElementsAre(Pair(pid, SIGKILL)));
  EXPECT_EQ(State("d"), ServiceState::kStopping);
  host_.groups_alive.clear();
  EXPECT_FALSE(sup_->OnChildExit(9999, SIGKILL));
  EXPECT_EQ(State("d"), ServiceState::kStopped);
}

TEST_F(UnitsTest, KillModeNoneSendsNothingAndIsStoppedOnceItsStopStepsRan) {
  auto d = Daemon("d");
  d.kill_mode = KillMode::kNone;
  d.stop = {Cmd("stop")};
  d.stop_post = {Cmd("stoppost")};
  Start({d}, '3');
  pid_t pid = PidOfText("/bin/d");
  ASSERT_TRUE(sup_->Stop("d"));
  ExitText("stop");
  EXPECT_THAT(TextsSince(1), ElementsAre("stop", "stoppost"));  // no wait for the process
  ExitText("stoppost");
  EXPECT_EQ(State("d"), ServiceState::kStopped);
  EXPECT_THAT(host_.kills, IsEmpty());
  Advance(std::chrono::hours(1));
  EXPECT_THAT(host_.kills, IsEmpty());
  EXPECT_FALSE(sup_->OnChildExit(pid, 0));  // left alone: no longer the service's
  EXPECT_EQ(CountText("/bin/d"), 1);
}

TEST_F(UnitsTest, SendSighupFollowsTheStopSignal) {
  auto d = Daemon("d");
  d.send_sighup = true;
  Start({d}, '3');
  pid_t pid = PidOfText("/bin/d");
  ASSERT_TRUE(sup_->Stop("d"));
  EXPECT_THAT(host_.kills, ElementsAre(Pair(pid, SIGTERM), Pair(pid, SIGHUP)));
}

TEST_F(UnitsTest, StopSignalAndFinalKillSignalAreConfigurable) {
  auto d = Daemon("d");
  d.stop_signal = SIGINT;
  d.final_kill_signal = SIGQUIT;
  d.stop_timeout = seconds(1);
  Start({d}, '3');
  pid_t pid = PidOfText("/bin/d");
  ASSERT_TRUE(sup_->Stop("d"));
  Advance(seconds(1));
  EXPECT_THAT(host_.kills, ElementsAre(Pair(pid, SIGINT), Pair(pid, SIGQUIT)));
  ExitText("/bin/d", SIGQUIT);
  EXPECT_EQ(State("d"), ServiceState::kStopped);
}

TEST_F(UnitsTest, SendSigkillOffLeavesTheProcessesAtTheDeadline) {
  auto d = Daemon("d");
  d.send_sigkill = false;
  d.stop_timeout = seconds(1);
  d.stop_post = {Cmd("stoppost")};
  Start({d}, '3');
  pid_t pid = PidOfText("/bin/d");
  ASSERT_TRUE(sup_->Stop("d"));
  Advance(seconds(1));
  EXPECT_THAT(host_.kills, ElementsAre(Pair(pid, SIGTERM)));
  EXPECT_THAT(TextsSince(1), ElementsAre("stoppost"));
  ExitText("stoppost");
  EXPECT_EQ(State("d"), ServiceState::kStopped);
}

TEST_F(UnitsTest, StopTimeoutOverridesTheLevelKillWait) {
  auto own = Daemon("own");
  own.stop_timeout = seconds(1);
  Start({own, Daemon("level")}, '3');
  pid_t a = PidOfText("/bin/own"), b = PidOfText("/bin/level");
  sup_->RequestLevel('0', seconds(5));
  Advance(seconds(1));
  EXPECT_THAT(KillsOf(a), ElementsAre(Pair(a, SIGTERM), Pair(a, SIGKILL)));
  EXPECT_THAT(KillsOf(b), ElementsAre(Pair(b, SIGTERM)));
  Advance(seconds(4) - milliseconds(1));
  EXPECT_THAT(KillsOf(b), ElementsAre(Pair(b, SIGTERM)));
  Advance(milliseconds(1));
  EXPECT_THAT(KillsOf(b), ElementsAre(Pair(b, SIGTERM), Pair(b, SIGKILL)));
}

TEST_F(UnitsTest, CapStopWaitsShortensRunningAndLaterWaits) {
  auto a = Daemon("a");
  a.stop_timeout = seconds(30);
  auto b = Daemon("b", Restart::kNo);
  b.after = {"a"};  // stops first
  b.stop = {Cmd("bstop")};
  b.stop_timeout = seconds(30);
  Start({a, b}, '3');
  pid_t pa = PidOfText("/bin/a");
  sup_->RequestLevel('0', seconds(30));
  pid_t stop = PidOfText("bstop");
  sup_->CapStopWaits(host_.now + seconds(2));
  Advance(seconds(2));
  EXPECT_THAT(KillsOf(stop), ElementsAre(Pair(stop, SIGKILL)));
  ASSERT_TRUE(sup_->OnChildExit(stop, SIGKILL));
  pid_t pb = PidOfText("/bin/b");
  EXPECT_THAT(KillsOf(pb), ElementsAre(Pair(pb, SIGTERM), Pair(pb, SIGKILL)));  // past the cap
  ExitText("/bin/b", SIGKILL);
  EXPECT_THAT(KillsOf(pa), ElementsAre(Pair(pa, SIGTERM), Pair(pa, SIGKILL)));
  ExitText("/bin/a", SIGKILL);
  EXPECT_THAT(host_.settled, ElementsAre('3', '0'));
}

TEST_F(UnitsTest, KillStoppingNowKillsWhatIsStillStopping) {
  auto a = Daemon("a");
  a.stop_timeout = seconds(30);
  auto b = Daemon("b");
  b.stop = {Cmd("bstop")};
  b.stop_timeout = seconds(30);
  Start({a, b}, '3');
  pid_t pa = PidOfText("/bin/a");
  sup_->RequestLevel('0', seconds(30));
  pid_t stop = PidOfText("bstop");
  sup_->KillStoppingNow();
  EXPECT_THAT(KillsOf(pa), ElementsAre(Pair(pa, SIGTERM), Pair(pa, SIGKILL)));
  EXPECT_THAT(KillsOf(stop), ElementsAre(Pair(stop, SIGKILL)));
}

TEST_F(UnitsTest, StopPostRunsWhateverEndedTheService) {
  auto d = Daemon("d", Restart::kNo);
  d.start_pre = {Cmd("pre")};
  d.stop_post = {Cmd("stoppost")};
  Start({d}, '3');
  ExitText("pre", kFail);  // a failed start
  EXPECT_THAT(TextsSince(0), ElementsAre("pre", "stoppost"));
  ExitText("stoppost");
  EXPECT_EQ(State("d"), ServiceState::kFailed);
  ASSERT_TRUE(sup_->Start("d"));
  ExitText("pre");
  ExitText("/bin/d", kFail);  // an end on its own
  EXPECT_THAT(TextsSince(2), ElementsAre("pre", "/bin/d", "stoppost"));
  ExitText("stoppost");
  ASSERT_TRUE(sup_->Start("d"));
  ExitText("pre");
  ASSERT_TRUE(sup_->Stop("d"));  // a stop
  ExitText("/bin/d", SIGTERM);
  EXPECT_THAT(TextsSince(5), ElementsAre("pre", "/bin/d", "stoppost"));
  EXPECT_EQ(State("d"), ServiceState::kStopping);
  ExitText("stoppost");
  EXPECT_EQ(State("d"), ServiceState::kStopped);
}

TEST_F(UnitsTest, SpawnFailureOfTheCommandStillRunsStopPost) {
  auto d = Daemon("d", Restart::kNo);
  d.stop_post = {Cmd("stoppost")};
  host_.failing.insert("/bin/d");
  Start({d}, '3');
  EXPECT_THAT(TextsSince(0), ElementsAre("/bin/d", "stoppost"));
  ExitText("stoppost");
  EXPECT_EQ(State("d"), ServiceState::kFailed);
  EXPECT_THAT(host_.after_stops, ElementsAre("d"));
}

TEST_F(UnitsTest, SpawnFailureOfARestartAlwaysCommandRunsStopPostUntilTheLimit) {
  auto d = Daemon("d", Restart::kAlways);
  d.stop_post = {Cmd("stoppost")};
  d.respawn_limit.max_starts = 2;
  host_.failing.insert("/bin/d");
  Start({d}, '3');
  EXPECT_THAT(TextsSince(0), ElementsAre("/bin/d", "stoppost"));
  ExitText("stoppost");
  EXPECT_THAT(TextsSince(0), ElementsAre("/bin/d", "stoppost", "/bin/d", "stoppost"));
  ExitText("stoppost");
  EXPECT_EQ(CountText("/bin/d"), 2);
  EXPECT_EQ(CountText("stoppost"), 2);
  EXPECT_TRUE(sup_->View("d")->disabled);
  EXPECT_THAT(host_.after_stops, ElementsAre("d", "d"));
}

// ---------------------------------------------------------------------------------------------
// The main process ending on its own; restart rules

TEST_F(UnitsTest, MainEndingOnItsOwnRunsStopStepsThenStopPostThenRestarts) {
  auto d = Daemon("d", Restart::kAlways);
  d.stop = {Cmd("stop")};
  d.stop_post = {Cmd("stoppost")};
  Start({d}, '3');
  ExitText("/bin/d", kFail);
  EXPECT_EQ(State("d"), ServiceState::kStopping);
  EXPECT_THAT(TextsSince(1), ElementsAre("stop"));
  EXPECT_THAT(EnvOfText("stop"), IsEmpty());  // no $MAINPID: it is gone
  ExitText("stop");
  EXPECT_THAT(TextsSince(1), ElementsAre("stop", "stoppost"));
  EXPECT_EQ(CountText("/bin/d"), 1);
  ExitText("stoppost");
  EXPECT_EQ(CountText("/bin/d"), 2);
  EXPECT_EQ(State("d"), ServiceState::kUp);
  EXPECT_EQ(sup_->Get("d")->last_status, kFail);
}

TEST_F(UnitsTest, RestartDelayIsShownAndAStopCancelsIt) {
  auto d = Daemon("d", Restart::kAlways);
  d.restart_delay = seconds(5);
  Start({d}, '3');
  ExitText("/bin/d", kFail);
  EXPECT_EQ(State("d"), ServiceState::kStopped);
  EXPECT_THAT(Text("d"), HasSubstr("restarting in 5.000 s"));
  ASSERT_TRUE(host_.timer.has_value());
  EXPECT_EQ(*host_.timer, host_.now + seconds(5));
  size_t events = host_.states.size();
  ASSERT_TRUE(sup_->Stop("d"));
  // The stop is reported (systemctl stop waits for it) and ends no second run.
  ASSERT_GT(host_.states.size(), events);
  EXPECT_EQ(host_.states.back().to, ServiceState::kStopped);
  EXPECT_THAT(host_.after_stops, ElementsAre("d"));
  Advance(seconds(10));
  EXPECT_EQ(CountText("/bin/d"), 1);
  EXPECT_EQ(State("d"), ServiceState::kStopped);
}

TEST_F(UnitsTest, SuccessStatusAndSuccessSignalsAreClean) {
  auto d = Daemon("d", Restart::kOnFailure);
  d.success_status = {3};
  d.success_signals = {SIGUSR1};
  Start({d}, '3');
  ExitText("/bin/d", Code(3));
  EXPECT_EQ(CountText("/bin/d"), 1);
  EXPECT_EQ(State("d"), ServiceState::kStopped);
  ASSERT_TRUE(sup_->Start("d"));
  ExitText("/bin/d", SIGUSR1);
  EXPECT_EQ(CountText("/bin/d"), 2);
  EXPECT_EQ(State("d"), ServiceState::kStopped);
  ASSERT_TRUE(sup_->Start("d"));
  ExitText("/bin/d", SIGUSR2);
  EXPECT_EQ(CountText("/bin/d"), 4);  // not clean: restarted
  EXPECT_EQ(State("d"), ServiceState::kUp);
}

TEST_F(UnitsTest, RestartOnSuccessRestartsOnSuccessStatus) {
  auto d = Daemon("d", Restart::kOnSuccess);
  d.success_status = {3};
  Start({d}, '3');
  ExitText("/bin/d", Code(3));
  EXPECT_EQ(CountText("/bin/d"), 2);
  ExitText("/bin/d", Code(4));
  EXPECT_EQ(CountText("/bin/d"), 2);
  EXPECT_EQ(State("d"), ServiceState::kFailed);
}

TEST_F(UnitsTest, RestartPreventStatusWinsOverAlways) {
  auto d = Daemon("d", Restart::kAlways);
  d.restart_prevent_status = {0, 42};
  Start({d}, '3');
  ExitText("/bin/d", Code(42));
  EXPECT_EQ(CountText("/bin/d"), 1);
  EXPECT_EQ(State("d"), ServiceState::kFailed);
  ASSERT_TRUE(sup_->Start("d"));
  ExitText("/bin/d", 0);
  EXPECT_EQ(CountText("/bin/d"), 2);
  EXPECT_EQ(State("d"), ServiceState::kStopped);
}

TEST_F(UnitsTest, StartLimitGivesUpUntilAnExplicitStart) {
  auto d = Daemon("d", Restart::kAlways);
  d.respawn_limit.max_starts = 3;
  d.respawn_limit.interval = seconds(10);
  d.respawn_limit.give_up = true;
  d.on_failure = {"alert"};
  Start({d, Manual("alert")}, '3');
  ExitText("/bin/d", kFail);
  ExitText("/bin/d", kFail);
  EXPECT_EQ(CountText("/bin/alert"), 0);
  ExitText("/bin/d", kFail);
  EXPECT_EQ(CountText("/bin/d"), 3);
  EXPECT_EQ(State("d"), ServiceState::kFailed);
  EXPECT_THAT(Text("d"), HasSubstr("start limit hit"));
  EXPECT_EQ(CountText("/bin/alert"), 1);
  EXPECT_TRUE(sup_->View("d")->disabled);
  Advance(std::chrono::hours(1));
  EXPECT_EQ(CountText("/bin/d"), 3);
  ASSERT_TRUE(sup_->Start("d"));
  EXPECT_EQ(CountText("/bin/d"), 4);
  EXPECT_EQ(State("d"), ServiceState::kUp);
  EXPECT_FALSE(sup_->View("d")->disabled);
}

TEST_F(UnitsTest, SysvinitLimiterDisablesAndSaysSo) {
  auto d = Daemon("d", Restart::kAlways);
  d.respawn_limit.max_starts = 2;
  d.respawn_limit.interval = seconds(10);
  d.respawn_limit.disable_for = seconds(60);
  Start({d}, '3');
  ExitText("/bin/d", kFail);
  ExitText("/bin/d", kFail);
  EXPECT_EQ(CountText("/bin/d"), 2);
  EXPECT_TRUE(sup_->View("d")->disabled);
  EXPECT_EQ(State("d"), ServiceState::kStopped);
  EXPECT_THAT(Text("d"), HasSubstr("respawning too fast"));
  EXPECT_EQ(host_.states.back().why, "respawning too fast: disabled for 1 minutes");
  Advance(seconds(60));  // sysvinit: tried again when the time is up
  EXPECT_EQ(CountText("/bin/d"), 3);
  EXPECT_EQ(State("d"), ServiceState::kUp);
}

TEST_F(UnitsTest, StartLimitWindowMovesOn) {
  auto d = Daemon("d", Restart::kAlways);
  d.respawn_limit.max_starts = 3;
  d.respawn_limit.interval = seconds(10);
  d.respawn_limit.give_up = true;
  Start({d}, '3');
  ExitText("/bin/d", kFail);
  ExitText("/bin/d", kFail);
  Advance(seconds(11));  // the window of the first start is over
  ExitText("/bin/d", kFail);
  ExitText("/bin/d", kFail);
  EXPECT_EQ(CountText("/bin/d"), 5);
  EXPECT_EQ(State("d"), ServiceState::kUp);
}

TEST_F(UnitsTest, ATaskOrScriptedStartIsNeverRestarted) {
  auto s = Scripted("s");
  s.restart = Restart::kAlways;
  auto t = Once("t", "3");
  t.restart = Restart::kAlways;
  Start({s, t}, '3');
  ExitText("s start", kFail);
  ExitText("/bin/t", kFail);
  Advance(seconds(10));
  EXPECT_EQ(CountText("s start"), 1);
  EXPECT_EQ(CountText("/bin/t"), 1);
  EXPECT_EQ(State("s"), ServiceState::kFailed);
  EXPECT_EQ(State("t"), ServiceState::kFailed);
}

}  // namespace
}  // namespace ctinit
