#include "init/runtime/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <fstream>

#include "tests/unit/temp_dir.h"

namespace ctinit {
namespace {

using std::chrono::milliseconds;
using testing::ElementsAre;
using testing::HasSubstr;
using testing::IsEmpty;
using testing::SizeIs;
using A = SignalAction;

// The keys the front ends claim in the shipped binary (init/program/front_ends.h).
const std::vector<std::string> kFrontEndKeys = {"inittab", "inittab_d", "openrc", "units"};

Config Parse(const std::string& yaml, std::vector<std::string>* errors) {
  return ParseConfig(yaml, "/etc/ctinit.yaml", errors, kFrontEndKeys);
}

// Parses `yaml`, expects exactly one error containing `what`, returns the config.
Config ParseOneError(const std::string& yaml, const std::string& what) {
  std::vector<std::string> errors;
  Config c = Parse(yaml, &errors);
  EXPECT_THAT(errors, ElementsAre(HasSubstr(what))) << yaml;
  return c;
}

TEST(ConfigTest, Defaults) {
  Config c = DefaultConfig();
  // No budget: the runtime's default (container_runtime.h) is chosen when PID 1 starts.
  EXPECT_EQ(c.shutdown_budget, std::nullopt);
  EXPECT_EQ(c.final_grace, milliseconds(2000));
  EXPECT_EQ(c.kill_wait, milliseconds(3000));
  EXPECT_EQ(c.reboot, RebootMode::kAuto);
  EXPECT_EQ(c.reboot_exit_code, 129);
  EXPECT_EQ(c.log_level, log::Level::kNormal);
  EXPECT_TRUE(c.front_ends.empty());
  EXPECT_EQ(c.fifo, "/run/initctl");
  EXPECT_FALSE(c.default_runlevel);

  std::map<int, SignalRule> handled;
  for (int sig : SignalsToHandle(c)) handled[sig] = c.signals[sig];
  EXPECT_EQ(handled, (std::map<int, SignalRule>{
                         {SIGTERM, {A::kHalt}},
                         {SIGPWR, {A::kHalt}},
                         {SIGRTMIN + 3, {A::kHalt}},
                         {SIGRTMIN + 4, {A::kPowerOff}},
                         {SIGRTMIN + 5, {A::kReboot}},
                         {SIGINT, {A::kCtrlAltDel}},
                         {SIGHUP, {A::kReload}},
                         {SIGWINCH, {A::kKbRequest}},
                         {SIGUSR1, {A::kReopenFifo}},
                         {SIGUSR2, {A::kCloseFifo}},
                     }));
  std::vector<int> ignored = SignalsToIgnore(c);
  for (int sig : {SIGQUIT, SIGPIPE, SIGALRM, SIGSTKFLT, SIGTSTP, SIGTTIN, SIGTTOU, SIGXCPU, SIGXFSZ,
                  SIGVTALRM, SIGPROF, SIGIO, SIGRTMIN, SIGRTMIN + 6, SIGRTMAX}) {
    EXPECT_THAT(ignored, testing::Contains(sig)) << SignalName(sig);
  }
  // Every catchable signal whose default action stops or kills is either handled or ignored;
  // the fault signals and SIGCHLD/SIGCONT/SIGURG are left alone.
  EXPECT_THAT(ignored, SizeIs(12 + (SIGRTMAX - SIGRTMIN + 1) - 3));
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS, SIGCHLD, SIGCONT,
                  SIGURG, SIGKILL, SIGSTOP}) {
    EXPECT_EQ(c.signals.count(sig), 0u) << SignalName(sig);
  }
}

TEST(ConfigTest, EmptyDocumentGivesDefaults) {
  std::vector<std::string> errors;
  EXPECT_EQ(Parse("", &errors), DefaultConfig());
  EXPECT_EQ(Parse("# only a comment\n", &errors), DefaultConfig());
  EXPECT_THAT(errors, IsEmpty());
}

