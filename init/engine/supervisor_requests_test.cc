// The supervisor's requests (Start/Stop/Restart/ReloadService) and dependency rules (needs,
// wants, binds_to, part_of, requisite, conflicts, on_failure), the host hooks PID 1 relies on,
// level changes with unit-style services, and host callbacks that call back in.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include "init/engine/supervisor_fake_test.h"

namespace ctinit {
namespace {

using namespace testing_support;  // NOLINT
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

class RequestsTest : public UnitsTest {
 protected:
  // "from>to" or "from>to: why" for each state change of `name`.
  std::vector<std::string> Seq(const std::string& name, size_t from = 0) const {
    std::vector<std::string> out;
    auto all = host_.StatesOf(name);
    for (size_t i = from; i < all.size(); ++i) {
      const auto& r = all[i];
      std::string s = std::string(StateName(r.from)) + ">" + StateName(r.to);
      if (!r.why.empty()) s += ": " + r.why;
      out.push_back(s);
    }
    return out;
  }
  size_t SeqSize(const std::string& name) const { return host_.StatesOf(name).size(); }
  // Index of the latest spawn of `text`, -1 if none.
  int IndexOfText(const std::string& text) const {
    for (size_t i = host_.spawns.size(); i-- > 0;)
      if (host_.spawns[i].text == text) return static_cast<int>(i);
    return -1;
  }
};

// ---------------------------------------------------------------------------------------------
// Start

TEST_F(RequestsTest, StartOfAManualServicePullsInItsNeedsAndWants) {
  auto app = Manual("app");
  app.needs = {"db"};
  app.wants = {"cache"};
  auto db = Scripted("db", "");
  db.trigger = Trigger::kManual;
  Start({app, db, Manual("cache"), Manual("unrelated"), Daemon("other")}, '3');
  EXPECT_THAT(TextsSince(0), ElementsAre("/bin/other"));
  EXPECT_FALSE(sup_->Get("app")->wanted);
  EXPECT_FALSE(sup_->Get("db")->wanted);
  ASSERT_TRUE(sup_->Start("app"));
  EXPECT_TRUE(sup_->Get("db")->wanted);
  EXPECT_TRUE(sup_->Get("cache")->wanted);
  EXPECT_FALSE(sup_->Get("unrelated")->wanted);
  // app needs db, so it waits for it; wants only pulls cache in.
  EXPECT_THAT(TextsSince(1), UnorderedElementsAre("db start", "/bin/cache"));
  EXPECT_EQ(State("app"), ServiceState::kStopped);
  ExitText("db start");
  EXPECT_THAT(TextsSince(3), ElementsAre("/bin/app"));
  EXPECT_EQ(State("app"), ServiceState::kUp);
}

TEST_F(RequestsTest, StartOfARunlevelServiceOutsideItsLevels) {
  Start({Daemon("x", Restart::kNo, "5")}, '3');
  EXPECT_THAT(host_.spawns, IsEmpty());
  ASSERT_TRUE(sup_->Start("x"));
  EXPECT_EQ(State("x"), ServiceState::kUp);
  EXPECT_TRUE(sup_->Get("x")->wanted);
}

TEST_F(RequestsTest, StartErrors) {
  Start({Daemon("d")}, '3');
  std::string err;
  EXPECT_FALSE(sup_->Start("nope", &err));
  EXPECT_EQ(err, "unknown service");
  EXPECT_FALSE(sup_->Stop("nope", &err));
  EXPECT_EQ(err, "unknown service");
  EXPECT_FALSE(sup_->Restart("nope", false, &err));
  EXPECT_EQ(err, "unknown service");
  sup_->Freeze();
  EXPECT_FALSE(sup_->Start("d", &err));
  EXPECT_EQ(err, "ctinit is shutting down");
}

TEST_F(RequestsTest, StartRetriesAFailedNeed) {
  auto app = Scripted("app", "3", {"db"});
  app.needs = {"db"};
  Start({Scripted("db"), app}, '3');
  ExitText("db start", kFail);
  EXPECT_EQ(State("app"), ServiceState::kFailed);
  EXPECT_THAT(Text("app"), HasSubstr("dependency db failed"));
  EXPECT_EQ(CountText("app start"), 0);
  ASSERT_TRUE(sup_->Start("app"));
  EXPECT_THAT(TextsSince(1), ElementsAre("db start"));
  ExitText("db start");
  EXPECT_THAT(TextsSince(2), ElementsAre("app start"));
  ExitText("app start");
  EXPECT_EQ(State("app"), ServiceState::kUp);
}

TEST_F(RequestsTest, StartOfATaskThatRanRunsItAgain) {
  Start({Once("t", "3")}, '3');
  ExitText("/bin/t");
  EXPECT_EQ(State("t"), ServiceState::kStopped);
  ASSERT_TRUE(sup_->Start("t"));
  EXPECT_EQ(CountText("/bin/t"), 2);
}

TEST_F(RequestsTest, ChainListedInReverseStartsInDependencyOrder) {
  auto c = Daemon("c");
  c.after = {"b"};
  auto b = Daemon("b");
  b.after = {"a"};
  Start({c, b, Daemon("a")}, '3');
  EXPECT_THAT(TextsSince(0), ElementsAre("/bin/a", "/bin/b", "/bin/c"));
}

TEST_F(RequestsTest, StartWhileStoppingStartsItAgainAfterwards) {
  auto d = Daemon("d");
  d.stop = {Cmd("stop")};
  Start({d}, '3');
  ASSERT_TRUE(sup_->Stop("d"));
  ASSERT_TRUE(sup_->Start("d"));
  EXPECT_EQ(State("d"), ServiceState::kStopping);
  ExitText("stop");
  ExitText("/bin/d", SIGTERM);
  EXPECT_EQ(CountText("/bin/d"), 2);
  EXPECT_EQ(State("d"), ServiceState::kUp);
}

TEST_F(RequestsTest, StartWhileItStopsOnItsOwnStartsItAgainAfterwards) {
  auto d = Daemon("d", Restart::kNo);
  d.stop = {Cmd("stop")};
  Start({d}, '3');
  ExitText("/bin/d", 0);  // ends on its own: its stop steps run
  EXPECT_EQ(State("d"), ServiceState::kStopping);
  ASSERT_TRUE(sup_->Start("d"));
  ExitText("stop");
  EXPECT_EQ(CountText("/bin/d"), 2);
  EXPECT_EQ(State("d"), ServiceState::kUp);
  // Nothing of that request is left over: the next stop is final.
  ASSERT_TRUE(sup_->Stop("d"));
  ExitText("stop");
  ExitText("/bin/d", SIGTERM);
  EXPECT_EQ(CountText("/bin/d"), 2);
  EXPECT_EQ(State("d"), ServiceState::kStopped);
}

TEST_F(RequestsTest, StartCancelsAStopThatHasNotBegun) {
  auto web = Daemon("web");
  web.needs = {"db"};
  web.stop = {Cmd("web stop")};
  Start({Daemon("db"), web}, '3');
  pid_t db = PidOfText("/bin/db");
  ASSERT_TRUE(sup_->Stop("db"));  // web stops first; db waits for it
  EXPECT_THAT(TextsSince(2), ElementsAre("web stop"));
  ASSERT_TRUE(sup_->Start("db"));
  ExitText("web stop");
  ExitText("/bin/web", SIGTERM);
  EXPECT_THAT(KillsOf(db), IsEmpty());
  EXPECT_EQ(State("db"), ServiceState::kUp);
  EXPECT_EQ(State("web"), ServiceState::kStopped);
}

// ---------------------------------------------------------------------------------------------
// Stop and Restart

TEST_F(RequestsTest, StopPropagatesToDependentsInReverseOrder) {
  auto b = Daemon("b", Restart::kAlways);
  b.needs = {"a"};
  b.stop = {Cmd("b stop")};
  auto c = Daemon("c");
  c.binds_to = {"a"};
  auto d = Daemon("d");
  d.part_of = {"a"};
  auto e = Daemon("e");
  e.wants = {"a"};
  auto f = Daemon("f");
  f.needs = {"b"};
  Start({Daemon("a"), b, c, d, e, f}, '3');
  pid_t pa = PidOfText("/bin/a"), pb = PidOfText("/bin/b"), pc = PidOfText("/bin/c"),
        pd = PidOfText("/bin/d"), pe = PidOfText("/bin/e"), pf = PidOfText("/bin/f");
  ASSERT_TRUE(sup_->Stop("a"));
  // f (needs b, transitively) and c (binds_to a) go first, d (part_of: no order) with them.
  EXPECT_THAT(host_.kills,
              UnorderedElementsAre(Pair(pf, SIGTERM), Pair(pc, SIGTERM), Pair(pd, SIGTERM)));
  EXPECT_EQ(CountText("b stop"), 0);
  ExitText("/bin/f", SIGTERM);
  EXPECT_EQ(CountText("b stop"), 1);
  ExitText("b stop");
  EXPECT_THAT(KillsOf(pb), ElementsAre(Pair(pb, SIGTERM)));
  ExitText("/bin/b", SIGTERM);
  ExitText("/bin/d", SIGTERM);
  EXPECT_THAT(KillsOf(pa), IsEmpty());  // c is still there
  ExitText("/bin/c", SIGTERM);
  EXPECT_THAT(KillsOf(pa), ElementsAre(Pair(pa, SIGTERM)));
  ExitText("/bin/a", SIGTERM);
  for (const char* n : {"a", "b", "c", "d", "f"}) {
    EXPECT_EQ(State(n), ServiceState::kStopped) << n;
    EXPECT_FALSE(sup_->Get(n)->wanted) << n;
  }
  EXPECT_THAT(KillsOf(pe), IsEmpty());
  EXPECT_EQ(State("e"), ServiceState::kUp);
  Advance(seconds(10));
  EXPECT_EQ(CountText("/bin/b"), 1);  // a requested stop is not restarted
}

TEST_F(RequestsTest, StopOfAStoppedServiceSaysSo) {
  Start({Daemon("d", Restart::kNo, "5")}, '3');
  std::string err;
  EXPECT_FALSE(sup_->Stop("d", &err));
  EXPECT_EQ(err, "not running");
}

TEST_F(RequestsTest, RestartRestartsNeedsAndPartOfDependentsButNotWants) {
  auto b = Daemon("b");
  b.needs = {"a"};
  auto d = Daemon("d");
  d.part_of = {"a"};
  auto e = Daemon("e");
  e.wants = {"a"};
  Start({Daemon("a"), b, d, e}, '3');
  pid_t pa = PidOfText("/bin/a");
  ASSERT_TRUE(sup_->Restart("a", false));
  EXPECT_THAT(KillsOf(pa), IsEmpty());  // after b
  ExitText("/bin/b", SIGTERM);
  EXPECT_THAT(KillsOf(pa), ElementsAre(Pair(pa, SIGTERM)));
  ExitText("/bin/d", SIGTERM);
  EXPECT_EQ(CountText("/bin/b"), 1);  // waits for a to be back
  ExitText("/bin/a", SIGTERM);
  EXPECT_EQ(CountText("/bin/a"), 2);
  EXPECT_EQ(CountText("/bin/b"), 2);
  EXPECT_EQ(CountText("/bin/d"), 2);
  EXPECT_EQ(CountText("/bin/e"), 1);
  EXPECT_LT(IndexOfText("/bin/a"), IndexOfText("/bin/b"));
  for (const char* n : {"a", "b", "d", "e"}) EXPECT_EQ(State(n), ServiceState::kUp) << n;
}

TEST_F(RequestsTest, DependentWaitsForADependencyThatIsAboutToRestart) {
  auto y = Daemon("y");
  y.after = {"x"};
  y.part_of = {"x"};
  auto z = Daemon("z");
  z.needs = {"x"};
  z.stop = {Cmd("z stop")};
  Start({Daemon("x"), y, z}, '3');
  ASSERT_TRUE(sup_->Restart("x", false));
  ExitText("/bin/y", SIGTERM);  // y is down; x still waits for z
  EXPECT_EQ(CountText("/bin/y"), 1);
  ExitText("z stop");
  ExitText("/bin/z", SIGTERM);
  EXPECT_EQ(CountText("/bin/y"), 1);
  ExitText("/bin/x", SIGTERM);
  EXPECT_EQ(CountText("/bin/x"), 2);
  EXPECT_EQ(CountText("/bin/y"), 2);
  EXPECT_EQ(CountText("/bin/z"), 2);
  EXPECT_LT(IndexOfText("/bin/x"), IndexOfText("/bin/y"));
}

TEST_F(RequestsTest, TryRestartOfAStoppedServiceDoesNothing) {
  Start({Manual("m")}, '3');
  EXPECT_TRUE(sup_->Restart("m", true));
  EXPECT_THAT(host_.spawns, IsEmpty());
  EXPECT_TRUE(sup_->Restart("m", false));  // restart of a stopped one starts it
  EXPECT_EQ(CountText("/bin/m"), 1);
  EXPECT_TRUE(sup_->Restart("m", true));
  ExitText("/bin/m", SIGTERM);
  EXPECT_EQ(CountText("/bin/m"), 2);
  EXPECT_EQ(State("m"), ServiceState::kUp);
}

// ---------------------------------------------------------------------------------------------
// ReloadService

TEST_F(RequestsTest, ReloadRunsItsStepsWithMainPidAndStaysUp) {
  auto d = Daemon("d");
  d.reload = {Cmd("reload1"), Cmd("reload2")};
  Start({d}, '3');
  pid_t pid = PidOfText("/bin/d");
  size_t mark = SeqSize("d");
  ASSERT_TRUE(sup_->ReloadService("d"));
  EXPECT_THAT(EnvOfText("reload1"), ElementsAre("MAINPID=" + std::to_string(pid)));
  EXPECT_EQ(State("d"), ServiceState::kUp);
  std::string err;
  EXPECT_FALSE(sup_->ReloadService("d", &err));
  EXPECT_EQ(err, "busy");
  ExitText("reload1");
  EXPECT_THAT(Seq("d", mark), IsEmpty());
  ExitText("reload2");
  EXPECT_THAT(Seq("d", mark), ElementsAre("started>started: reloaded"));
  EXPECT_EQ(State("d"), ServiceState::kUp);
  EXPECT_THAT(host_.kills, IsEmpty());
  ASSERT_TRUE(sup_->ReloadService("d"));  // and again
  EXPECT_EQ(CountText("reload1"), 2);
}

TEST_F(RequestsTest, ReloadOfAScriptedService) {
  auto s = Scripted("s");
  s.reload = {Cmd("s reload")};
  Start({s}, '3');
  ExitText("s start");
  ASSERT_TRUE(sup_->ReloadService("s"));
  EXPECT_THAT(EnvOfText("s reload"), IsEmpty());  // no main process
  ExitText("s reload");
  EXPECT_EQ(State("s"), ServiceState::kUp);
  EXPECT_EQ(host_.states.back().why, "reloaded");
}

TEST_F(RequestsTest, ReloadFailureIsReportedAndItStaysUp) {
  auto d = Daemon("d");
  d.reload = {Cmd("reload1"), Cmd("reload2")};
  Start({d}, '3');
  size_t mark = SeqSize("d");
  ASSERT_TRUE(sup_->ReloadService("d"));
  ExitText("reload1", kFail);
  EXPECT_THAT(Seq("d", mark), ElementsAre("started>started: reload failed"));
  EXPECT_EQ(CountText("reload2"), 0);
  EXPECT_EQ(State("d"), ServiceState::kUp);
  EXPECT_TRUE(sup_->ReloadService("d"));
}

TEST_F(RequestsTest, ReloadStepThatHangsIsKilledAndReportedFailed) {
  auto d = Daemon("d");
  d.reload = {Cmd("reload")};
  d.start_timeout = seconds(4);
  Start({d}, '3');
  ASSERT_TRUE(sup_->ReloadService("d"));
  pid_t ctl = PidOfText("reload");
  Advance(seconds(4));
  EXPECT_THAT(KillsOf(ctl), ElementsAre(Pair(ctl, SIGKILL)));
  ASSERT_TRUE(sup_->OnChildExit(ctl, SIGKILL));
  EXPECT_EQ(host_.states.back().why, "reload failed");
  EXPECT_EQ(State("d"), ServiceState::kUp);
}

TEST_F(RequestsTest, StopDuringAReload) {
  auto d = Daemon("d");
  d.reload = {Cmd("reload")};
  d.stop = {Cmd("stop")};
  Start({d}, '3');
  pid_t pid = PidOfText("/bin/d");
  ASSERT_TRUE(sup_->ReloadService("d"));
  pid_t ctl = PidOfText("reload");
  ASSERT_TRUE(sup_->Stop("d"));
  EXPECT_EQ(State("d"), ServiceState::kStopping);
  EXPECT_THAT(host_.kills, ElementsAre(Pair(ctl, SIGTERM)));
  ExitText("reload", SIGTERM);
  EXPECT_THAT(EnvOfText("stop"), ElementsAre("MAINPID=" + std::to_string(pid)));
  ExitText("stop");
  EXPECT_THAT(KillsOf(pid), ElementsAre(Pair(pid, SIGTERM)));
  ExitText("/bin/d", SIGTERM);
  EXPECT_EQ(State("d"), ServiceState::kStopped);
  for (const auto& r : host_.StatesOf("d")) EXPECT_NE(r.why, "reloaded");
}

TEST_F(RequestsTest, ReloadServiceErrors) {
  auto d = Daemon("d");
  d.reload = {Cmd("reload")};
  auto n = Daemon("n");
  auto off = Daemon("off", Restart::kNo, "5");
  off.reload = {Cmd("reload off")};
  Start({d, n, off}, '3');
  std::string err;
  EXPECT_FALSE(sup_->ReloadService("nope", &err));
  EXPECT_EQ(err, "unknown service");
  EXPECT_FALSE(sup_->ReloadService("n", &err));
  EXPECT_EQ(err, "has no reload command");
  EXPECT_FALSE(sup_->ReloadService("off", &err));
  EXPECT_EQ(err, "not active");
  host_.failing.insert("reload");
  EXPECT_FALSE(sup_->ReloadService("d", &err));
  EXPECT_EQ(err, "the reload command could not be run");
  EXPECT_EQ(State("d"), ServiceState::kUp);
  host_.failing.clear();
  EXPECT_TRUE(sup_->ReloadService("d", &err)) << err;
}

// ---------------------------------------------------------------------------------------------
// Conflicts, on_failure, requisite, binds_to

TEST_F(RequestsTest, StartingAServiceStopsWhatConflictsWithIt) {
  auto a = Daemon("a");
  a.conflicts = {"b"};
  Start({a, Manual("b")}, '3');
  pid_t pa = PidOfText("/bin/a");
  ASSERT_TRUE(sup_->Start("b"));  // b does not list a: the other way round applies
  EXPECT_THAT(KillsOf(pa), ElementsAre(Pair(pa, SIGTERM)));
  EXPECT_EQ(State("b"), ServiceState::kUp);
  ExitText("/bin/a", SIGTERM);
  EXPECT_EQ(State("a"), ServiceState::kStopped);
  EXPECT_EQ(CountText("/bin/a"), 1);  // its level does not bring it back
  pid_t pb = PidOfText("/bin/b");
  ASSERT_TRUE(sup_->Start("a"));
  EXPECT_THAT(KillsOf(pb), ElementsAre(Pair(pb, SIGTERM)));
  EXPECT_EQ(State("a"), ServiceState::kUp);
}

TEST_F(RequestsTest, AServicePulledInStopsWhatConflictsWithIt) {
  auto a = Manual("a");
  a.conflicts = {"b"};
  auto c = Manual("c");
  c.wants = {"a"};
  Start({a, Daemon("b"), c}, '3');
  pid_t pb = PidOfText("/bin/b");
  ASSERT_TRUE(sup_->Start("c"));
  EXPECT_EQ(State("a"), ServiceState::kUp);
  EXPECT_THAT(KillsOf(pb), ElementsAre(Pair(pb, SIGTERM)));
}

TEST_F(RequestsTest, OnFailureServicesStartWhenAServiceFails) {
  auto a = Daemon("a");
  a.on_failure = {"rescue"};
  auto r = Daemon("r", Restart::kAlways);
  r.on_failure = {"rescue"};
  Start({a, r, Manual("rescue")}, '3');
  ExitText("/bin/r", kFail);  // restarted: not failed
  EXPECT_EQ(CountText("/bin/rescue"), 0);
  ExitText("/bin/a", 0);  // a clean end is no failure
  EXPECT_EQ(CountText("/bin/rescue"), 0);
  ASSERT_TRUE(sup_->Start("a"));
  ExitText("/bin/a", kFail);
  EXPECT_EQ(State("a"), ServiceState::kFailed);
  EXPECT_EQ(CountText("/bin/rescue"), 1);
  EXPECT_EQ(State("rescue"), ServiceState::kUp);
}

TEST_F(RequestsTest, OnFailureOfAFailedNeedAndOfAMissingRequisite) {
  auto n = Scripted("n", "3", {"db"});
  n.needs = {"db"};
  n.on_failure = {"rescue"};
  auto q = Scripted("q", "3", {"db"});
  q.requisite = {"other"};
  q.on_failure = {"rescue2"};
  Start({Scripted("db"), n, q, Manual("other"), Manual("rescue"), Manual("rescue2")}, '3');
  ExitText("db start", kFail);
  EXPECT_EQ(State("n"), ServiceState::kFailed);
  EXPECT_EQ(State("q"), ServiceState::kFailed);
  EXPECT_EQ(CountText("/bin/rescue"), 1);
  EXPECT_EQ(CountText("/bin/rescue2"), 1);
}

TEST_F(RequestsTest, RequisiteThatIsNotUpFailsTheStartAndIsNotPulledIn) {
  auto a = Manual("a");
  a.requisite = {"b"};
  Start({a, Manual("b")}, '3');
  ASSERT_TRUE(sup_->Start("a"));
  EXPECT_EQ(State("a"), ServiceState::kFailed);
  EXPECT_THAT(Text("a"), HasSubstr("requisite b"));
  EXPECT_THAT(host_.spawns, IsEmpty());
  EXPECT_FALSE(sup_->Get("b")->wanted);
  ASSERT_TRUE(sup_->Start("b"));
  ASSERT_TRUE(sup_->Start("a"));
  EXPECT_EQ(State("a"), ServiceState::kUp);
}

TEST_F(RequestsTest, BindsToStopsTheDependentWhenItsServiceGoesDownOnItsOwn) {
  auto a = Daemon("a", Restart::kAlways);
  a.binds_to = {"b"};
  Start({Daemon("b"), a}, '3');
  pid_t pa = PidOfText("/bin/a");
  ExitText("/bin/b", 0);
  EXPECT_THAT(KillsOf(pa), ElementsAre(Pair(pa, SIGTERM)));
  ExitText("/bin/a", SIGTERM);
  EXPECT_EQ(State("a"), ServiceState::kStopped);
  EXPECT_EQ(CountText("/bin/a"), 1);  // stopped, not restarted by its policy
}

TEST_F(RequestsTest, BindsToStopsTheDependentWhenItsServiceFails) {
  auto a = Daemon("a");
  a.binds_to = {"b"};
  Start({Daemon("b"), a}, '3');
  pid_t pa = PidOfText("/bin/a");
  ExitText("/bin/b", SIGSEGV);
  EXPECT_EQ(State("b"), ServiceState::kFailed);
  EXPECT_THAT(KillsOf(pa), ElementsAre(Pair(pa, SIGTERM)));
}

TEST_F(RequestsTest, BindsToKeepsTheDependentWhileItsServiceRestarts) {
  auto a = Daemon("a");
  a.binds_to = {"b"};
  Start({Daemon("b", Restart::kAlways), a}, '3');
  ExitText("/bin/b", kFail);
  EXPECT_EQ(CountText("/bin/b"), 2);
  EXPECT_THAT(host_.kills, IsEmpty());
  EXPECT_EQ(State("a"), ServiceState::kUp);
}

// ---------------------------------------------------------------------------------------------
// Host hooks

TEST_F(RequestsTest, PrepareStartFailureFailsTheStart) {
  auto d = Daemon("d", Restart::kNo);
  d.start_pre = {Cmd("pre")};
  d.stop_post = {Cmd("stoppost")};
  host_.prepare_fail["d"] = "cannot create /run/d: Permission denied";
  Start({d}, '3');
  EXPECT_THAT(host_.prepared, ElementsAre("d"));
  EXPECT_THAT(TextsSince(0), ElementsAre("stoppost"));
  ExitText("stoppost");
  EXPECT_EQ(State("d"), ServiceState::kFailed);
  EXPECT_EQ(Text("d"), "cannot create /run/d: Permission denied");
  EXPECT_THAT(host_.after_stops, ElementsAre("d"));
  EXPECT_THAT(Seq("d"), ElementsAre("stopped>starting",
                                    "starting>failed: cannot create /run/d: Permission denied"));
}

TEST_F(RequestsTest, AFalseAssertionFailsTheStartAndItsDependents) {
  auto a = Daemon("a", Restart::kNo);
  a.assertion = [](std::string* why) {
    *why = "assertion not met: AssertPathExists=/nope";
    return false;
  };
  auto b = Daemon("b", Restart::kNo);
  b.after = b.needs = {"a"};
  Start({a, b}, '3');
  EXPECT_EQ(host_.Count("a"), 0);  // nothing ran
  EXPECT_EQ(State("a"), ServiceState::kFailed);
  EXPECT_EQ(Text("a"), "assertion not met: AssertPathExists=/nope");
  EXPECT_THAT(host_.prepared, ::testing::IsEmpty());  // checked before PrepareStart
  EXPECT_EQ(State("b"), ServiceState::kFailed);
  EXPECT_EQ(host_.Count("b"), 0);
}

TEST_F(RequestsTest, AfterStopIsCalledOnceAfterEveryRun) {
  auto d = Daemon("d", Restart::kAlways);
  auto skipped = Daemon("skipped");
  skipped.condition = [](std::string* why) {
    *why = "ConditionPathExists=/nope";
    return false;
  };
  Start({d, skipped}, '3');
  EXPECT_THAT(host_.prepared, ElementsAre("d"));
  ExitText("/bin/d", kFail);
  ExitText("/bin/d", 0);
  EXPECT_THAT(host_.after_stops, ElementsAre("d", "d"));
  EXPECT_THAT(host_.prepared, ElementsAre("d", "d", "d"));
  ASSERT_TRUE(sup_->Stop("d"));
  EXPECT_THAT(host_.after_stops, ElementsAre("d", "d"));  // not before its processes are gone
  ExitText("/bin/d", SIGTERM);
  EXPECT_THAT(host_.after_stops, ElementsAre("d", "d", "d"));
}

TEST_F(RequestsTest, StateChangesOfAStartAndAStop) {
  Start({Daemon("d")}, '3');
  EXPECT_THAT(Seq("d"), ElementsAre("stopped>starting", "starting>started"));
  ASSERT_TRUE(sup_->Stop("d"));
  EXPECT_THAT(Seq("d", 2), ElementsAre("started>stopping"));
  ExitText("/bin/d", SIGTERM);
  EXPECT_THAT(Seq("d", 2), ElementsAre("started>stopping", "stopping>stopped"));
}

TEST_F(RequestsTest, StateChangesOfScriptedTasksAndFailures) {
  auto bad = Scripted("bad");
  Start({Scripted("s"), Once("t", "3"), bad, NotifyDaemon("n")}, '3');
  ExitText("s start");
  ExitText("/bin/t");
  ExitText("bad start", kFail);
  ASSERT_TRUE(Notify("n", {"READY=1"}));
  EXPECT_THAT(Seq("s"), ElementsAre("stopped>starting", "starting>started"));
  EXPECT_THAT(Seq("t"), ElementsAre("stopped>starting", "starting>stopped: finished"));
  EXPECT_THAT(Seq("bad"), ElementsAre("stopped>starting", "starting>failed: start exited 1"));
  EXPECT_THAT(Seq("n"), ElementsAre("stopped>starting", "starting>started"));
  ASSERT_TRUE(sup_->Stop("s"));
  ExitText("s stop");
  EXPECT_THAT(Seq("s", 2), ElementsAre("started>stopping", "stopping>stopped"));
}

TEST_F(RequestsTest, ARestartOnItsOwnIsReportedAsSuch) {
  Start({Daemon("d", Restart::kAlways)}, '3');
  ExitText("/bin/d", kFail);
  EXPECT_THAT(Seq("d", 2), ElementsAre("started>stopped: exited 1, restarting", "stopped>starting",
                                       "starting>started"));
}

TEST_F(RequestsTest, ASkippedStartIsReportedAndCountsAsDone) {
  auto c = Scripted("c");
  c.condition = [](std::string* why) {
    *why = "ConditionPathExists=/nope";
    return false;
  };
  Start({c, Scripted("after", "3", {"c"})}, '3');
  EXPECT_THAT(Seq("c"), ElementsAre("stopped>stopped: skipped: ConditionPathExists=/nope"));
  EXPECT_THAT(host_.prepared, ElementsAre("after"));
  EXPECT_THAT(TextsSince(0), ElementsAre("after start"));
}

// ---------------------------------------------------------------------------------------------
// Level changes

TEST_F(RequestsTest, LevelChangeClearsOverrides) {
  Start({Daemon("x", Restart::kNo, "5"), Daemon("y", Restart::kNo, "23")}, '3');
  ASSERT_TRUE(sup_->Start("x"));
  ASSERT_TRUE(sup_->Stop("y"));
  ExitText("/bin/y", SIGTERM);
  pid_t px = PidOfText("/bin/x");
  sup_->RequestLevel('2', kWait);
  EXPECT_THAT(KillsOf(px), ElementsAre(Pair(px, SIGTERM)));
  ExitText("/bin/x", SIGTERM);
  EXPECT_EQ(CountText("/bin/y"), 2);
  EXPECT_EQ(State("y"), ServiceState::kUp);
  EXPECT_EQ(State("x"), ServiceState::kStopped);
}

TEST_F(RequestsTest, SupervisedServicesRespawnWhileALevelChangeIsStopping) {
  Start({Daemon("slow"), Once("o2", "2")}, '3');
  std::string err;
  ASSERT_TRUE(sup_->AddSupervised(Manual("m", Restart::kAlways), &err)) << err;
  sup_->RequestLevel('2', seconds(10));
  EXPECT_EQ(State("slow"), ServiceState::kStopping);
  pid_t m = PidOfText("/bin/m");
  EXPECT_THAT(KillsOf(m), IsEmpty());
  ExitText("/bin/m", kFail);
  EXPECT_EQ(CountText("/bin/m"), 2);
  EXPECT_EQ(CountText("/bin/o2"), 0);  // level services wait for the stops
  ExitText("/bin/slow", SIGTERM);
  EXPECT_EQ(CountText("/bin/o2"), 1);
  EXPECT_EQ(State("m"), ServiceState::kUp);
}

TEST_F(RequestsTest, FailedServicesAreRetriedOnANewLevelEntry) {
  auto d = Daemon("d", Restart::kAlways, "23");
  d.respawn_limit.max_starts = 1;
  d.respawn_limit.give_up = true;
  Start({Scripted("s", "23"), d}, '3');
  ExitText("s start", kFail);
  ExitText("/bin/d", kFail);
  EXPECT_EQ(State("s"), ServiceState::kFailed);
  EXPECT_EQ(State("d"), ServiceState::kFailed);
  sup_->RequestLevel('2', kWait);
  EXPECT_EQ(CountText("s start"), 2);
  EXPECT_EQ(CountText("/bin/d"), 2);
  EXPECT_EQ(State("d"), ServiceState::kUp);
}

// ---------------------------------------------------------------------------------------------
// Host callbacks that call back in: queued, never recursed into the middle of a change.

TEST_F(RequestsTest, StateChangedMayStopTheServiceThatJustCameUp) {
  host_.on_state = [&](const FakeHost::StateRec& r) {
    if (r.name == "d" && r.to == ServiceState::kUp) sup_->Stop("d");
  };
  Start({Daemon("d"), Daemon("e")}, '3');
  pid_t pd = PidOfText("/bin/d");
  EXPECT_EQ(State("d"), ServiceState::kStopping);
  EXPECT_THAT(host_.kills, ElementsAre(Pair(pd, SIGTERM)));
  EXPECT_EQ(State("e"), ServiceState::kUp);
  ExitText("/bin/d", SIGTERM);
  EXPECT_EQ(State("d"), ServiceState::kStopped);
  EXPECT_THAT(Seq("d"), ElementsAre("stopped>starting", "starting>started", "started>stopping",
                                    "stopping>stopped"));
}

TEST_F(RequestsTest, StateChangedMayStartAnotherService) {
  host_.on_state = [&](const FakeHost::StateRec& r) {
    if (r.name == "a" && r.to == ServiceState::kFailed) sup_->Start("m");
  };
  Start({Scripted("a"), Manual("m")}, '3');
  ExitText("a start", kFail);
  EXPECT_EQ(State("m"), ServiceState::kUp);
}

TEST_F(RequestsTest, StateChangedMayAddASupervisedServiceDuringAStartWalk) {
  bool added = false;
  std::string err;
  host_.on_state = [&](const FakeHost::StateRec& r) {
    if (r.name == "a" && r.to == ServiceState::kUp && !added) {
      added = true;
      sup_->AddSupervised(Manual("supervise:added-from-a-callback"), &err);
    }
  };
  Start({Daemon("a"), Daemon("b"), Daemon("c"), Daemon("d")}, '3');
  EXPECT_TRUE(added);
  for (const char* n : {"a", "b", "c", "d", "supervise:added-from-a-callback"})
    EXPECT_EQ(State(n), ServiceState::kUp) << n;
}

TEST_F(RequestsTest, OnFailureOfASupervisedServiceThatIsForgotten) {
  const std::string name = "supervise:a-name-long-enough-for-the-heap";
  auto bound = Daemon("bound");
  bound.binds_to = {std::string(name.size(), 'x')};  // compared with the name byte by byte
  Start({bound, Manual("rescue")}, '3');
  auto m = Manual(name);
  m.on_failure = {"rescue"};
  std::string err;
  ASSERT_TRUE(sup_->AddSupervised(m, &err)) << err;
  ExitText("/bin/supervise:a-name-long-enough-for-the-heap", kFail);
  EXPECT_EQ(State("rescue"), ServiceState::kUp);
  EXPECT_FALSE(sup_->Get("supervise:a-name-long-enough-for-the-heap").has_value());
  EXPECT_EQ(State("bound"), ServiceState::kUp);
}

// Supervised services (Accept=yes connections, supervise-daemon) come and go one by one: each
// enters and leaves the indexes alone (AddSlot, RemoveSlot); the others keep working.
TEST_F(RequestsTest, SupervisedServicesEndInAnyOrderAndTheOthersStillAnswer) {
  Start({Daemon("d")}, '3');
  std::string err;
  for (const char* n : {"c1", "c2", "c3"}) ASSERT_TRUE(sup_->AddSupervised(Manual(n), &err)) << err;
  ExitText("/bin/c2", 0);
  EXPECT_FALSE(sup_->Get("c2").has_value());
  ASSERT_TRUE(sup_->AddSupervised(Manual("c2"), &err)) << err;  // the same name again
  EXPECT_EQ(CountText("/bin/c2"), 2);
  ASSERT_TRUE(sup_->Stop("c1"));
  ExitText("/bin/c1", SIGTERM);
  ExitText("/bin/c3", Code(3));
  for (const char* n : {"c1", "c3"}) EXPECT_FALSE(sup_->Get(n).has_value()) << n;
  EXPECT_EQ(State("c2"), ServiceState::kUp);
  EXPECT_EQ(State("d"), ServiceState::kUp);
  ExitText("/bin/d", 0);
  EXPECT_EQ(State("d"), ServiceState::kStopped);
  ExitText("/bin/c2", 0);
  EXPECT_FALSE(sup_->Get("c2").has_value());
  EXPECT_EQ(sup_->List().size(), 1u);
}

// When it ends, what only it pulled in is no longer wanted; what its levels want stays.
TEST_F(RequestsTest, ASupervisedServiceThatEndsNoLongerPullsIn) {
  Start({Daemon("level"), Manual("helper")}, '3');
  std::string err;
  auto m = Manual("m");
  m.needs = {"level"};
  ASSERT_TRUE(sup_->AddSupervised(m, &err)) << err;
  ExitText("/bin/m", 0);
  EXPECT_TRUE(sup_->Get("level")->wanted);
  m.wants = {"helper"};
  ASSERT_TRUE(sup_->AddSupervised(m, &err)) << err;
  EXPECT_TRUE(sup_->Get("helper")->wanted);
  EXPECT_EQ(State("helper"), ServiceState::kUp);
  ExitText("/bin/m", 0);
  EXPECT_FALSE(sup_->Get("m").has_value());
  EXPECT_FALSE(sup_->Get("helper")->wanted);
  EXPECT_TRUE(sup_->Get("level")->wanted);
}

TEST_F(RequestsTest, ServiceExitedMayStartAService) {
  host_.on_exited = [&](const ServiceSpec& spec) {
    if (spec.name == "a") sup_->Start("m");
  };
  Start({Daemon("a"), Manual("m")}, '3');
  ExitText("/bin/a", 0);
  EXPECT_EQ(State("m"), ServiceState::kUp);
  EXPECT_EQ(State("a"), ServiceState::kStopped);
}

TEST_F(RequestsTest, LevelSettledMayStartAService) {
  host_.on_settled = [&](char l) {
    if (l == '3') sup_->Start("m");
  };
  Start({Daemon("a"), Manual("m")}, '3');
  EXPECT_EQ(State("m"), ServiceState::kUp);
}

TEST_F(RequestsTest, ALevelRequestFromACallbackStartsNothingUntilTheStopsAreDone) {
  host_.on_state = [&](const FakeHost::StateRec& r) {
    if (r.name == "a" && r.to == ServiceState::kUp) sup_->RequestLevel('0', kWait);
  };
  Start({Daemon("a"), Once("o0", "0")}, '3');
  EXPECT_EQ(sup_->level(), '0');
  pid_t pa = PidOfText("/bin/a");
  EXPECT_THAT(host_.kills, ElementsAre(Pair(pa, SIGTERM)));
  EXPECT_EQ(CountText("/bin/o0"), 0);
  ExitText("/bin/a", SIGTERM);
  EXPECT_EQ(CountText("/bin/o0"), 1);
}

TEST_F(RequestsTest, ReloadFromACallback) {
  host_.on_settled = [&](char l) {
    if (l != '3') return;
    ServiceSet set;
    set.services = {Daemon("b")};
    sup_->Reload(std::move(set), kWait);
  };
  Start({Daemon("a")}, '3');
  pid_t pa = PidOfText("/bin/a");
  EXPECT_THAT(host_.kills, ElementsAre(Pair(pa, SIGTERM)));
  ExitText("/bin/a", SIGTERM);
  EXPECT_EQ(State("b"), ServiceState::kUp);
  EXPECT_FALSE(sup_->Get("a").has_value());
}

TEST_F(RequestsTest, ACallbackThatAlwaysAsksAgainDoesNotSpin) {
  // Every change asks for a restart of the service that changed: bounded, not a hang.
  int calls = 0;
  host_.on_state = [&](const FakeHost::StateRec& r) {
    ++calls;
    if (calls < 10000) sup_->Restart(r.name, false);
  };
  Start({Daemon("d")}, '3');
  EXPECT_LT(calls, 10000);
  for (int i = 0; i < 5 && calls < 10000; ++i) {
    pid_t pid = PidOfText("/bin/d");
    sup_->OnChildExit(pid, SIGTERM);
  }
  EXPECT_LT(calls, 10000);
}

}  // namespace
}  // namespace ctinit
