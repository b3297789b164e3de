#include "unit-compat/values.h"

#include <gtest/gtest.h>
#include <signal.h>

namespace ctinit::units {
namespace {

using Strings = std::vector<std::string>;
constexpr Usec kSec = kUsecPerSec;

TEST(TimeSpan, SystemdExamples) {
  EXPECT_EQ(ParseTimeSpan("1min 30s"), 90 * kSec);
  EXPECT_EQ(ParseTimeSpan("1min30s"), 90 * kSec);
  EXPECT_EQ(ParseTimeSpan("500ms"), 500000u);
  EXPECT_EQ(ParseTimeSpan("2h"), 7200 * kSec);
  EXPECT_EQ(ParseTimeSpan("5min"), 300 * kSec);
  EXPECT_EQ(ParseTimeSpan("5m"), 300 * kSec);
  EXPECT_EQ(ParseTimeSpan("90"), 90 * kSec);
  EXPECT_EQ(ParseTimeSpan("0"), 0u);
  EXPECT_EQ(ParseTimeSpan("  infinity  "), kUsecInfinity);
  EXPECT_EQ(ParseTimeSpan("10us"), 10u);
  EXPECT_EQ(ParseTimeSpan("10usec"), 10u);
  EXPECT_EQ(ParseTimeSpan("10μs"), 10u);
  EXPECT_EQ(ParseTimeSpan("3msec"), 3000u);
  EXPECT_EQ(ParseTimeSpan("2 sec"), 2 * kSec);
  EXPECT_EQ(ParseTimeSpan("1hr"), 3600 * kSec);
  EXPECT_EQ(ParseTimeSpan("1d"), 86400 * kSec);
  EXPECT_EQ(ParseTimeSpan("1w"), 7 * 86400 * kSec);
  EXPECT_EQ(ParseTimeSpan("1M"), 2629800 * kSec);
  EXPECT_EQ(ParseTimeSpan("1y"), 31557600 * kSec);
  EXPECT_EQ(ParseTimeSpan("1.5s"), 1500000u);
  EXPECT_EQ(ParseTimeSpan(".5s"), 500000u);
  EXPECT_EQ(ParseTimeSpan("1 2"), 3 * kSec);  // blanks separate bare numbers
  EXPECT_EQ(ParseTimeSpan("1h 2min 3s 4ms 5us"), 3723004005u);
  EXPECT_EQ(ParseTimeSpan("1.5", 1), 1u);  // fraction of the default unit (us) truncates
  EXPECT_EQ(ParseTimeSpan("50", kUsecPerMsec), 50000u);
}

TEST(TimeSpan, Errors) {
  for (const char* bad : {"", "  ", "-1", "-0", "5x", "1.2.3", "3.", "3.sec", "infinity 5",
                          "1min -5s", "99999999999999999999", "abc"}) {
    std::string err;
    EXPECT_FALSE(ParseTimeSpan(bad, kSec, &err)) << bad;
    EXPECT_FALSE(err.empty()) << bad;
  }
  EXPECT_FALSE(ParseTimeSpan("600000000y"));  // overflow
}

TEST(Boolean, AllSpellings) {
  for (const char* t : {"1", "yes", "y", "true", "t", "on", "YES", "True", "ON"})
    EXPECT_EQ(ParseBoolean(t), true) << t;
  for (const char* f : {"0", "no", "n", "false", "f", "off", "No", "FALSE", "Off"})
    EXPECT_EQ(ParseBoolean(f), false) << f;
  for (const char* b : {"", "2", "yess", " yes", "enable"}) EXPECT_FALSE(ParseBoolean(b)) << b;
}

TEST(Words, QuotingAndEscapes) {
  const unsigned f = kExtractUnquote | kExtractCunescape;
  EXPECT_EQ(SplitWords("a  b\tc", f), (Strings{"a", "b", "c"}));
  EXPECT_EQ(SplitWords("'a b' \"c d\"", f), (Strings{"a b", "c d"}));
  EXPECT_EQ(SplitWords("a\"b c\"d", f), (Strings{"ab cd"}));
  EXPECT_EQ(SplitWords("'a\\tb'", f), (Strings{"a\tb"}));  // escapes also in single quotes
  EXPECT_EQ(SplitWords("\\x41\\102\\u00e9\\s", f), (Strings{"AB\xc3\xa9 "}));
  EXPECT_EQ(SplitWords("\"\"", f), (Strings{""}));
  EXPECT_EQ(SplitWords("   ", f), (Strings{}));
  EXPECT_FALSE(SplitWords("'unterminated", f));
  EXPECT_FALSE(SplitWords("trailing\\", f));
  EXPECT_FALSE(SplitWords("\\q", f));
  EXPECT_FALSE(SplitWords("\\x00", f));
  EXPECT_EQ(SplitWords("'unterminated", f | kExtractRelax), (Strings{"unterminated"}));
  EXPECT_EQ(SplitWords("a\\qb", 0), (Strings{"aqb"}));
}

std::vector<ExecCommand> Exec(std::string_view v, bool* ok = nullptr, bool* fatal = nullptr) {
  std::vector<ExecCommand> out;
  std::string err;
  bool r = ParseExecLine(v, nullptr, &out, &err, fatal);
  if (ok) *ok = r;
  return out;
}

TEST(ExecLine, RealUnits) {
  auto c = Exec("/usr/sbin/nginx -g 'daemon on; master_process on;'");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].path, "/usr/sbin/nginx");
  EXPECT_EQ(c[0].argv, (Strings{"/usr/sbin/nginx", "-g", "daemon on; master_process on;"}));
  c = Exec("-/sbin/start-stop-daemon --quiet --stop --retry QUIT/5 --pidfile /run/nginx.pid");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_TRUE(c[0].ignore_failure);
  EXPECT_EQ(c[0].path, "/sbin/start-stop-daemon");
  EXPECT_EQ(c[0].argv.size(), 7u);
}