TEST(ConfigTest, EveryKey) {
  std::vector<std::string> errors;
  Config c = Parse(R"(
log_level: debug
inittab: /x/inittab
inittab_d: /x/inittab.d
fifo: /x/initctl
default_runlevel: s
shutdown:
  budget: 9.5s
  final_grace: 1500ms
  kill_wait: 1
reboot: exit
reboot_exit_code: 42
signals:
  SIGTERM: exit
  SIGUSR2: runlevel 1
  RTMIN+3: poweroff
  37: poweroff
  rtmin+4: Runlevel s
  SIGPWR: powerfail
  SIGQUIT: reboot
  35: ignore
)",
                   &errors);
  EXPECT_THAT(errors, ElementsAre(HasSubstr("'37' is the same as 'RTMIN+3'")));
  EXPECT_EQ(c.log_level, log::Level::kDebug);
  EXPECT_EQ(c.front_ends["inittab"].scalar, "/x/inittab");
  EXPECT_EQ(c.front_ends["inittab"].where, "/etc/ctinit.yaml:3:10");
  EXPECT_EQ(c.front_ends["inittab_d"].scalar, "/x/inittab.d");
  EXPECT_EQ(c.fifo, "/x/initctl");
  EXPECT_EQ(c.default_runlevel, 'S');
  EXPECT_EQ(c.shutdown_budget, milliseconds(9500));
  EXPECT_EQ(c.final_grace, milliseconds(1500));
  EXPECT_EQ(c.kill_wait, milliseconds(1000));
  EXPECT_EQ(c.reboot, RebootMode::kExit);
  EXPECT_EQ(c.reboot_exit_code, 42);
  EXPECT_EQ(c.signals[SIGTERM], SignalRule{A::kExit});
  EXPECT_EQ(c.signals[SIGUSR2], (SignalRule{A::kRunlevel, '1'}));
  EXPECT_EQ(c.signals[SIGRTMIN + 3], SignalRule{A::kPowerOff});
  EXPECT_EQ(c.signals[SIGRTMIN + 4], (SignalRule{A::kRunlevel, 'S'}));
  EXPECT_EQ(c.signals[SIGPWR], SignalRule{A::kPowerFail});
  EXPECT_EQ(c.signals[SIGQUIT], SignalRule{A::kReboot});
  EXPECT_EQ(c.signals[SIGINT], SignalRule{A::kCtrlAltDel});  // untouched default
  EXPECT_EQ(c.signals[35], SignalRule{A::kIgnore});
}

TEST(ConfigTest, EnumValues) {
  std::vector<std::string> errors;
  EXPECT_EQ(Parse("log_level: quiet", &errors).log_level, log::Level::kQuiet);
  EXPECT_EQ(Parse("log_level: verbose", &errors).log_level, log::Level::kVerbose);
  EXPECT_EQ(Parse("reboot: restart", &errors).reboot, RebootMode::kRestart);
  EXPECT_EQ(Parse("reboot: syscall", &errors).reboot, RebootMode::kSyscall);
  EXPECT_EQ(Parse("default_runlevel: 9", &errors).default_runlevel, '9');
  EXPECT_EQ(Parse("reboot_exit_code: 0", &errors).reboot_exit_code, 0);
  EXPECT_THAT(errors, IsEmpty());
}

TEST(ConfigTest, FinalGraceFollowsSmallBudget) {
  std::vector<std::string> errors;
  EXPECT_EQ(Parse("shutdown: {budget: 1s}", &errors).final_grace, milliseconds(1000));
  EXPECT_EQ(Parse("shutdown: {budget: 0}", &errors).final_grace, milliseconds(0));
  EXPECT_EQ(Parse("shutdown: {budget: 30s}", &errors).final_grace, milliseconds(2000));
  Config c = Parse("shutdown: {budget: 4s, final_grace: 4s}", &errors);
  EXPECT_EQ(c.final_grace, milliseconds(4000));
  EXPECT_THAT(errors, IsEmpty());

  c = ParseOneError("shutdown:\n  budget: 1s\n  final_grace: 3s\n",
                    "/etc/ctinit.yaml:3:16: 'shutdown.final_grace' is larger than");
  EXPECT_EQ(c.shutdown_budget, milliseconds(1000));
  EXPECT_EQ(c.final_grace, milliseconds(1000));
  c = ParseOneError("shutdown: {final_grace: 9s}", "larger than 'shutdown.budget'");
  EXPECT_EQ(c.final_grace, milliseconds(2000));
}

