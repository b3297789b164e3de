#include "openrc-shim/applets/start_stop_daemon_args.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

namespace ctinit::openrc {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using Strings = std::vector<std::string>;

StartStopDaemonOptions Parse(const Strings& args) {
  StartStopDaemonOptions o;
  std::string err;
  EXPECT_TRUE(ParseStartStopDaemonArgs(args, &o, &err)) << err;
  return o;
}

std::string ParseError(const Strings& args) {
  StartStopDaemonOptions o;
  std::string err;
  EXPECT_FALSE(ParseStartStopDaemonArgs(args, &o, &err));
  return err;
}

TEST(StartStopDaemonArgs, StartAsOpenrcRunShBuildsIt) {
  auto o = Parse({"--start", "--exec", "/usr/bin/testd", "--pidfile", "/run/t.pid", "--background",
                  "--make-pidfile", "--user", "www:www", "--chdir=/srv", "-k", "027", "--stdout",
                  "/var/log/t.log", "--", "-f", "--", "x"});
  EXPECT_TRUE(o.start);
  EXPECT_FALSE(o.stop);
  EXPECT_EQ(o.exec, "/usr/bin/testd");
  EXPECT_EQ(o.pidfile, "/run/t.pid");
  EXPECT_TRUE(o.background);
  EXPECT_TRUE(o.make_pidfile);
  EXPECT_EQ(o.user, "www:www");
  EXPECT_EQ(o.chdir, "/srv");
  EXPECT_EQ(o.umask, 027u);
  EXPECT_EQ(o.stdout_path, "/var/log/t.log");
  EXPECT_THAT(o.args, ElementsAre("-f", "--", "x"));
}

TEST(StartStopDaemonArgs, ShortOptionsBundledAndAttached) {
  auto o = Parse({"-Sbm", "-p/run/x.pid", "-x", "/bin/x", "-w", "1000", "-N", "5", "-e", "A=1"});
  EXPECT_TRUE(o.start && o.background && o.make_pidfile);
  EXPECT_EQ(o.pidfile, "/run/x.pid");
  EXPECT_EQ(o.wait_ms, 1000u);
  EXPECT_EQ(o.nice, 5);
  EXPECT_THAT(o.env, ElementsAre("A=1"));
}

TEST(StartStopDaemonArgs, StopWithRetryAndSignal) {
  auto o = Parse({"--stop", "--retry", "TERM/60/KILL/5", "--pidfile", "/run/x.pid", "-s", "INT"});
  EXPECT_TRUE(o.stop);
  EXPECT_EQ(o.retry, "TERM/60/KILL/5");
  EXPECT_EQ(o.signal, SIGINT);
}

TEST(StartStopDaemonArgs, SignalAloneIsAllowed) {
  auto o = Parse({"--signal", "HUP", "--pidfile", "/run/x.pid"});
  EXPECT_FALSE(o.stop);
  EXPECT_EQ(o.signal, SIGHUP);
}

TEST(StartStopDaemonArgs, PositionalWordsBeforeDashDashAreArguments) {
  auto o = Parse({"-S", "/bin/daemon", "-q", "arg"});
  EXPECT_TRUE(o.quiet);
  EXPECT_THAT(o.args, ElementsAre("/bin/daemon", "arg"));
}

TEST(StartStopDaemonArgs, DeprecatedOptionsWarn) {
  auto o = Parse({"-K", "-o", "-c", "nobody", "-x", "/bin/x"});
  EXPECT_TRUE(o.oknodo);
  EXPECT_EQ(o.user, "nobody");
  ASSERT_EQ(o.warnings.size(), 2u);
  EXPECT_EQ(o.warnings[0], "WARNING: -o/--oknodo is deprecated and will be removed in the future");
}

TEST(StartStopDaemonArgs, FlagsValuesAndHelp) {
  auto o = Parse({"--start", "--nocolor", "--exec=/bin/x", "-c", "www", "-e", "A", "--env=B=2"});
  EXPECT_EQ(o.user, "www");  // -c is --user, with a warning
  EXPECT_THAT(o.warnings, ElementsAre(::testing::HasSubstr("-c/--chuid is deprecated")));
  EXPECT_THAT(o.env, ElementsAre("A", "B=2"));
  EXPECT_EQ(ParseError({"--quiet=yes", "--start", "-x", "/a"}),
            "start-stop-daemon: option '--quiet' doesn't allow an argument");
  EXPECT_EQ(ParseError({"--start", "--exec"}),
            "start-stop-daemon: option '--exec' requires an argument");
  EXPECT_EQ(ParseError({"-S", "-x", "/a", "-k", "999"}), "start-stop-daemon: invalid mode `999'");
  EXPECT_EQ(ParseError({"-S", "-x", "/a", "-N", "x"}), "start-stop-daemon: invalid nice level `x'");
  EXPECT_EQ(ParseError({"-Z"}), "start-stop-daemon: invalid option -- 'Z'");
  EXPECT_THAT(ParseError({"-h"}), ::testing::StartsWith("Usage: start-stop-daemon"));
}

TEST(StartStopDaemonArgs, OpenrcErrors) {
  EXPECT_EQ(ParseError({"--stop"}),
            "start-stop-daemon: --stop needs --exec, --pidfile, --name or --user");
  EXPECT_EQ(ParseError({"--stop", "-x", "/a", "-b"}),
            "start-stop-daemon: --background is only relevant with --start");
  EXPECT_EQ(ParseError({"--start", "-x", "/a", "-m"}),
            "start-stop-daemon: --make-pidfile is only relevant with --pidfile");
  EXPECT_EQ(ParseError({"--start"}), "start-stop-daemon: nothing to start");
  EXPECT_EQ(ParseError({"--start", "-x", "/a", "--stdout", "/l"}),
            "start-stop-daemon: --stdout and --stderr are only relevant with --background");
  EXPECT_EQ(ParseError({"--stop", "-x", "/a", "-R", "TERM/x"}),
            "start-stop-daemon: invalid schedule item `x'");
  EXPECT_EQ(ParseError({"--stop", "-x", "/a", "-s", "BOGUS"}),
            "start-stop-daemon: `BOGUS' is not a valid signal");
  EXPECT_EQ(ParseError({"--start", "-x", "/a", "-w", "soon"}),
            "start-stop-daemon: `soon' not a number");
  EXPECT_EQ(ParseError({"--bogus"}), "start-stop-daemon: unrecognized option '--bogus'");
  EXPECT_EQ(ParseError({"-S", "-x"}), "start-stop-daemon: option requires an argument -- 'x'");
  EXPECT_EQ(ParseError({"-x", "/a"}), "start-stop-daemon: need one of --start, --stop or --signal");
}

}  // namespace
}  // namespace ctinit::openrc

