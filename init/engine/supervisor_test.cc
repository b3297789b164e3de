// Unit tests for the runlevel state machine (supervisor.h), driven synchronously through a fake
// SupervisorHost: spawns get increasing fake pids, the clock only moves when a test advances it,
// and the armed timer is fired by Advance() when it is due.
#include "init/engine/supervisor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "init/base/log.h"
#include "init/engine/supervisor_fake_test.h"

namespace ctinit {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

constexpr milliseconds kWait{3000};
using namespace testing_support;  // NOLINT

// ---------------------------------------------------------------------------------------------
// Boot order

TEST_F(SupervisorTest, BootRunsSysinitThenBootThenDefaultLevelInOrder) {
  Start({SysInit("si1"), SysInit("si2"), BootSvc("b1"), BootWait("bw"), Wait("l2", "2"),
         Respawn("getty", "2"), Once("o3", "3")});
  EXPECT_EQ(sup_->level(), '#');
  EXPECT_THAT(host_.Names(), ElementsAre("si1"));
  EXPECT_EQ(host_.spawns[0].level, '#');
  EXPECT_EQ(host_.spawns[0].prev, 'N');
  EXPECT_EQ(host_.boot_time, 0);

  Exit("si1");
  EXPECT_THAT(host_.Names(), ElementsAre("si1", "si2"));
  EXPECT_EQ(host_.boot_time, 0);

  Exit("si2");
  EXPECT_EQ(host_.boot_time, 1);
  EXPECT_EQ(sup_->level(), '*');
  EXPECT_THAT(host_.Names(), ElementsAre("si1", "si2", "b1", "bw"));
  EXPECT_EQ(host_.spawns[3].level, '*');
  EXPECT_THAT(host_.level_changes, IsEmpty());  // '*' is not a runlevel record

  // bootwait gates the default level; a plain boot entry does not.
  Exit("bw");
  EXPECT_EQ(sup_->level(), '2');
  EXPECT_EQ(sup_->prev_level(), 'N');
  EXPECT_TRUE(Running("b1"));
  EXPECT_THAT(host_.level_changes, ElementsAre(Pair('2', 'N')));
  EXPECT_THAT(host_.NamesSince(4), ElementsAre("l2"));  // getty waits for the wait entry
  EXPECT_EQ(host_.spawns[4].level, '2');
  EXPECT_EQ(host_.spawns[4].prev, 'N');
  EXPECT_THAT(host_.settled, IsEmpty());

  Exit("l2");
  EXPECT_THAT(host_.NamesSince(4), ElementsAre("l2", "getty"));
  EXPECT_THAT(host_.settled, ElementsAre('2'));
  EXPECT_EQ(host_.Count("o3"), 0);
  EXPECT_EQ(host_.boot_time, 1);

  // The boot entry ending later changes nothing.
  Exit("b1");
  EXPECT_EQ(host_.spawns.size(), 6u);
  EXPECT_THAT(host_.settled, ElementsAre('2'));
}

TEST_F(SupervisorTest, NoSysinitOrBootEntriesGoesStraightToDefaultLevel) {
  Start({Respawn("r", "3")}, '3');
  EXPECT_EQ(sup_->level(), '3');
  EXPECT_EQ(host_.boot_time, 1);
  EXPECT_THAT(host_.level_changes, ElementsAre(Pair('3', 'N')));
  EXPECT_THAT(host_.Names(), ElementsAre("r"));
  EXPECT_THAT(host_.settled, ElementsAre('3'));
  EXPECT_FALSE(host_.timer.has_value());
}

TEST_F(SupervisorTest, WaitEntriesGateLaterOnesOnceEntriesDoNot) {
  Start(
      {Once("o1", "2"), Respawn("r1", "2"), Wait("w1", "2"), Respawn("r2", "2"), Once("o2", "2")});
  EXPECT_THAT(host_.Names(), ElementsAre("o1", "r1", "w1"));

  Exit("o1");  // a once entry ending does not unblock anything
  EXPECT_THAT(host_.Names(), ElementsAre("o1", "r1", "w1"));
  Exit("r1");  // a respawn entry before the wait entry is restarted
  EXPECT_THAT(host_.Names(), ElementsAre("o1", "r1", "w1", "r1"));

  Exit("w1");
  EXPECT_THAT(host_.Names(), ElementsAre("o1", "r1", "w1", "r1", "r2", "o2"));
  EXPECT_THAT(host_.settled, IsEmpty());  // o2 still running
  Exit("o2");
  EXPECT_THAT(host_.settled, ElementsAre('2'));
}

TEST_F(SupervisorTest, SettlesOnlyWhenEveryTaskHasEnded) {
  Start({Once("o1", "2"), Wait("w1", "2"), Respawn("r", "2")});
  EXPECT_THAT(host_.Names(), ElementsAre("o1", "w1"));
  Exit("w1");
  EXPECT_THAT(host_.Names(), ElementsAre("o1", "w1", "r"));
  EXPECT_THAT(host_.settled, IsEmpty());
  Exit("o1");
  EXPECT_THAT(host_.settled, ElementsAre('2'));
}

TEST_F(SupervisorTest, TasksRunOncePerLevelEntry) {
  Start({Once("o", "2"), Wait("w", "2")});
  Exit("o");
  Exit("w");
  // Unrelated events do not re-run them.
  sup_->OnTimer();
  sup_->Demand('a');
  EXPECT_FALSE(sup_->OnChildExit(4242, 0));
  EXPECT_THAT(host_.Names(), ElementsAre("o", "w"));
  EXPECT_THAT(host_.settled, ElementsAre('2'));
  EXPECT_TRUE(sup_->View("o")->executed);
  EXPECT_EQ(sup_->View("o")->starts, 1);
  EXPECT_FALSE(sup_->View("nope").has_value());
}

TEST_F(SupervisorTest, RespawnRestartsAndReportsExits) {
  Start({Respawn("r", "2")});
  pid_t first = host_.Pid("r");
  Exit("r", 256);
  ASSERT_EQ(host_.exited.size(), 1u);
  EXPECT_EQ(host_.exited[0].name, "r");
  EXPECT_EQ(host_.exited[0].pid, first);
  EXPECT_EQ(host_.exited[0].status, 256);
  EXPECT_EQ(host_.Count("r"), 2);
  EXPECT_NE(host_.Pid("r"), first);
  EXPECT_THAT(sup_->RunningPids(), ElementsAre(host_.Pid("r")));
  EXPECT_FALSE(sup_->OnChildExit(first, 0));  // already gone
}

TEST_F(SupervisorTest, OnChildExitIgnoresNonPositivePids) {
  Start({Once("o", "2"), Respawn("r", "3")});
  Exit("o");
  // "r" (not running, pid 0) and "o" (ended) must not be taken for pid 0 / -1.
  EXPECT_FALSE(sup_->OnChildExit(0, 0));
  EXPECT_FALSE(sup_->OnChildExit(-1, 0));
  EXPECT_EQ(host_.exited.size(), 1u);
}

// ---------------------------------------------------------------------------------------------
// Respawn limiter

TEST_F(SupervisorTest, RespawnLimiterDisablesAfterTenStartsForFiveMinutes) {
  Start({Respawn("r", "2"), Respawn("other", "2")});
  for (int i = 0; i < 9; ++i) {
    host_.now += seconds(1);
    Exit("r");
  }
  EXPECT_EQ(host_.Count("r"), 10);
  EXPECT_FALSE(sup_->View("r")->disabled);
  EXPECT_FALSE(host_.timer.has_value());

  host_.now += seconds(1);
  auto t = host_.now;
  Exit("r");
  EXPECT_EQ(host_.Count("r"), 10);  // the 11th start is refused
  EXPECT_TRUE(sup_->View("r")->disabled);
  EXPECT_FALSE(Running("r"));
  EXPECT_EQ(sup_->View("r")->starts, 10);
  ASSERT_TRUE(host_.timer.has_value());
  EXPECT_EQ(*host_.timer, t + seconds(300));

  // Other events don't restart it while disabled.
  Exit("other");
  EXPECT_EQ(host_.Count("r"), 10);
  EXPECT_EQ(*host_.timer, t + seconds(300));

  Advance(seconds(299));
  EXPECT_EQ(host_.Count("r"), 10);
  Advance(seconds(1));
  EXPECT_EQ(host_.Count("r"), 11);
  EXPECT_FALSE(sup_->View("r")->disabled);
  EXPECT_TRUE(Running("r"));
  EXPECT_FALSE(host_.timer.has_value());

  // The count starts afresh: it takes ten more quick starts to disable it again.
  for (int i = 0; i < 9; ++i) Exit("r");
  EXPECT_EQ(host_.Count("r"), 20);
  EXPECT_FALSE(sup_->View("r")->disabled);
  Exit("r");
  EXPECT_TRUE(sup_->View("r")->disabled);
}

TEST_F(SupervisorTest, RespawnLimiterOnlyCountsStartsWithinTheInterval) {
  Start({Respawn("r", "2")});
  // One start every 13 s: the 11th start is 130 s after the first, outside the window.
  for (int i = 0; i < 30; ++i) {
    host_.now += seconds(13);
    Exit("r");
  }
  EXPECT_EQ(host_.Count("r"), 31);
  EXPECT_FALSE(sup_->View("r")->disabled);
}

TEST_F(SupervisorTest, RespawnLimiterHonoursTheSpecsLimit) {
  auto r = Respawn("r", "2");
  r.respawn_limit = {3, seconds(10), seconds(60)};
  Start({r});
  Exit("r");
  Exit("r");
  EXPECT_EQ(host_.Count("r"), 3);
  Exit("r");
  EXPECT_EQ(host_.Count("r"), 3);
  EXPECT_TRUE(sup_->View("r")->disabled);
  EXPECT_EQ(*host_.timer, host_.now + seconds(60));
}

TEST_F(SupervisorTest, RespawnLimiterClearedByLevelChange) {
  Start({Respawn("r", "23")});
  for (int i = 0; i < 10; ++i) Exit("r");
  ASSERT_TRUE(sup_->View("r")->disabled);
  ASSERT_TRUE(host_.timer.has_value());

  sup_->RequestLevel('3', kWait);
  EXPECT_FALSE(sup_->View("r")->disabled);
  EXPECT_EQ(host_.Count("r"), 11);
  EXPECT_TRUE(Running("r"));
  EXPECT_FALSE(host_.timer.has_value());
  EXPECT_THAT(host_.kills, IsEmpty());
}

TEST_F(SupervisorTest, RespawnLimiterClearedByReload) {
  Start({Respawn("r", "2")});
  for (int i = 0; i < 10; ++i) Exit("r");
  ASSERT_TRUE(sup_->View("r")->disabled);

  ServiceSet set;
  set.services = {Respawn("r", "2")};
  sup_->Reload(std::move(set), kWait);
  EXPECT_FALSE(sup_->View("r")->disabled);
  EXPECT_EQ(host_.Count("r"), 11);
  EXPECT_FALSE(host_.timer.has_value());
}

TEST_F(SupervisorTest, ExecFailureOfRespawnEntryIsDisabledNotLooped) {
  host_.failing = {"bad"};
  Start({Respawn("bad", "2"), Respawn("good", "2")});
  EXPECT_EQ(host_.Count("bad"), 10);
  EXPECT_TRUE(sup_->View("bad")->disabled);
  EXPECT_EQ(host_.Count("good"), 1);  // the walk goes on past it
  ASSERT_TRUE(host_.timer.has_value());
  EXPECT_EQ(*host_.timer, host_.now + seconds(300));
  EXPECT_THAT(host_.settled, ElementsAre('2'));

  Exit("good");
  EXPECT_EQ(host_.Count("bad"), 10);

  Advance(seconds(300));
  EXPECT_EQ(host_.Count("bad"), 20);
  EXPECT_TRUE(sup_->View("bad")->disabled);
  EXPECT_EQ(*host_.timer, host_.now + seconds(300));
}

TEST_F(SupervisorTest, SpawnFailureOfTaskCountsAsRunAndDoesNotBlock) {
  host_.failing = {"w"};
  Start({Wait("w", "2"), Respawn("r", "2")});
  EXPECT_THAT(host_.Names(), ElementsAre("w", "r"));
  EXPECT_TRUE(sup_->View("w")->executed);
  EXPECT_FALSE(Running("w"));
  EXPECT_THAT(host_.settled, ElementsAre('2'));
}

// ---------------------------------------------------------------------------------------------
// Level changes

TEST_F(SupervisorTest, LevelChangeTermsOnlyUnwantedThenKillsAtDeadline) {
  Start({BootSvc("b"), Respawn("r23", "23"), Respawn("r2", "2"), Once("o2", "2"),
         OnDemand("d", "a")});
  sup_->Demand('a');
  ASSERT_TRUE(Running("b"));
  ASSERT_TRUE(Running("d"));
  pid_t r2 = host_.Pid("r2");
  pid_t o2 = host_.Pid("o2");
  auto t0 = host_.now;

  sup_->RequestLevel('3', milliseconds(5000));
  EXPECT_EQ(sup_->level(), '3');
  EXPECT_EQ(sup_->prev_level(), '2');
  EXPECT_THAT(host_.level_changes, ElementsAre(Pair('2', 'N'), Pair('3', '2')));
  EXPECT_THAT(host_.kills, ElementsAre(Pair(r2, SIGTERM), Pair(o2, SIGTERM)));
  ASSERT_TRUE(host_.timer.has_value());
  EXPECT_EQ(*host_.timer, t0 + seconds(5));

  Advance(milliseconds(4999));
  EXPECT_EQ(host_.kills.size(), 2u);
  Advance(milliseconds(1));
  EXPECT_THAT(host_.kills, ElementsAre(Pair(r2, SIGTERM), Pair(o2, SIGTERM), Pair(r2, SIGKILL),
                                       Pair(o2, SIGKILL)));
  EXPECT_FALSE(host_.timer.has_value());

  // Once they are gone they are not restarted.
  size_t n = host_.spawns.size();
  Exit("r2");
  Exit("o2");
  EXPECT_EQ(host_.spawns.size(), n);
  EXPECT_TRUE(Running("r23"));
  EXPECT_TRUE(Running("b"));
  EXPECT_TRUE(Running("d"));
}

TEST_F(SupervisorTest, NoKillWhenStoppedServicesExitInTime) {
  Start({Respawn("r2", "2"), Respawn("r3", "3")});
  pid_t r2 = host_.Pid("r2");
  sup_->RequestLevel('3', kWait);
  EXPECT_THAT(host_.kills, ElementsAre(Pair(r2, SIGTERM)));
  Advance(seconds(1));
  Exit("r2");
  EXPECT_FALSE(host_.timer.has_value());
  Advance(seconds(10));
  EXPECT_THAT(host_.kills, ElementsAre(Pair(r2, SIGTERM)));
  EXPECT_TRUE(Running("r3"));
}

TEST_F(SupervisorTest, ZeroKillWaitKillsAtOnce) {
  Start({Respawn("r2", "2"), Respawn("r3", "3")});
  pid_t r2 = host_.Pid("r2");
  sup_->RequestLevel('3', milliseconds(0));
  EXPECT_THAT(host_.kills, ElementsAre(Pair(r2, SIGTERM), Pair(r2, SIGKILL)));
  EXPECT_FALSE(host_.timer.has_value());
  Exit("r2");
  EXPECT_EQ(host_.Count("r2"), 1);
  EXPECT_TRUE(Running("r3"));
}

TEST_F(SupervisorTest, NothingStartsWhileServicesAreBeingStopped) {
  Start({Respawn("a2", "2"), Respawn("b2", "2"), Wait("w3", "3"), Respawn("r3", "3"),
         Respawn("r23", "23")});
  size_t n = host_.spawns.size();
  sup_->RequestLevel('3', kWait);
  EXPECT_EQ(host_.kills.size(), 2u);
  EXPECT_EQ(host_.spawns.size(), n);

  // Events meanwhile start nothing either, not even a respawn of a wanted service.
  Exit("r23");
  sup_->Demand('a');
  sup_->OnTimer();
  EXPECT_EQ(host_.spawns.size(), n);
  EXPECT_THAT(host_.settled, ElementsAre('2'));

  Exit("a2");
  EXPECT_EQ(host_.spawns.size(), n);
  Exit("b2");
  EXPECT_THAT(host_.NamesSince(n), ElementsAre("w3"));
  Exit("w3");
  EXPECT_THAT(host_.NamesSince(n), ElementsAre("w3", "r3", "r23"));
  EXPECT_THAT(host_.settled, ElementsAre('2', '3'));
}

TEST_F(SupervisorTest, StartsResumeAfterTheKillDeadline) {
  Start({Respawn("r2", "2"), Once("o3", "3")});
  sup_->RequestLevel('3', kWait);
  EXPECT_EQ(host_.Count("o3"), 0);
  EXPECT_THAT(host_.settled, ElementsAre('2'));
  Advance(kWait);
  EXPECT_EQ(KillsOf(host_.Pid("r2")).size(), 2u);
  EXPECT_EQ(host_.Count("o3"), 1);
  Exit("o3");
  EXPECT_THAT(host_.settled, ElementsAre('2', '3'));
}

TEST_F(SupervisorTest, SecondLevelChangeWhileStoppingSettlesOnlyTheLastLevel) {
  Start({Respawn("r2", "2"), Once("o3", "3"), Respawn("r34", "34")});
  pid_t r2 = host_.Pid("r2");
  sup_->RequestLevel('3', kWait);
  sup_->RequestLevel('4', kWait);
  EXPECT_THAT(host_.kills, ElementsAre(Pair(r2, SIGTERM)));  // TERM once
  EXPECT_THAT(host_.level_changes, ElementsAre(Pair('2', 'N'), Pair('3', '2'), Pair('4', '3')));
  EXPECT_THAT(host_.Names(), ElementsAre("r2"));
  Exit("r2");
  EXPECT_THAT(host_.Names(), ElementsAre("r2", "r34"));  // o3 is not wanted in 4
  EXPECT_THAT(host_.settled, ElementsAre('2', '4'));
  EXPECT_FALSE(host_.timer.has_value());
}

TEST_F(SupervisorTest, KillStoppingNowCutsTheWaitShort) {
  Start({Respawn("r2", "2")});
  pid_t r2 = host_.Pid("r2");
  sup_->RequestLevel('3', kWait);
  sup_->KillStoppingNow();
  EXPECT_THAT(host_.kills, ElementsAre(Pair(r2, SIGTERM), Pair(r2, SIGKILL)));
  Exit("r2");
  EXPECT_FALSE(host_.timer.has_value());
  EXPECT_THAT(host_.settled, ElementsAre('2', '3'));
}

TEST_F(SupervisorTest, RunningWaitEntryOfOldLevelIsKilledAndNewLevelRuns) {
  Start({Wait("rc2", "2"), Wait("rc3", "3")});
  ASSERT_TRUE(Running("rc2"));
  sup_->RequestLevel('3', kWait);
  EXPECT_THAT(host_.kills, ElementsAre(Pair(host_.Pid("rc2"), SIGTERM)));
  EXPECT_EQ(host_.Count("rc3"), 0);
  Exit("rc2", SIGTERM);
  EXPECT_EQ(host_.Count("rc3"), 1);
}

TEST_F(SupervisorTest, SameLevelRequestIsIgnored) {
  Start({Respawn("r", "2")});
  sup_->RequestLevel('2', kWait);
  EXPECT_THAT(host_.level_changes, ElementsAre(Pair('2', 'N')));
  EXPECT_THAT(host_.kills, IsEmpty());
  EXPECT_THAT(host_.settled, ElementsAre('2'));
}

TEST_F(SupervisorTest, TasksRerunOnReenteringALevel) {
  Start({Once("o2", "2"), Wait("w23", "23"), Once("o3", "3")});
  Exit("o2");
  Exit("w23");
  sup_->RequestLevel('3', kWait);
  EXPECT_THAT(host_.Names(), ElementsAre("o2", "w23", "o3"));  // w23 is wanted in 3: not again
  Exit("o3");
  sup_->RequestLevel('2', kWait);
  EXPECT_THAT(host_.Names(), ElementsAre("o2", "w23", "o3", "o2"));
  Exit("o2");
  sup_->RequestLevel('3', kWait);
  EXPECT_THAT(host_.Names(), ElementsAre("o2", "w23", "o3", "o2", "o3"));
  EXPECT_EQ(host_.spawns.back().level, '3');
  EXPECT_EQ(host_.spawns.back().prev, '2');
  Exit("o3");
  EXPECT_THAT(host_.settled, ElementsAre('2', '3', '2', '3'));
}

TEST_F(SupervisorTest, LowercaseLevelRequestIsUppercased) {
  Start({Wait("sulogin", "S"), Respawn("r", "2")});
  sup_->RequestLevel('s', kWait);
  EXPECT_EQ(sup_->level(), 'S');
}

// ---------------------------------------------------------------------------------------------
// Single user

TEST_F(SupervisorTest, DefaultSBootsIntoSingleUserWithoutBootEntries) {
  Start({SysInit("si"), BootSvc("b"), Wait("sulogin", "S"), Respawn("getty", "2")}, 'S');
  Exit("si");
  EXPECT_EQ(host_.boot_time, 1);
  EXPECT_EQ(sup_->level(), 'S');
  EXPECT_THAT(host_.level_changes, ElementsAre(Pair('S', 'N')));
  EXPECT_THAT(host_.Names(), ElementsAre("si", "sulogin"));
  EXPECT_THAT(host_.settled, IsEmpty());
}

TEST_F(SupervisorTest, SingleUserWithDefaultSRerunsItsEntriesAtOnce) {
  Start({Wait("sulogin", "S"), Respawn("getty", "2")}, 'S');
  EXPECT_THAT(host_.Names(), ElementsAre("sulogin"));
  // sysvinit: leaving S for the default level S re-arms the S entries; sulogin comes back at
  // once, without waiting for some other event.
  Exit("sulogin");
  EXPECT_EQ(sup_->level(), 'S');
  EXPECT_THAT(host_.Names(), ElementsAre("sulogin", "sulogin"));
  Exit("sulogin");
  EXPECT_THAT(host_.Names(), ElementsAre("sulogin", "sulogin", "sulogin"));
  EXPECT_THAT(host_.level_changes, ElementsAre(Pair('S', 'N')));
  EXPECT_LE(host_.settled.size(), 1u);
}

TEST_F(SupervisorTest, SingleUserWithDefaultSAndFailingSuloginDoesNotSpin) {
  host_.failing = {"sulogin"};
  Start({Wait("sulogin", "S")}, 'S');
  int n = host_.Count("sulogin");
  EXPECT_GE(n, 1);
  EXPECT_LE(n, 2);
  sup_->OnTimer();
  EXPECT_LE(host_.Count("sulogin"), n + 2);
}

TEST_F(SupervisorTest, LeavingSingleUserAfterBootReturnsToDefaultLevel) {
  Start({Once("o2", "2"), Respawn("getty", "2"), Once("os", "S"), Wait("sulogin", "S")});
  Exit("o2");
  pid_t getty = host_.Pid("getty");
  sup_->RequestLevel('S', kWait);
  EXPECT_THAT(host_.kills, ElementsAre(Pair(getty, SIGTERM)));
  EXPECT_EQ(host_.Count("sulogin"), 0);
  Exit("getty");
  EXPECT_THAT(host_.NamesSince(2), ElementsAre("os", "sulogin"));
  EXPECT_EQ(host_.spawns.back().level, 'S');
  EXPECT_EQ(host_.spawns.back().prev, '2');
  Exit("sulogin");
  EXPECT_EQ(sup_->level(), 'S');  // os still running
  Exit("os");
  EXPECT_EQ(sup_->level(), '2');
  EXPECT_EQ(sup_->prev_level(), 'S');
  EXPECT_THAT(host_.level_changes, ElementsAre(Pair('2', 'N'), Pair('S', '2'), Pair('2', 'S')));
  EXPECT_THAT(host_.NamesSince(4), ElementsAre("o2", "getty"));  // o2 runs again
  Exit("o2");
  EXPECT_THAT(host_.settled, ElementsAre('2', '2'));

  // And S can be entered again: its entries were re-armed.
  sup_->RequestLevel('S', milliseconds(0));
  Exit("getty");
  EXPECT_THAT(host_.NamesSince(6), ElementsAre("os", "sulogin"));
}

TEST_F(SupervisorTest, LeavingSingleUserBootedInSGoesThroughBootStage) {
  Start({SysInit("si"), BootSvc("b"), BootWait("bw"), Wait("sulogin", "S"), Once("o2", "2")}, 'S');
  Exit("si");
  ASSERT_EQ(sup_->level(), 'S');
  // telinit q with an initdefault of 2 (sysvinit re-reads initdefault when S ends).
  ServiceSet set;
  set.services = {SysInit("si"), BootSvc("b"), BootWait("bw"), Wait("sulogin", "S"),
                  Once("o2", "2")};
  set.default_level = '2';
  sup_->Reload(std::move(set), kWait);
  EXPECT_EQ(host_.Count("sulogin"), 1);
  Exit("sulogin");
  EXPECT_EQ(sup_->level(), '*');
  EXPECT_THAT(host_.Names(), ElementsAre("si", "sulogin", "b", "bw"));
  Exit("bw");
  EXPECT_EQ(sup_->level(), '2');
  EXPECT_THAT(host_.level_changes, ElementsAre(Pair('S', 'N'), Pair('2', 'N')));
  EXPECT_THAT(host_.Names(), ElementsAre("si", "sulogin", "b", "bw", "o2"));
  EXPECT_EQ(host_.boot_time, 1);
}

TEST_F(SupervisorTest, NoSEntriesLeavesSAtOnce) {
  Start({Respawn("getty", "2")});
  sup_->RequestLevel('S', milliseconds(0));
  EXPECT_EQ(sup_->level(), 'S');  // getty killed but not reaped yet
  Exit("getty");
  EXPECT_EQ(sup_->level(), '2');
  EXPECT_EQ(host_.Count("getty"), 2);
}

// ---------------------------------------------------------------------------------------------
// Reload

TEST_F(SupervisorTest, ReloadKeepsUnchangedStopsRemovedAndChangedStartsNew) {
  Start({Respawn("keep", "2"), Respawn("chg", "2"), Respawn("gone", "2"), Once("o", "2"),
         Respawn("idle", "3")});
  Exit("o");
  pid_t keep = host_.Pid("keep");
  pid_t chg = host_.Pid("chg");
  pid_t gone = host_.Pid("gone");
  size_t n = host_.spawns.size();

  ServiceSet set;
  auto keep2 = Respawn("keep", "2");
  keep2.command.text = "/bin/keep --new";
  set.services = {keep2, Once("chg", "2"), Once("o", "2"), Respawn("new", "2")};
  sup_->Reload(std::move(set), kWait);

  EXPECT_THAT(host_.kills, ElementsAre(Pair(chg, SIGTERM), Pair(gone, SIGTERM)));
  EXPECT_EQ(host_.spawns.size(), n);  // nothing starts while they are being stopped
  EXPECT_TRUE(Running("keep"));
  EXPECT_FALSE(sup_->View("gone").has_value());
  EXPECT_THAT(sup_->RunningPids(), ::testing::UnorderedElementsAre(keep, chg, gone));

  ASSERT_TRUE(sup_->OnChildExit(gone, 0));
  ASSERT_EQ(host_.exited.size(), 2u);
  EXPECT_EQ(host_.exited[1].name, "gone");
  EXPECT_EQ(host_.spawns.size(), n);
  ASSERT_TRUE(sup_->OnChildExit(chg, 0));
  EXPECT_EQ(host_.exited[2].name, "chg");
  EXPECT_THAT(host_.NamesSince(n), ElementsAre("chg", "new"));  // chg is now a once entry
  EXPECT_FALSE(host_.timer.has_value());
  EXPECT_EQ(host_.Count("o"), 1);  // unchanged once entry: already ran

  // The kept service restarts with its new command.
  Exit("keep");
  EXPECT_EQ(host_.spawns.back().name, "keep");
  EXPECT_EQ(host_.spawns.back().text, "/bin/keep --new");
  EXPECT_THAT(KillsOf(keep), IsEmpty());
}

TEST_F(SupervisorTest, ReloadStartsNewEntriesOfTheCurrentLevelWithoutSettlingAgain) {
  Start({Respawn("r", "2")});
  ServiceSet set;
  set.services = {Respawn("r", "2"), Once("o", "2"), Once("o3", "3")};
  sup_->Reload(std::move(set), kWait);
  EXPECT_THAT(host_.Names(), ElementsAre("r", "o"));
  EXPECT_THAT(host_.kills, IsEmpty());
  Exit("o");
  EXPECT_THAT(host_.settled, ElementsAre('2'));
}

TEST_F(SupervisorTest, ReloadKillsRemovedAtTheDeadline) {
  Start({Respawn("gone", "2")});
  pid_t gone = host_.Pid("gone");
  sup_->Reload(ServiceSet{}, kWait);
  Advance(kWait);
  EXPECT_THAT(host_.kills, ElementsAre(Pair(gone, SIGTERM), Pair(gone, SIGKILL)));
  EXPECT_TRUE(sup_->OnChildExit(gone, SIGKILL));
  EXPECT_THAT(sup_->RunningPids(), IsEmpty());
  EXPECT_EQ(host_.Count("gone"), 1);
}

TEST_F(SupervisorTest, ReloadStopsEntriesWhoseLevelsNoLongerIncludeTheCurrentOne) {
  Start({Respawn("r", "23")});
  pid_t r = host_.Pid("r");
  ServiceSet set;
  set.services = {Respawn("r", "3")};
  sup_->Reload(std::move(set), kWait);
  EXPECT_THAT(host_.kills, ElementsAre(Pair(r, SIGTERM)));
  Exit("r");
  EXPECT_EQ(host_.Count("r"), 1);
  sup_->RequestLevel('3', kWait);
  EXPECT_EQ(host_.Count("r"), 2);
}

TEST_F(SupervisorTest, ReloadUpdatesDefaultLevelForLaterBoots) {
  Start({Once("o3", "3")});
  ServiceSet set;
  set.services = {Once("o3", "3")};
  set.default_level = '3';
  sup_->Reload(std::move(set), kWait);
  EXPECT_EQ(sup_->level(), '2');  // no level change by itself
  sup_->Boot();
  EXPECT_EQ(sup_->level(), '3');
}

// ---------------------------------------------------------------------------------------------
// Demand, events

TEST_F(SupervisorTest, DemandStartsOndemandEntriesWithoutLevelChange) {
  Start({OnDemand("da", "a"), OnDemand("db", "b"), Respawn("r", "2")});
  EXPECT_THAT(host_.Names(), ElementsAre("r"));
  sup_->Demand('a');
  EXPECT_THAT(host_.Names(), ElementsAre("r", "da"));
  EXPECT_EQ(sup_->level(), '2');
  EXPECT_THAT(host_.level_changes, ElementsAre(Pair('2', 'N')));
  Exit("da");  // ondemand behaves like respawn
  EXPECT_EQ(host_.Count("da"), 2);
  sup_->Demand('B');
  EXPECT_EQ(host_.Count("db"), 1);
  EXPECT_THAT(host_.settled, ElementsAre('2'));
}

TEST_F(SupervisorTest, DemandEntriesSurviveLevelChangesExceptToS) {
  Start({OnDemand("da", "a"), Wait("sulogin", "S")});
  sup_->Demand('a');
  pid_t da = host_.Pid("da");
  sup_->RequestLevel('3', kWait);
  EXPECT_THAT(host_.kills, IsEmpty());
  sup_->RequestLevel('S', kWait);
  EXPECT_THAT(host_.kills, ElementsAre(Pair(da, SIGTERM)));
  Exit("da");
  EXPECT_EQ(host_.Count("da"), 1);  // not in S
  EXPECT_EQ(host_.Count("sulogin"), 1);
  Exit("sulogin");  // back to the default level: demand entries come back
  EXPECT_EQ(sup_->level(), '2');
  EXPECT_EQ(host_.Count("da"), 2);
}

TEST_F(SupervisorTest, DemandDuringSysinitWaitsForARealLevel) {
  Start({SysInit("si"), OnDemand("da", "a")});
  sup_->Demand('a');
  EXPECT_EQ(host_.Count("da"), 0);
  Exit("si");
  EXPECT_EQ(host_.Count("da"), 1);
}

TEST_F(SupervisorTest, EventsRunOnlyWhenTriggeredAndOnlyInTheirLevels) {
  Start({Event("cad", Trigger::kCtrlAltDel, true, "2"),
         Event("pf", Trigger::kPowerFail, false, "3"), Respawn("r", "2")});
  EXPECT_THAT(host_.Names(), ElementsAre("r"));
  EXPECT_TRUE(sup_->HasServicesFor(Trigger::kCtrlAltDel));
  EXPECT_TRUE(sup_->HasServicesFor(Trigger::kPowerFail));
  EXPECT_FALSE(sup_->HasServicesFor(Trigger::kKbRequest));
  EXPECT_FALSE(sup_->HasServicesFor(Trigger::kPowerWait));

  sup_->Trigger(Trigger::kPowerFail);  // not in level 2
  EXPECT_EQ(host_.Count("pf"), 0);
  sup_->Trigger(Trigger::kKbRequest);
  EXPECT_THAT(host_.Names(), ElementsAre("r"));

  sup_->Trigger(Trigger::kCtrlAltDel);
  EXPECT_THAT(host_.Names(), ElementsAre("r", "cad"));
  Exit("cad");
  EXPECT_EQ(host_.Count("cad"), 1);  // a task: not restarted
  Exit("r");
  EXPECT_EQ(host_.Count("cad"), 1);
  sup_->Trigger(Trigger::kCtrlAltDel);
  EXPECT_EQ(host_.Count("cad"), 2);
}

TEST_F(SupervisorTest, BlockingEventGatesLaterEntries) {
  Start({Event("pw", Trigger::kPowerWait, true, "S0123456789"), Respawn("r", "2")});
  Exit("r");
  EXPECT_EQ(host_.Count("r"), 2);
  sup_->Trigger(Trigger::kPowerWait);
  EXPECT_EQ(host_.Count("pw"), 1);
  Exit("r");
  EXPECT_EQ(host_.Count("r"), 2);  // waits behind the powerwait entry
  Exit("pw");
  EXPECT_EQ(host_.Count("r"), 3);
}

TEST_F(SupervisorTest, EventEntriesDoNotRunAtBootOrOnLevelChange) {
  Start({Event("cad", Trigger::kCtrlAltDel, true, "23"), Once("o3", "3")});
  sup_->RequestLevel('3', kWait);
  sup_->RequestLevel('2', kWait);
  EXPECT_EQ(host_.Count("cad"), 0);
}

// ---------------------------------------------------------------------------------------------
// Freeze, settle, reboot in place

TEST_F(SupervisorTest, FreezeStopsRespawningAndStarting) {
  Start({Respawn("r", "23"), Respawn("bad", "2"), Once("o3", "3")});
  host_.failing = {"bad"};
  Exit("bad");  // becomes disabled after ten failed spawns: a timer is armed
  ASSERT_TRUE(host_.timer.has_value());
  sup_->Freeze();
  EXPECT_TRUE(sup_->frozen());
  EXPECT_FALSE(host_.timer.has_value());
  size_t n = host_.spawns.size();
  Exit("r");
  sup_->Trigger(Trigger::kCtrlAltDel);
  sup_->Demand('a');
  sup_->RequestLevel('3', kWait);
  Advance(seconds(600));
  EXPECT_EQ(host_.spawns.size(), n);
  EXPECT_EQ(sup_->level(), '2');
  EXPECT_THAT(host_.kills, IsEmpty());
}

TEST_F(SupervisorTest, LevelSettledOncePerEntryAndShutdownLevelSettlesAfterItsTasks) {
  Start({Respawn("r", "2"), Wait("rc0", "0"), Once("o2", "2")});
  Exit("o2");
  EXPECT_THAT(host_.settled, ElementsAre('2'));
  Exit("r");
  sup_->OnTimer();
  sup_->Demand('a');
  EXPECT_THAT(host_.settled, ElementsAre('2'));

  sup_->RequestLevel('0', kWait);
  EXPECT_THAT(host_.settled, ElementsAre('2'));  // r is being stopped
  EXPECT_EQ(host_.Count("rc0"), 0);
  Exit("r");
  EXPECT_EQ(host_.Count("rc0"), 1);
  EXPECT_THAT(host_.settled, ElementsAre('2'));  // rc0 running
  Exit("rc0");
  EXPECT_THAT(host_.settled, ElementsAre('2', '0'));
  sup_->OnTimer();
  EXPECT_THAT(host_.settled, ElementsAre('2', '0'));
}

TEST_F(SupervisorTest, RebootInPlaceRerunsSysinit) {
  Start({SysInit("si"), Respawn("r", "2"), Wait("rc6", "6")});
  Exit("si");
  sup_->RequestLevel('6', milliseconds(0));
  Exit("r");
  Exit("rc6");
  EXPECT_THAT(host_.settled, ElementsAre('2', '6'));
  sup_->Freeze();  // the host's final sweep

  sup_->Boot();
  EXPECT_FALSE(sup_->frozen());
  EXPECT_EQ(sup_->level(), '#');
  EXPECT_THAT(host_.Names(), ElementsAre("si", "r", "rc6", "si"));
  Exit("si");
  EXPECT_EQ(host_.boot_time, 2);
  EXPECT_EQ(sup_->level(), '2');
  EXPECT_THAT(host_.level_changes, ElementsAre(Pair('2', 'N'), Pair('6', '2'), Pair('2', 'N')));
  EXPECT_THAT(host_.Names(), ElementsAre("si", "r", "rc6", "si", "r"));
  EXPECT_THAT(host_.settled, ElementsAre('2', '6', '2'));
}

TEST_F(SupervisorTest, BootAgainClearsDemandAndDisabledState) {
  Start({OnDemand("da", "a"), Respawn("bad", "2")});
  host_.failing = {"bad"};
  sup_->Demand('a');
  Exit("bad");
  ASSERT_TRUE(sup_->View("bad")->disabled);
  // Level 0 keeps demand entries (sysvinit: only S stops them); the final sweep ends them.
  sup_->RequestLevel('0', milliseconds(0));
  EXPECT_THAT(host_.kills, IsEmpty());
  EXPECT_THAT(host_.settled, ElementsAre('2', '0'));
  sup_->Freeze();
  Exit("da");
  EXPECT_EQ(host_.Count("da"), 1);
  host_.failing.clear();
  sup_->Boot();
  EXPECT_FALSE(sup_->View("bad")->disabled);
  EXPECT_TRUE(Running("bad"));
  EXPECT_FALSE(Running("da"));
}

// ---------------------------------------------------------------------------------------------
// Re-entrancy: the host changes level from inside its callbacks (app mode).

TEST_F(SupervisorTest, LevelSettledMayRequestShutdown) {
  host_.on_settled = [&](char l) {
    if (l == '2') sup_->RequestLevel('0', kWait);
  };
  Start({Once("o2", "2"), Respawn("r", "2"), Wait("rc0", "0")});
  Exit("o2");
  EXPECT_EQ(sup_->level(), '0');
  EXPECT_THAT(host_.kills, ElementsAre(Pair(host_.Pid("r"), SIGTERM)));
  ASSERT_TRUE(host_.timer.has_value());
  EXPECT_EQ(host_.Count("rc0"), 0);
  Exit("r");
  EXPECT_EQ(host_.Count("rc0"), 1);
  EXPECT_FALSE(host_.timer.has_value());
  Exit("rc0");
  EXPECT_THAT(host_.settled, ElementsAre('2', '0'));
}

TEST_F(SupervisorTest, LevelSettledMayRequestAnEmptyLevelThatSettlesAtOnce) {
  host_.on_settled = [&](char l) {
    if (l == '2') sup_->RequestLevel('0', milliseconds(0));
  };
  Start({Once("o2", "2")});
  Exit("o2");
  EXPECT_EQ(sup_->level(), '0');
  EXPECT_THAT(host_.settled, ElementsAre('2', '0'));
}

TEST_F(SupervisorTest, LevelSettledDuringBootMayRequestShutdown) {
  // The whole boot happens inside Boot(): the callback re-enters the first drain.
  host_.on_settled = [&](char l) {
    if (l == '3') sup_->RequestLevel('0', kWait);
  };
  Start({Respawn("r", "3"), Once("o0", "0")}, '3');
  EXPECT_EQ(sup_->level(), '0');
  EXPECT_EQ(host_.Count("o0"), 0);
  Advance(kWait);
  EXPECT_THAT(host_.kills,
              ElementsAre(Pair(host_.Pid("r"), SIGTERM), Pair(host_.Pid("r"), SIGKILL)));
  EXPECT_EQ(host_.Count("o0"), 1);
  Exit("o0");
  EXPECT_THAT(host_.settled, ElementsAre('3', '0'));
}

TEST_F(SupervisorTest, ServiceExitedMayRequestShutdown) {
  host_.on_exited = [&](const ServiceSpec& spec) {
    if (spec.name == "main") sup_->RequestLevel('0', kWait);
  };
  Start({Respawn("r", "2"), Once("main", "123456789"), Once("o0", "0")});
  EXPECT_THAT(host_.settled, IsEmpty());  // main is a task of level 2
  Exit("main", 3 << 8);
  EXPECT_EQ(host_.exited.back().status, 3 << 8);
  EXPECT_EQ(sup_->level(), '0');
  EXPECT_THAT(host_.kills, ElementsAre(Pair(host_.Pid("r"), SIGTERM)));
  Exit("r");
  EXPECT_EQ(host_.Count("r"), 1);
  EXPECT_EQ(host_.Count("o0"), 1);
  Exit("o0");
  EXPECT_THAT(host_.settled, ElementsAre('0'));
  EXPECT_FALSE(host_.timer.has_value());
}

TEST_F(SupervisorTest, ServiceExitedMayRequestShutdownWithZeroWait) {
  host_.on_exited = [&](const ServiceSpec& spec) {
    if (spec.name == "main") sup_->RequestLevel('0', milliseconds(0));
  };
  Start({Respawn("r", "2"), Once("main", "123456789")});
  Exit("main");
  EXPECT_EQ(sup_->level(), '0');
  EXPECT_THAT(host_.kills,
              ElementsAre(Pair(host_.Pid("r"), SIGTERM), Pair(host_.Pid("r"), SIGKILL)));
  EXPECT_THAT(host_.settled, ElementsAre('0'));  // killed longruns do not hold it up
  Exit("r");
  EXPECT_EQ(host_.Count("r"), 1);
  EXPECT_THAT(host_.settled, ElementsAre('0'));
}

TEST_F(SupervisorTest, ServiceExitedOfARemovedServiceMayRequestShutdown) {
  host_.on_exited = [&](const ServiceSpec& spec) {
    if (spec.name == "gone") sup_->RequestLevel('0', kWait);
  };
  Start({Respawn("gone", "2"), Respawn("r", "2")});
  ServiceSet set;
  set.services = {Respawn("r", "2")};
  sup_->Reload(std::move(set), kWait);
  Exit("gone");
  EXPECT_EQ(sup_->level(), '0');
  Exit("r");
  EXPECT_THAT(host_.settled, ElementsAre('2', '0'));
  EXPECT_THAT(sup_->RunningPids(), IsEmpty());
}

}  // namespace
}  // namespace ctinit

namespace ctinit {
namespace {

// A level given on the command line replaces initdefault for the first boot only; leaving S goes
// back to initdefault (sysvinit's dfl_level vs get_init_default()).
TEST_F(SupervisorTest, CommandLineLevelWinsAtBootAndLeavingSReturnsToInitdefault) {
  ServiceSet set;
  set.services = {Wait("sulogin", "S"), Once("o2", "2"), Once("o5", "5")};
  sup_ = std::make_unique<Supervisor>(&host_, std::move(set), '2', 'S');
  sup_->Boot();
  EXPECT_EQ(sup_->level(), 'S');
  Exit("sulogin");
  EXPECT_EQ(sup_->level(), '2');
  EXPECT_EQ(host_.Count("o2"), 1);

  ServiceSet set5;
  set5.services = {Once("o2", "2"), Once("o5", "5")};
  sup_ = std::make_unique<Supervisor>(&host_, std::move(set5), '2', '5');
  sup_->Boot();
  EXPECT_EQ(sup_->level(), '5');
  EXPECT_EQ(host_.Count("o5"), 1);
}

}  // namespace
}  // namespace ctinit