TEST(ConfigTest, SyntaxErrorGivesDefaultsAndPosition) {
  Config c = ParseOneError("log_level: debug\nshutdown: [1, 2\n", "/etc/ctinit.yaml:3:1: ");
  EXPECT_EQ(c, DefaultConfig());
  ParseOneError("a: b\n c: d\n", "/etc/ctinit.yaml:2:3: ");
  ParseOneError("log_level: a: b\n", "using all defaults");
  ParseOneError(std::string(5000, '[') + std::string(5000, ']'), "/etc/ctinit.yaml");
}

TEST(ConfigTest, TopLevelMustBeAMapping) {
  EXPECT_EQ(ParseOneError("- a\n- b\n", "/etc/ctinit.yaml:1:1: the top level must be a mapping"),
            DefaultConfig());
  ParseOneError("just text", "top level must be a mapping");
}

TEST(ConfigTest, UnknownKeysAreReportedAndTheRestApplies) {
  Config c = ParseOneError("log_level: quiet\nshutdwon: {budget: 1s}\n",
                           "/etc/ctinit.yaml:2:1: unknown key 'shutdwon' (known: log_level");
  EXPECT_EQ(c.log_level, log::Level::kQuiet);
  c = ParseOneError("shutdown:\n  budget: 5s\n  grace: 1s\n",
                    "/etc/ctinit.yaml:3:3: unknown key 'shutdown.grace'");
  EXPECT_EQ(c.shutdown_budget, milliseconds(5000));
  ParseOneError("? [a]\n: b\n", "keys in top level must be plain strings");
}

TEST(ConfigTest, DuplicateKeys) {
  Config c = ParseOneError("reboot: exit\nreboot: restart\n",
                           "/etc/ctinit.yaml:2:1: duplicate key 'reboot' in top level");
  EXPECT_EQ(c.reboot, RebootMode::kExit);
  c = ParseOneError("signals:\n  TERM: reload\n  15: ignore\n",
                    "/etc/ctinit.yaml:3:3: signal '15' is the same as 'TERM'");
  EXPECT_EQ(c.signals[SIGTERM], SignalRule{A::kReload});
}

TEST(ConfigTest, WrongTypesKeepTheDefault) {
  Config d = DefaultConfig();
  EXPECT_EQ(
      ParseOneError("log_level: [debug]", "1:12: 'log_level' needs a single value, got a list"), d);
  EXPECT_EQ(
      ParseOneError("log_level: loud", "'log_level' must be quiet | normal | verbose | debug"), d);
  EXPECT_EQ(ParseOneError("fifo:", "'fifo' needs a single value, got nothing"), d);
  EXPECT_EQ(ParseOneError("fifo: run/initctl", "'fifo' must be an absolute path"), d);
  EXPECT_EQ(ParseOneError("shutdown: 5s", "'shutdown' must be a mapping"), d);
  EXPECT_EQ(ParseOneError("shutdown: {budget: [1]}", "'shutdown.budget' needs a single value"), d);
  EXPECT_EQ(ParseOneError("reboot: sometimes", "'reboot' must be auto | restart | exit | syscall"),
            d);
  for (const char* bad : {"abc", "256", "-1", "1.5", "0x10", "\"\""}) {
    EXPECT_EQ(ParseOneError(std::string("reboot_exit_code: ") + bad,
                            "'reboot_exit_code' must be an integer 0-255"),
              d);
  }
  for (const char* bad : {"0", "6", "10", "x", "a", "\"\""}) {
    EXPECT_EQ(ParseOneError(std::string("default_runlevel: ") + bad,
                            "'default_runlevel' must be one of 1-5, 7-9, S"),
              d);
  }
  EXPECT_EQ(ParseOneError("signals: [SIGTERM]", "'signals' must be a mapping of signal: action"),
            d);
  EXPECT_EQ(ParseOneError("signals: {SIGTERM: [halt]}", "'signals.SIGTERM' needs a single value"),
            d);
}

