#include "init/runtime/config_env.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>

#include "init/runtime/config.h"

namespace ctinit {
namespace {

using std::chrono::milliseconds;
using testing::ElementsAre;
using testing::HasSubstr;
using testing::IsEmpty;
using A = SignalAction;

const std::vector<std::string> kFrontEndKeys = {"inittab", "inittab_d", "openrc", "units"};

Config Parse(const std::string& yaml, const std::vector<std::string>& env,
             std::vector<std::string>* errors) {
  return ParseConfigWithEnvironment(yaml, "/etc/ctinit.yaml", env, errors, kFrontEndKeys);
}

TEST(ConfigEnvTest, NameRuleIsMechanical) {
  EXPECT_EQ(EnvironmentName("shutdown.budget"), "CTINIT_SHUTDOWN_BUDGET");
  EXPECT_EQ(EnvironmentName("units.skip_also"), "CTINIT_UNITS_SKIP_ALSO");
  EXPECT_EQ(EnvironmentName("log_level"), "CTINIT_LOG_LEVEL");
}

TEST(ConfigEnvTest, NamesMapBackToKeyPaths) {
  std::vector<std::string> unknown;
  auto s = SettingsFromEnvironment(
      {"PATH=/bin", "CTINIT_SHUTDOWN_BUDGET=25s", "CTINIT_INITTAB_D=/x", "CTINIT_INITTAB=/y",
       "CTINIT_UNITS_INIT_SCRIPTS_WIN=false", "CTINIT_LOG_LEVEL=debug", "CTINIT_CACHE=/tmp",
       "CTINIT_LOG_LEVEL_X=1", "CTINIT_SIGNALS=SIGINT=halt"},
      kFrontEndKeys, &unknown);
  EXPECT_THAT(
      s, ElementsAre(EnvironmentSetting{"CTINIT_SHUTDOWN_BUDGET", {"shutdown", "budget"}, "25s"},
                     EnvironmentSetting{"CTINIT_INITTAB_D", {"inittab_d"}, "/x"},
                     EnvironmentSetting{"CTINIT_INITTAB", {"inittab"}, "/y"},
                     EnvironmentSetting{
                         "CTINIT_UNITS_INIT_SCRIPTS_WIN", {"units", "init_scripts_win"}, "false"},
                     EnvironmentSetting{"CTINIT_LOG_LEVEL", {"log_level"}, "debug"},
                     EnvironmentSetting{"CTINIT_SIGNALS", {"signals"}, "SIGINT=halt"}));
  EXPECT_THAT(unknown, ElementsAre("CTINIT_CACHE", "CTINIT_LOG_LEVEL_X"));
}

TEST(ConfigEnvTest, ValueHasEveryShapeItsTextAllows) {
  Setting list = EnvironmentValue("CTINIT_UNITS_SKIP", "a.service, b.service c.service");
  EXPECT_EQ(list.where, "CTINIT_UNITS_SKIP");
  EXPECT_EQ(list.scalar, "a.service, b.service c.service");
  ASSERT_TRUE(list.is_list);
  ASSERT_EQ(list.list.size(), 3u);
  EXPECT_EQ(list.list[2].scalar, "c.service");
  EXPECT_FALSE(list.is_map);

  Setting map = EnvironmentValue("CTINIT_SIGNALS", "SIGINT=halt, SIGUSR2=runlevel 1");
  ASSERT_TRUE(map.is_map);
  ASSERT_EQ(map.map.size(), 2u);
  EXPECT_EQ(map.map[1].first, "SIGUSR2");
  EXPECT_EQ(map.map[1].second.scalar, "runlevel 1");

  Setting empty = EnvironmentValue("CTINIT_UNITS_SKIP", "");
  EXPECT_TRUE(empty.is_list);
  EXPECT_THAT(empty.list, IsEmpty());
}

TEST(ConfigEnvTest, ScalarKeysOfEveryKind) {
  std::vector<std::string> errors;
  Config c =
      Parse("",
            {"CTINIT_LOG_LEVEL=verbose", "CTINIT_FIFO=/run/fifo2", "CTINIT_DEFAULT_RUNLEVEL=2",
             "CTINIT_SHUTDOWN_BUDGET=25s", "CTINIT_SHUTDOWN_FINAL_GRACE=5s",
             "CTINIT_SHUTDOWN_KILL_WAIT=1s", "CTINIT_REBOOT=exit", "CTINIT_REBOOT_EXIT_CODE=7"},
            &errors);
  EXPECT_THAT(errors, IsEmpty());
  EXPECT_EQ(c.log_level, log::Level::kVerbose);
  EXPECT_EQ(c.fifo, "/run/fifo2");
  EXPECT_EQ(c.default_runlevel, '2');
  EXPECT_EQ(c.shutdown_budget, milliseconds(25000));
  EXPECT_EQ(c.final_grace, milliseconds(5000));
  EXPECT_EQ(c.kill_wait, milliseconds(1000));
  EXPECT_EQ(c.reboot, RebootMode::kExit);
  EXPECT_EQ(c.reboot_exit_code, 7);
}

TEST(ConfigEnvTest, EnvironmentWinsOverTheFile) {
  std::vector<std::string> errors;
  Config c = Parse("log_level: quiet\nshutdown: {budget: 4s, kill_wait: 2s}\n",
                   {"CTINIT_SHUTDOWN_BUDGET=25s"}, &errors);
  EXPECT_THAT(errors, IsEmpty());
  EXPECT_EQ(c.log_level, log::Level::kQuiet);  // the file's, untouched
  EXPECT_EQ(c.shutdown_budget, milliseconds(25000));
  EXPECT_EQ(c.kill_wait, milliseconds(2000));
  EXPECT_EQ(c.final_grace, milliseconds(2000));  // min(2s, budget) of the final budget
}

TEST(ConfigEnvTest, FinalGraceFromTheFileSurvivesABudgetFromTheEnvironment) {
  std::vector<std::string> errors;
  Config c = Parse("shutdown: {final_grace: 3s}\n", {"CTINIT_SHUTDOWN_BUDGET=25s"}, &errors);
  EXPECT_THAT(errors, IsEmpty());
  EXPECT_EQ(c.final_grace, milliseconds(3000));
  c = Parse("shutdown: {final_grace: 3s}\n", {"CTINIT_SHUTDOWN_BUDGET=1s"}, &errors);
  EXPECT_THAT(errors, ElementsAre(HasSubstr("/etc/ctinit.yaml:1:25: 'shutdown.final_grace' is "
                                            "larger than 'shutdown.budget'")));
  EXPECT_EQ(c.final_grace, milliseconds(1000));
}

TEST(ConfigEnvTest, SignalsMergePerSignalOverFileAndDefaults) {
  std::vector<std::string> errors;
  Config c = Parse("signals: {SIGUSR1: halt, SIGPWR: poweroff}\n",
                   {"CTINIT_SIGNALS=SIGINT=halt,SIGPWR=reboot, SIGUSR2=runlevel 1"}, &errors);
  EXPECT_THAT(errors, IsEmpty());
  EXPECT_EQ(c.signals[SIGINT], SignalRule{A::kHalt});
  EXPECT_EQ(c.signals[SIGPWR], SignalRule{A::kReboot});
  EXPECT_EQ(c.signals[SIGUSR1], SignalRule{A::kHalt});             // file
  EXPECT_EQ(c.signals[SIGUSR2], (SignalRule{A::kRunlevel, '1'}));  // environment
  EXPECT_EQ(c.signals[SIGTERM], SignalRule{A::kHalt});             // default
  EXPECT_EQ(c.signals[SIGRTMIN + 3], SignalRule{A::kHalt});        // default
}

TEST(ConfigEnvTest, BadValueNamesTheVariableAndKeepsTheFileValue) {
  std::vector<std::string> errors;
  Config c = Parse(
      "shutdown: {budget: 20s}\nreboot: exit\n",
      {"CTINIT_SHUTDOWN_BUDGET=soon", "CTINIT_REBOOT_EXIT_CODE=300", "CTINIT_LOG_LEVEL=debug"},
      &errors);
  EXPECT_THAT(errors,
              ElementsAre(HasSubstr("CTINIT_SHUTDOWN_BUDGET: 'shutdown.budget' must be a duration"),
                          HasSubstr("CTINIT_REBOOT_EXIT_CODE: 'reboot_exit_code' must be")));
  EXPECT_EQ(c.shutdown_budget, milliseconds(20000));  // the file's
  EXPECT_EQ(c.reboot_exit_code, 129);                 // the default
  EXPECT_EQ(c.reboot, RebootMode::kExit);
  EXPECT_EQ(c.log_level, log::Level::kDebug);  // everything else applies
}

TEST(ConfigEnvTest, BadSignalsAreTheFileMessages) {
  std::vector<std::string> errors;
  Config c = Parse("", {"CTINIT_SIGNALS=SIGKILL=halt,SIGINT=explode,SIGHUP=halt"}, &errors);
  EXPECT_THAT(errors, ElementsAre(HasSubstr("CTINIT_SIGNALS: cannot map signal 'SIGKILL'"),
                                  HasSubstr("CTINIT_SIGNALS: unknown action 'explode'")));
  EXPECT_EQ(c.signals[SIGINT], SignalRule{A::kCtrlAltDel});
  EXPECT_EQ(c.signals[SIGHUP], SignalRule{A::kHalt});
  errors.clear();
  Parse("", {"CTINIT_SIGNALS=halt"}, &errors);
  EXPECT_THAT(errors, ElementsAre(HasSubstr("CTINIT_SIGNALS: 'signals' must be a mapping")));
}

TEST(ConfigEnvTest, UnknownSubKeyOfShutdownIsTheFileMessage) {
  std::vector<std::string> errors;
  Parse("", {"CTINIT_SHUTDOWN_BUDGETS=3s"}, &errors);
  EXPECT_THAT(errors, ElementsAre(HasSubstr("CTINIT_SHUTDOWN_BUDGETS: unknown key "
                                            "'shutdown.budgets'")));
}

TEST(ConfigEnvTest, FrontEndKeysMergeOverTheFile) {
  std::vector<std::string> errors;
  Config c = Parse("openrc: {mode: inittab, strict_need: true}\nunits: {skip: [a.service]}\n",
                   {"CTINIT_OPENRC_MODE=native", "CTINIT_UNITS_SKIP=b.service,c.service",
                    "CTINIT_INITTAB=/etc/inittab.compose"},
                   &errors);
  EXPECT_THAT(errors, IsEmpty());
  const Setting& openrc = c.front_ends["openrc"];
  ASSERT_TRUE(openrc.is_map);
  ASSERT_EQ(openrc.map.size(), 2u);
  EXPECT_EQ(openrc.map[0].first, "mode");
  EXPECT_EQ(openrc.map[0].second.scalar, "native");
  EXPECT_EQ(openrc.map[0].second.where, "CTINIT_OPENRC_MODE");
  EXPECT_EQ(openrc.map[1].second.scalar, "true");  // the file's strict_need stays
  auto skip = SettingList(c.front_ends["units"].map[0].second, "units.skip", &errors);
  EXPECT_EQ(skip, (std::vector<std::string>{"b.service", "c.service"}));
  EXPECT_EQ(SettingScalar(c.front_ends["inittab"], "inittab", &errors), "/etc/inittab.compose");
  EXPECT_THAT(errors, IsEmpty());
}

TEST(ConfigEnvTest, FrontEndKeyWithoutAFileGetsAMapping) {
  std::vector<std::string> errors;
  Config c = Parse("", {"CTINIT_OPENRC_LEVELS=3=default,4=nonetwork"}, &errors);
  const Setting& openrc = c.front_ends["openrc"];
  ASSERT_TRUE(openrc.is_map);
  auto entries = SettingEntries(openrc, "openrc", {"mode", "levels", "strict_need"}, &errors);
  ASSERT_EQ(entries.size(), 1u);
  ASSERT_TRUE(entries[0].second->is_map);
  EXPECT_EQ(entries[0].second->map[1].first, "4");
  EXPECT_THAT(errors, IsEmpty());
}

TEST(ConfigEnvTest, BadFrontEndValueIsReportedWithTheVariable) {
  std::vector<std::string> errors;
  Config c = Parse("", {"CTINIT_UNITS_STRICT=maybe"}, &errors);
  auto entries = SettingEntries(c.front_ends["units"], "units", {"strict"}, &errors);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_FALSE(SettingBool(*entries[0].second, "units.strict", &errors));
  EXPECT_THAT(errors, ElementsAre("CTINIT_UNITS_STRICT: 'units.strict' must be true or false; "
                                  "got 'maybe'"));
}

TEST(ConfigEnvTest, EnvironmentAppliesOverABrokenFile) {
  std::vector<std::string> errors;
  Config c = Parse("shutdown: [", {"CTINIT_SHUTDOWN_BUDGET=25s"}, &errors);
  EXPECT_THAT(errors, ElementsAre(HasSubstr("using all defaults")));
  EXPECT_EQ(c.shutdown_budget, milliseconds(25000));
}

TEST(ConfigEnvTest, WithoutVariablesItIsTheFile) {
  std::vector<std::string> e1, e2;
  std::string yaml = "log_level: debug\nsignals: {SIGINT: halt}\nunits: {mode: off}\n";
  EXPECT_EQ(Parse(yaml, {"PATH=/bin", "HOME=/"}, &e1),
            ParseConfig(yaml, "/etc/ctinit.yaml", &e2, kFrontEndKeys));
  EXPECT_EQ(e1, e2);
}

// The process-wide step main() takes: the variables that name a key leave the environment (so
// services do not inherit them), the others stay.
TEST(ConfigEnvTest, TakeRemovesOnlyTheVariablesThatNameAKey) {
  ::setenv("CTINIT_SHUTDOWN_BUDGET", "25s", 1);
  ::setenv("CTINIT_NOT_A_KEY", "x", 1);
  TakeConfigEnvironment(kFrontEndKeys);
  EXPECT_EQ(::getenv("CTINIT_SHUTDOWN_BUDGET"), nullptr);
  ASSERT_NE(::getenv("CTINIT_NOT_A_KEY"), nullptr);
  ::unsetenv("CTINIT_NOT_A_KEY");
  EXPECT_THAT(TakenConfigEnvironment(), testing::Contains("CTINIT_SHUTDOWN_BUDGET=25s"));
  TakeConfigEnvironment(kFrontEndKeys);  // nothing left to take: LoadConfig's tests see none
  EXPECT_THAT(TakenConfigEnvironment(), IsEmpty());
}

}  // namespace
}  // namespace ctinit