TEST(ExecLine, Prefixes) {
  auto c = Exec("@/bin/busybox sh -c true");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_TRUE(c[0].separate_argv0);
  EXPECT_EQ(c[0].path, "/bin/busybox");
  EXPECT_EQ(c[0].argv, (Strings{"sh", "-c", "true"}));
  c = Exec("-:+/bin/x");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_TRUE(c[0].ignore_failure && c[0].no_env_expand && c[0].full_privileges);
  c = Exec("!/bin/x");
  EXPECT_TRUE(c[0].no_setuid && !c[0].ambient_magic);
  c = Exec("!!/bin/x");
  EXPECT_TRUE(c[0].ambient_magic && !c[0].no_setuid);
  // '+' excludes '!': the '!' is then part of the path, which is not valid.
  bool ok = true;
  Exec("+!/bin/x", &ok);
  EXPECT_FALSE(ok);
  // A repeated prefix is part of the path.
  Exec("--/bin/x", &ok);
  EXPECT_FALSE(ok);
  c = Exec("true arg");  // a plain name is fine (searched in PATH)
  EXPECT_EQ(c[0].path, "true");
}

TEST(ExecLine, SemicolonsAndErrors) {
  auto c = Exec("/bin/a 1 ; /bin/b 2 \\; 3");
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].argv, (Strings{"/bin/a", "1"}));
  EXPECT_EQ(c[1].argv, (Strings{"/bin/b", "2", ";", "3"}));
  c = Exec("/bin/echo a;b");  // not a separator
  EXPECT_EQ(c[0].argv, (Strings{"/bin/echo", "a;b"}));
  bool ok = true, fatal = false;
  Exec("/bin/echo 'x", &ok, &fatal);
  EXPECT_FALSE(ok);
  EXPECT_TRUE(fatal);
  Exec("-/bin/echo 'x", &ok, &fatal);
  EXPECT_FALSE(ok);
  EXPECT_FALSE(fatal);  // '-' turns a bad line into an ignored one
  Exec("-", &ok);
  EXPECT_FALSE(ok);
  Exec("@/bin/x", &ok);  // no argv[0]
  EXPECT_FALSE(ok);
  Exec("/usr/bin/", &ok);
  EXPECT_FALSE(ok);
  Exec("bin/x", &ok);
  EXPECT_FALSE(ok);
}

TEST(ExecLine, SpecifierHook) {
  std::vector<ExecCommand> out;
  std::string err;
  ExpandFn expand = [](std::string_view s, std::string* e) -> std::optional<std::string> {
    if (s == "%z") {
      *e = "unknown";
      return std::nullopt;
    }
    std::string r(s);
    if (auto p = r.find("%i"); p != std::string::npos) r.replace(p, 2, "main");
    return r;
  };
  ASSERT_TRUE(ParseExecLine("/usr/bin/redis-server /etc/redis/redis-%i.conf", expand, &out, &err));
  EXPECT_EQ(out[0].argv[1], "/etc/redis/redis-main.conf");
  EXPECT_FALSE(ParseExecLine("/bin/x %z", expand, &out, &err));
}

TEST(EnvExpansion, DollarWordSplitsBracesDoNot) {
  EnvList env = {"OPTS=-a  -b 'c d'", "ONE=x y", "EMPTY="};
  EXPECT_EQ(ExpandExecArgv({"/bin/p", "$OPTS", "${ONE}", "--v=${ONE}", "$UNSET", "${UNSET}"}, env),
            (Strings{"/bin/p", "-a", "-b", "c d", "x y", "--v=x y", ""}));
  EXPECT_EQ(ExpandExecArgv({"a$ONE", "$$ONE", "${ONE:-z}", "$EMPTY"}, env),
            (Strings{"a$ONE", "$ONE", "${ONE:-z}"}));
}