TEST(ConfigTest, BadDurations) {
  for (const char* bad : {"-1s", "1e3", "5 sec", "x", "1..5s", "25h", "\"\""}) {
    Config c = ParseOneError(std::string("shutdown: {kill_wait: ") + bad + "}",
                             "'shutdown.kill_wait' must be a duration like 8s");
    EXPECT_EQ(c.kill_wait, milliseconds(3000)) << bad;
  }
}

TEST(ConfigTest, BadSignals) {
  for (const char* bad : {"SIGKILL", "STOP", "SIGCHLD", "SIGCLD", "SIGSEGV", "SIGABRT", "SIGFOO",
                          "0", "32", "33", "99", "RTMIN+40", "RTMAX+1", "SIG15"}) {
    Config c = ParseOneError(std::string("signals: {") + bad + ": halt}",
                             std::string("cannot map signal '") + bad + "'");
    EXPECT_EQ(c, DefaultConfig()) << bad;
  }
  for (const char* bad : {"stop", "runlevel", "runlevel 12", "runlevel x", "halt now", "\"\""}) {
    Config c = ParseOneError(std::string("signals: {SIGINT: ") + bad + "}", "unknown action '");
    EXPECT_EQ(c.signals[SIGINT], SignalRule{A::kCtrlAltDel}) << bad;
  }
  Config c = ParseOneError("signals:\n  SIGKILL: halt\n  SIGHUP: exit\n", "2:3: cannot map");
  EXPECT_EQ(c.signals[SIGHUP], SignalRule{A::kExit});
}

TEST(ConfigTest, FrontEndKeysAreHandedOverAsWritten) {
  std::vector<std::string> errors;
  Config c =
      Parse("units:\n  tag_output: false\n  skip: [a, b]\nopenrc: {levels: {3: x}}\n", &errors);
  EXPECT_THAT(errors, IsEmpty());
  const Setting& units = c.front_ends["units"];
  ASSERT_TRUE(units.is_map);
  ASSERT_THAT(units.map, SizeIs(2));
  EXPECT_EQ(units.map[0].first, "tag_output");
  EXPECT_EQ(units.map[0].second.scalar, "false");
  EXPECT_EQ(units.map[0].second.where, "/etc/ctinit.yaml:2:15");
  ASSERT_TRUE(units.map[1].second.is_list);
  EXPECT_EQ(units.map[1].second.list[1].scalar, "b");
  EXPECT_EQ(c.front_ends["openrc"].map[0].second.map[0].first, "3");
  // Without the front end claiming it, the key is unknown.
  errors.clear();
  ParseConfig("units: {}\n", "/etc/ctinit.yaml", &errors);
  EXPECT_THAT(errors, ElementsAre(HasSubstr("unknown key 'units'")));
}

TEST(ConfigTest, NullErrorsIsAllowed) {
  EXPECT_EQ(ParseConfig("[", "x", nullptr), DefaultConfig());
  EXPECT_EQ(ParseConfig("nope: 1", "x", nullptr), DefaultConfig());
  EXPECT_EQ(LoadConfig("/", nullptr), DefaultConfig());
}

TEST(ParseDurationTest, Forms) {
  EXPECT_EQ(ParseDuration("8s"), milliseconds(8000));
  EXPECT_EQ(ParseDuration("500ms"), milliseconds(500));
  EXPECT_EQ(ParseDuration("1.5s"), milliseconds(1500));
  EXPECT_EQ(ParseDuration("2"), milliseconds(2000));
  EXPECT_EQ(ParseDuration("0.25"), milliseconds(250));
  EXPECT_EQ(ParseDuration("1min"), milliseconds(60000));
  EXPECT_EQ(ParseDuration("2m"), milliseconds(120000));
  EXPECT_EQ(ParseDuration("1h"), milliseconds(3600000));
  EXPECT_EQ(ParseDuration("24h"), milliseconds(86400000));
  EXPECT_EQ(ParseDuration("0"), milliseconds(0));
  EXPECT_EQ(ParseDuration(".5s"), milliseconds(500));
  EXPECT_EQ(ParseDuration("3 s"), milliseconds(3000));
  EXPECT_EQ(ParseDuration("0.1s"), milliseconds(100));
  for (const char* bad : {"", "s", "-1", "-1s", "1e3", "1.2.3", ".", "8S", "8 secs", " 8s", "8s ",
                          "24.1h", "99999999999999999999999", "inf", "nan"}) {
    EXPECT_FALSE(ParseDuration(bad)) << bad;
  }
}