namespace ctinit::openrc {
namespace {

TEST(StartStopDaemonArgs, InputFileLoggersAndNoNewPrivs) {
  auto o = Parse({"--start", "--exec", "/bin/d", "--stdin", "/etc/in", "--stdout-logger",
                  "logger -t d", "-4", "logger -t d -p err", "--no-new-privs"});
  EXPECT_EQ(o.stdin_path, "/etc/in");
  EXPECT_EQ(o.stdout_logger, "logger -t d");
  EXPECT_EQ(o.stderr_logger, "logger -t d -p err");
  EXPECT_TRUE(o.no_new_privs);
}

TEST(StartStopDaemonArgs, CapabilitiesSecbitsAndNotifyAreTaken) {
  auto o = Parse({"--start", "--exec", "/bin/d", "--capabilities",
                  "^cap_net_bind_service,!cap_sys_admin", "--secbits", "0x2f", "--notify", "fd:3",
                  "--", "arg"});
  EXPECT_THAT(o.args, ElementsAre("arg"));
  EXPECT_THAT(o.warnings, IsEmpty());
  ASSERT_TRUE(o.capabilities.has_value());
  EXPECT_EQ(o.capabilities->ambient, uint64_t{1} << 10);
  EXPECT_EQ(o.capabilities->drop_bounding, uint64_t{1} << 21);
  EXPECT_EQ(o.secbits, 0x2fu);
  EXPECT_EQ(o.notify, StartStopDaemonOptions::Notify::kFd);
  EXPECT_EQ(o.notify_fd, 3);
  EXPECT_EQ(Parse({"-S", "-x", "/bin/d", "--ready", "socket:ready"}).notify,
            StartStopDaemonOptions::Notify::kSocket);
  // OpenRC: `socket` without `:ready` is no notification at all.
  EXPECT_EQ(Parse({"-S", "-x", "/bin/d", "--notify", "socket"}).notify,
            StartStopDaemonOptions::Notify::kNone);
}

TEST(StartStopDaemonArgs, BadCapabilitiesSecbitsOrNotifyAreRefused) {
  EXPECT_EQ(ParseError({"-S", "-x", "/bin/d", "--capabilities", "^cap_bogus"}),
            "start-stop-daemon: Could not parse iab: unknown capability `cap_bogus'");
  EXPECT_EQ(ParseError({"-S", "-x", "/bin/d", "--secbits", ""}),
            "start-stop-daemon: Secbits are empty");
  EXPECT_EQ(ParseError({"-S", "-x", "/bin/d", "--secbits", "12z"}),
            "start-stop-daemon: Could not parse secbits: invalid char z");
  EXPECT_EQ(ParseError({"-S", "-x", "/bin/d", "--notify", "pipe"}),
            "start-stop-daemon: invalid ready `pipe'");
  EXPECT_EQ(ParseError({"-S", "-x", "/bin/d", "--notify", "fd:"}),
            "start-stop-daemon: invalid ready `fd:'");
}

}  // namespace
}  // namespace ctinit::openrc