TEST(Environment, QuotingResetAndInvalid) {
  EnvList env;
  Strings warnings;
  ParseEnvironment("\"A=1 2\" B=3", nullptr, &env, &warnings);
  EXPECT_EQ(env, (Strings{"A=1 2", "B=3"}));
  ParseEnvironment("B=4 'C=x\\ty' 1X=bad noequals", nullptr, &env, &warnings);
  EXPECT_EQ(env, (Strings{"A=1 2", "B=4", "C=x\ty"}));
  EXPECT_EQ(warnings.size(), 2u);
  ParseEnvironment("", nullptr, &env, &warnings);
  EXPECT_TRUE(env.empty());
  ParseEnvironment("A='unterminated", nullptr, &env, &warnings);
  EXPECT_TRUE(env.empty());
  EXPECT_EQ(warnings.size(), 3u);
}

TEST(EnvironmentFile, Value) {
  auto r = ParseEnvironmentFileValue("-/etc/default/cron", nullptr);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, (EnvFileRef{"/etc/default/cron", true}));
  r = ParseEnvironmentFileValue("/etc/default/ssh", nullptr);
  EXPECT_EQ(*r, (EnvFileRef{"/etc/default/ssh", false}));
  std::string err;
  EXPECT_FALSE(ParseEnvironmentFileValue("relative", &err));
  EXPECT_FALSE(ParseEnvironmentFileValue("-", &err));
}

TEST(EnvironmentFile, Syntax) {
  Strings warnings;
  auto env = ParseEnvFile(
      "# comment\n"
      "; also comment\n"
      "  A = 1  \n"
      "B='x  y' \n"
      "C=\"q\\\"\\$\\n\"\n"
      "D=a\\\n"
      "b\n"
      "E=\n"
      "export F=1\n"
      "noequals\n"
      "G=last",
      "/etc/default/x", &warnings);
  EXPECT_EQ(env, (Strings{"A=1", "B=x  y", "C=q\"$\\n", "D=ab", "E=", "G=last"}));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], "/etc/default/x:9: invalid variable name \"export F\", ignoring");
}

TEST(ExitStatus, ListsSignalsAndReset) {
  ExitStatusSet s;
  Strings w;
  ParseExitStatusSet("1 2 SIGKILL", &s, &w);
  EXPECT_EQ(s.status, (std::set<int>{1, 2}));
  EXPECT_EQ(s.signals, (std::set<int>{SIGKILL}));
  ParseExitStatusSet("TEMPFAIL 255 TERM 300 bogus", &s, &w);
  EXPECT_EQ(s.status, (std::set<int>{1, 2, 75, 255}));
  EXPECT_EQ(s.signals, (std::set<int>{SIGKILL, SIGTERM}));
  EXPECT_EQ(w.size(), 2u);
  ParseExitStatusSet("", &s, &w);
  EXPECT_EQ(s, ExitStatusSet{});
}

TEST(Signals, NamesNumbersRealtime) {
  EXPECT_EQ(ParseSignal("SIGTERM"), SIGTERM);
  EXPECT_EQ(ParseSignal("TERM"), SIGTERM);
  EXPECT_EQ(ParseSignal("9"), SIGKILL);
  EXPECT_EQ(ParseSignal("SIGRTMIN+3"), SIGRTMIN + 3);
  EXPECT_EQ(ParseSignal("RTMAX-1"), SIGRTMAX - 1);
  EXPECT_EQ(ParseSignal("SIGRTMIN"), SIGRTMIN);
  for (const char* b : {"", "0", "65", "SIGFOO", "sigterm", "RTMIN+99", "RTMIN3", "SIG"})
    EXPECT_FALSE(ParseSignal(b)) << b;
  EXPECT_EQ(SignalName(SIGTERM), "SIGTERM");
  EXPECT_EQ(SignalName(SIGRTMIN + 4), "SIGRTMIN+4");
}