TEST(SignalNameTest, ParseForms) {
  EXPECT_EQ(ParseSignal("SIGTERM"), SIGTERM);
  EXPECT_EQ(ParseSignal("TERM"), SIGTERM);
  EXPECT_EQ(ParseSignal("term"), SIGTERM);
  EXPECT_EQ(ParseSignal("15"), SIGTERM);
  EXPECT_EQ(ParseSignal("SIGRTMIN+3"), SIGRTMIN + 3);
  EXPECT_EQ(ParseSignal("RTMIN+3"), SIGRTMIN + 3);
  EXPECT_EQ(ParseSignal("37"), 37);
  EXPECT_EQ(ParseSignal("SIGRTMIN"), SIGRTMIN);
  EXPECT_EQ(ParseSignal("SIGRTMAX"), SIGRTMAX);
  EXPECT_EQ(ParseSignal("SIGRTMAX-2"), SIGRTMAX - 2);
  EXPECT_EQ(ParseSignal("SIGIOT"), SIGABRT);
  EXPECT_EQ(ParseSignal("poll"), SIGIO);
  EXPECT_EQ(ParseSignal("SIGSEGV"), SIGSEGV);  // refused only in the config file
  EXPECT_EQ(ParseSignal(std::to_string(SIGRTMAX)), SIGRTMAX);
  for (const char* bad :
       {"",        "SIG",     "SIGKILL", "kill",     "9",      "SIGSTOP",  "19",  "SIGCHLD",
        "17",      "CLD",     "0",       "-1",       "32",     "33",       "65",  "SIG15",
        "RTMIN-1", "RTMAX+1", "RTMIN+",  "RTMIN+31", "RTMIN3", "SIGTERM ", "+15", "TERMINATE"}) {
    EXPECT_FALSE(ParseSignal(bad)) << bad;
  }
}

TEST(SignalNameTest, RoundTrips) {
  EXPECT_EQ(SignalName(SIGTERM), "SIGTERM");
  EXPECT_EQ(SignalName(SIGABRT), "SIGABRT");
  EXPECT_EQ(SignalName(SIGIO), "SIGIO");
  EXPECT_EQ(SignalName(SIGRTMIN), "SIGRTMIN");
  EXPECT_EQ(SignalName(SIGRTMIN + 3), "SIGRTMIN+3");
  EXPECT_EQ(SignalName(SIGRTMAX), "SIGRTMIN+" + std::to_string(SIGRTMAX - SIGRTMIN));
  EXPECT_EQ(SignalName(32), "32");
  EXPECT_EQ(SignalName(0), "0");
  for (int sig = 1; sig <= SIGRTMAX; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP || sig == SIGCHLD || (sig >= 32 && sig < SIGRTMIN)) {
      continue;
    }
    EXPECT_EQ(ParseSignal(SignalName(sig)), sig) << SignalName(sig);
    EXPECT_EQ(ParseSignal(std::to_string(sig)), sig);
  }
}

TEST(SignalRuleTest, RoundTrips) {
  for (SignalAction a : {A::kIgnore, A::kHalt, A::kPowerOff, A::kReboot, A::kCtrlAltDel, A::kReload,
                         A::kKbRequest, A::kReopenFifo, A::kCloseFifo, A::kPowerFail, A::kExit}) {
    EXPECT_EQ(ParseSignalRule(SignalRuleName({a})), SignalRule{a}) << SignalActionName(a);
  }
  for (char level : std::string_view("0123456789Sabc")) {
    SignalRule rule{A::kRunlevel, level};
    EXPECT_EQ(ParseSignalRule(SignalRuleName(rule)), rule) << level;
  }
  EXPECT_EQ(SignalRuleName({A::kRunlevel, '1'}), "runlevel 1");
  EXPECT_EQ(SignalActionName(A::kReopenFifo), "reopen-fifo");
  EXPECT_EQ(SignalActionName(A::kRunlevel), "runlevel");
  EXPECT_EQ(ParseSignalRule("  RUNLEVEL\tS "), (SignalRule{A::kRunlevel, 'S'}));
  EXPECT_EQ(ParseSignalRule("runlevel A"), (SignalRule{A::kRunlevel, 'a'}));
  EXPECT_EQ(ParseSignalRule("HALT"), SignalRule{A::kHalt});
}

class LoadConfigTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(temp_.path().empty());
    dir_ = temp_.path();
  }
  std::string Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ + "/" + name) << text;
    return dir_ + "/" + name;
  }
  testutil::TempDir temp_{"ctinit-config-test"};  // removed with the fixture
  std::string dir_;
  std::vector<std::string> errors_;
};

TEST_F(LoadConfigTest, MissingFileGivesDefaultsWithoutError) {
  EXPECT_EQ(LoadConfig(dir_ + "/nope.yaml", &errors_), DefaultConfig());
  EXPECT_THAT(errors_, IsEmpty());
}

TEST_F(LoadConfigTest, ReadsTheFile) {
  std::string path = Write("c.yaml", "log_level: debug\nbogus: 1\n");
  Config c = LoadConfig(path, &errors_, kFrontEndKeys);
  EXPECT_EQ(c.log_level, log::Level::kDebug);
  EXPECT_THAT(errors_, ElementsAre(path + ":2:1: unknown key 'bogus' (known: log_level, fifo, "
                                          "default_runlevel, shutdown, reboot, reboot_exit_code, "
                                          "signals, inittab, inittab_d, openrc, units)"));
}

TEST_F(LoadConfigTest, SyntaxErrorNamesFileAndLine) {
  std::string path = Write("c.yaml", "log_level: debug\nsignals: {TERM: halt\n");
  EXPECT_EQ(LoadConfig(path, &errors_), DefaultConfig());
  ASSERT_THAT(errors_, SizeIs(1));
  EXPECT_THAT(errors_[0], testing::StartsWith(path + ":3:1: "));
}

TEST_F(LoadConfigTest, NotARegularFile) {
  EXPECT_EQ(LoadConfig(dir_, &errors_), DefaultConfig());
  std::string fifo = dir_ + "/fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(LoadConfig(fifo, &errors_), DefaultConfig());  // must not block
  EXPECT_THAT(errors_, ElementsAre(dir_ + ": not a regular file; using defaults",
                                   fifo + ": not a regular file; using defaults"));
}

TEST_F(LoadConfigTest, TooLarge) {
  std::string path = Write("big.yaml", "# " + std::string(2 << 20, 'x') + "\n");
  EXPECT_EQ(LoadConfig(path, &errors_), DefaultConfig());
  EXPECT_THAT(errors_, ElementsAre(HasSubstr("larger than 1 MiB")));
}

TEST_F(LoadConfigTest, Unreadable) {
  std::string path = Write("c.yaml", "log_level: debug\n");
  chmod(path.c_str(), 0);
  auto check = [&] {
    std::vector<std::string> errors;
    return LoadConfig(path, &errors) == DefaultConfig() && errors.size() == 1 &&
           errors[0] == path + ": cannot open: Permission denied; using defaults";
  };
  if (geteuid() != 0) {
    EXPECT_TRUE(check());
    return;
  }
  // Root reads everything: check as an unprivileged user, in a child.
  pid_t pid = fork();
  if (pid == 0) {
    if (setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0) _exit(2);
    _exit(check() ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(ExampleConfigTest, ContribFileIsValidAndShowsTheDefaults) {
  std::vector<std::string> errors;
  Config c =
      LoadConfig(std::string(CTINIT_SOURCE_DIR) + "/contrib/ctinit.yaml", &errors, kFrontEndKeys);
  EXPECT_THAT(errors, IsEmpty());
  c.front_ends.clear();  // the front ends' own tests read their part of the file
  EXPECT_EQ(c, DefaultConfig());
}

}  // namespace
}  // namespace ctinit