TEST(Enums, RestartKillModeType) {
  EXPECT_EQ(ParseRestart("on-failure"), Restart::kOnFailure);
  EXPECT_EQ(ParseRestart("on-abnormal"), Restart::kOnAbnormal);
  EXPECT_EQ(ParseRestart("always"), Restart::kAlways);
  EXPECT_FALSE(ParseRestart("sometimes"));
  EXPECT_FALSE(ParseRestart("Always"));
  EXPECT_EQ(ParseKillMode("mixed"), KillMode::kMixed);
  EXPECT_EQ(ParseKillMode("control-group"), KillMode::kControlGroup);
  EXPECT_FALSE(ParseKillMode("group"));
  EXPECT_EQ(ParseServiceType("notify"), ServiceType::kNotify);
  EXPECT_EQ(ParseServiceType("forking"), ServiceType::kForking);
  EXPECT_EQ(ParseServiceType("notify-reload"), ServiceType::kNotifyReload);
  EXPECT_FALSE(ParseServiceType("daemon"));
  EXPECT_EQ(ParseNotifyAccess("all"), ServiceSpec::NotifyAccess::kAll);
  EXPECT_EQ(ParseNotifyAccess("none"), ServiceSpec::NotifyAccess::kNone);
  EXPECT_FALSE(ParseNotifyAccess("everyone"));
}

TEST(FileMode, OctalUpTo07777) {
  EXPECT_EQ(ParseFileMode("0755"), mode_t(0755));
  EXPECT_EQ(ParseFileMode("02755"), mode_t(02755));
  EXPECT_EQ(ParseFileMode("7"), mode_t(07));
  for (const char* bad : {"", "0x1ff", "0855", "017777", "-1", "755 "})
    EXPECT_FALSE(ParseFileMode(bad)) << bad;
}

TEST(Output, Kinds) {
  EXPECT_EQ(ParseOutput("null"), (OutputSpec{OutputSpec::kNull, ""}));
  EXPECT_EQ(ParseOutput("inherit"), (OutputSpec{OutputSpec::kInherit, ""}));
  EXPECT_EQ(ParseOutput("journal"), (OutputSpec{OutputSpec::kJournal, ""}));
  EXPECT_EQ(ParseOutput("kmsg"), (OutputSpec{OutputSpec::kKmsg, ""}));
  EXPECT_EQ(ParseOutput("journal+console"), (OutputSpec{OutputSpec::kJournalConsole, ""}));
  EXPECT_EQ(ParseOutput("file:/var/log/x.log"), (OutputSpec{OutputSpec::kFile, "/var/log/x.log"}));
  EXPECT_EQ(ParseOutput("append:/a"), (OutputSpec{OutputSpec::kAppend, "/a"}));
  EXPECT_EQ(ParseOutput("truncate:/a"), (OutputSpec{OutputSpec::kTruncate, "/a"}));
  EXPECT_EQ(ParseOutput("fd:log"), (OutputSpec{OutputSpec::kFd, "log"}));
  std::string err;
  EXPECT_FALSE(ParseOutput("file:relative", &err));
  EXPECT_FALSE(ParseOutput("file:", &err));
  EXPECT_FALSE(ParseOutput("console", &err));
}

TEST(Rlimit, NofileAndOthers) {
  EXPECT_EQ(ParseRlimit("NOFILE", "65535"), (Rlimit{65535, 65535}));
  EXPECT_EQ(ParseRlimit("NOFILE", "1024:524288"), (Rlimit{1024, 524288}));
  EXPECT_EQ(ParseRlimit("NOFILE", "infinity"), (Rlimit{kRlimInfinity, kRlimInfinity}));
  EXPECT_EQ(ParseRlimit("NOFILE", "1024:infinity"), (Rlimit{1024, kRlimInfinity}));
  std::string err;
  for (const char* b : {"", "-1", "10:5", "1:2:3", "1K", "abc", ":5", "5:"})
    EXPECT_FALSE(ParseRlimit("NOFILE", b, &err)) << b;
  EXPECT_EQ(ParseRlimit("CORE", "1G"), (Rlimit{1ULL << 30, 1ULL << 30}));
  EXPECT_EQ(ParseRlimit("MEMLOCK", "64K:infinity"), (Rlimit{65536, kRlimInfinity}));
  EXPECT_EQ(ParseRlimit("CPU", "1min"), (Rlimit{60, 60}));
  EXPECT_EQ(ParseRlimit("CPU", "1500ms"), (Rlimit{2, 2}));
  EXPECT_EQ(ParseRlimit("RTTIME", "1s"), (Rlimit{1000000, 1000000}));
  EXPECT_EQ(ParseRlimit("NICE", "-5"), (Rlimit{25, 25}));
  EXPECT_EQ(ParseRlimit("NICE", "30"), (Rlimit{30, 30}));
  EXPECT_FALSE(ParseRlimit("NICE", "41", &err));
  EXPECT_FALSE(ParseRlimit("BOGUS", "1", &err));
  EXPECT_EQ(ParseSize("1G 512M"), (1ULL << 30) + (512ULL << 20));
  EXPECT_EQ(ParseSize("1.5K"), 1536u);
}

}  // namespace
}  // namespace ctinit::units
