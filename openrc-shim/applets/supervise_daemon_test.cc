#include "openrc-shim/applets/supervise_daemon.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "openrc-shim/applets/service_state.h"
#include "tests/unit/temp_dir.h"

namespace ctinit::openrc {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using Strings = std::vector<std::string>;

class SuperviseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    root_ = dir_.path();
    std::filesystem::create_directories(root_ + "/etc");
    std::ofstream(root_ + "/etc/passwd") << "root:x:0:0:root:/root:/bin/sh\n"
                                            "www:x:33:33:www:/var/www:/bin/false\n";
    std::ofstream(root_ + "/etc/group") << "root:x:0:\nwww:x:33:\nlog:x:40:www\n";
  }

  Strings Build(const Strings& args, const Strings& env, int* timeout = nullptr) {
    Strings words;
    int t = 0;
    std::string err;
    EXPECT_TRUE(BuildSuperviseRequest(args, env, root_, &words, &t, &err)) << err;
    if (timeout) *timeout = t;
    return words;
  }
  std::string Error(const Strings& args) {
    Strings words;
    int t = 0;
    std::string err;
    EXPECT_FALSE(BuildSuperviseRequest(args, {}, root_, &words, &t, &err));
    return err;
  }
  testutil::TempDir dir_{"ctinit-supervise"};  // removed with the fixture
  std::string root_;
};

TEST_F(SuperviseTest, StartMessageHasEveryField) {
  Strings env = {"PATH=/lib/rc/bin:/bin:/usr/bin",
                 "RC_SVCNAME=web",
                 "RC_SERVICE=/etc/init.d/web",
                 "RC_RUNLEVEL=default",
                 "EINFO_LOG=web",
                 "FOO=bar",
                 "HOME=/root"};
  auto w = Build({"web",
                  "--start",
                  "--chdir",
                  "/srv",
                  "--user",
                  "www:log",
                  "--umask",
                  "027",
                  "--stdout",
                  "/var/log/o",
                  "--stderr",
                  "/var/log/e",
                  "--pidfile",
                  "/run/web.pid",
                  "--respawn-delay",
                  "2",
                  "--respawn-max",
                  "3",
                  "--respawn-period",
                  "60",
                  "--retry",
                  "INT/20/KILL/5",
                  "-e",
                  "FOO=baz",
                  "/bin/sh",
                  "--",
                  "-c",
                  "exec x"},
                 env);
  EXPECT_THAT(
      w, ElementsAre("supervise", "web", "arg=/bin/sh", "arg=-c", "arg=exec x", "uid=33", "gid=40",
                     "groups=40", "home=/var/www", "user=www", "env=PATH=/bin:/usr/bin",
                     "env=RC_SVCNAME=web", "env=RC_SERVICE=/etc/init.d/web", "env=FOO=baz",
                     "env=HOME=/var/www", "env=USER=www", "dir=/srv", "umask=027",
                     "stdout=/var/log/o", "stderr=/var/log/e", "pidfile=/run/web.pid",
                     "respawn_delay_ms=2000", "respawn_max=4", "respawn_period_ms=60000",
                     "stop_signal=2", "stop_timeout_ms=25000", "origin=/etc/init.d/web"));
}

TEST_F(SuperviseTest, DefaultsAndPathLookup) {
  auto w = Build({"d", "--start", "sh"}, {"PATH=/bin"});
  EXPECT_THAT(w, Contains("arg=/bin/sh"));
  EXPECT_THAT(w, Contains("respawn_delay_ms=0"));
  EXPECT_THAT(w, Contains("respawn_max=11"));  // OpenRC's 10 respawns = 11 starts
  EXPECT_THAT(w, Contains("respawn_period_ms=12000"));
  EXPECT_THAT(w, Contains("stop_signal=15"));
  EXPECT_THAT(w, Contains("stop_timeout_ms=5000"));
  EXPECT_THAT(w, Contains("origin=supervise-daemon"));
  EXPECT_THAT(w, Not(Contains(::testing::StartsWith("uid="))));
}

TEST_F(SuperviseTest, RespawnMaxCountsRespawnsNotStarts) {
  EXPECT_THAT(Build({"d", "--start", "--respawn-max", "2", "/bin/sh"}, {}),
              Contains("respawn_max=3"));
  EXPECT_THAT(Build({"d", "--start", "--respawn-max", "0", "/bin/sh"}, {}),
              Contains("respawn_max=0"));
}

TEST_F(SuperviseTest, InlineValuesAndIgnoredOptions) {
  auto w = Build({"d", "--start", "--chdir=/srv", "--nicelevel", "5", "-r", "/x", "--notify=fd:3",
                  "-q", "--stop-group", "/bin/sh", "--", "-v"},
                 {});
  EXPECT_THAT(w, Contains("dir=/srv"));
  EXPECT_THAT(w, Contains("arg=/bin/sh"));
  EXPECT_THAT(w, Contains("arg=-v"));  // after `--`: the daemon's
  EXPECT_THAT(w, Not(Contains("arg=5")));
  EXPECT_THAT(w, Not(Contains("arg=/x")));
  EXPECT_EQ(Error({"d", "--start", "--nicelevel"}),
            "supervise-daemon: option --nicelevel requires an argument");
  EXPECT_EQ(Error({"d", "--start", "--umask=9", "/bin/sh"}), "supervise-daemon: invalid mode `9'");
  EXPECT_EQ(Error({"d", "--start", "--bogus=1", "/bin/sh"}),
            "supervise-daemon: unrecognized option '--bogus'");
}

TEST_F(SuperviseTest, StopAndStatus) {
  int t = 0;
  EXPECT_THAT(Build({"web", "--stop", "--pidfile", "/run/x"}, {}, &t),
              ElementsAre("unsupervise", "web"));
  EXPECT_GE(t, 60000);
  EXPECT_THAT(Build({"web", "--status"}, {}), ElementsAre("status", "web"));
}

TEST_F(SuperviseTest, Errors) {
  EXPECT_EQ(Error({"--start", "/bin/sh"}),
            "supervise-daemon: the first argument must be the service name");
  EXPECT_EQ(Error({"web", "/bin/sh"}), "supervise-daemon: need one of --start, --stop or --status");
  EXPECT_EQ(Error({"web", "--start"}), "supervise-daemon: nothing to start");
  EXPECT_EQ(Error({"web", "--start", "/nonexistent/x"}),
            "supervise-daemon: /nonexistent/x does not exist");
  EXPECT_EQ(Error({"web", "--start", "-u", "nobody", "/bin/sh"}),
            "supervise-daemon: unknown user \"nobody\"");
  EXPECT_EQ(Error({"web", "--start", "--retry", "TERM/x", "/bin/sh"}),
            "supervise-daemon: invalid schedule item `x'");
  EXPECT_EQ(Error({"web", "--start", "--respawn-max", "many", "/bin/sh"}),
            "supervise-daemon: `many' is not a valid number for --respawn-max");
  // 99999999999999999 * 1000 ms overflowed a long (UBSan, found by tests/fuzz/fuzz_supervise).
  EXPECT_EQ(Error({"web", "--start", "--respawn-delay", "99999999999999999", "/bin/sh"}),
            "supervise-daemon: `99999999999999999' is not a valid number for --respawn-delay");
  EXPECT_EQ(Error({"web", "--signal", "NOSUCH"}),
            "supervise-daemon: `NOSUCH' is not a valid signal");
}

TEST_F(SuperviseTest, StdinIsPassedOn) {
  EXPECT_THAT(Build({"web", "--start", "--stdin", "/etc/web.in", "/bin/sh"}, {}),
              Contains("stdin=/etc/web.in"));
  EXPECT_THAT(Build({"web", "--start", "/bin/sh"}, {}), Not(Contains(HasSubstr("stdin="))));
}

TEST_F(SuperviseTest, CapabilitiesBecomeAmbientAndBoundingMasks) {
  auto w = Build({"web", "--start", "--capabilities", "^cap_net_bind_service,!cap_sys_admin",
                  "--no-new-privs", "--secbits", "0", "/bin/sh"},
                 {});
  EXPECT_THAT(w, Contains("ambient_capabilities=0x400"));
  EXPECT_THAT(w, Contains("capability_bounding_set=0xffffffffffdfffff"));
  EXPECT_THAT(w, Contains("no_new_privs=yes"));
  SuperviseExtras extras;
  Strings words;
  int t = 0;
  std::string err;
  ASSERT_TRUE(BuildSuperviseRequest({"web", "--start", "--capabilities=^cap_chown", "/bin/sh"}, {},
                                    root_, &words, &t, &err, &extras));
  ASSERT_TRUE(extras.capabilities.has_value());
  EXPECT_EQ(extras.capabilities->ambient, 1u);
  EXPECT_THAT(words, Not(Contains(HasSubstr("capability_bounding_set="))));
}

TEST_F(SuperviseTest, LoggersRunTheCommandThroughRunWithLoggers) {
  auto w = Build({"web", "--start", "--stdout-logger", "logger -t web", "--stderr-logger",
                  "cat >>/var/log/web.err", "/bin/sh", "--", "-c", "x"},
                 {});
  ASSERT_GE(w.size(), 11u);
  EXPECT_THAT(Strings(w.begin() + 3, w.begin() + 11),
              ElementsAre("arg=run-with-loggers", "arg=--stdout-logger", "arg=logger -t web",
                          "arg=--stderr-logger", "arg=cat >>/var/log/web.err", "arg=--",
                          "arg=/bin/sh", "arg=-c"));
  EXPECT_EQ(w[2].rfind("arg=/", 0), 0u);  // the ctinit binary, by its absolute path
  // A file for the stream wins over its logger.
  auto f = Build({"web", "--start", "--stdout", "/var/log/o", "--stdout-logger", "logger",
                  "--stderr-logger", "logger -p err", "/bin/sh"},
                 {});
  EXPECT_THAT(f, Not(Contains("arg=--stdout-logger")));
  EXPECT_THAT(f, Contains("arg=--stderr-logger"));
  EXPECT_THAT(Build({"web", "--start", "/bin/sh"}, {}), Not(Contains("arg=run-with-loggers")));
}

TEST_F(SuperviseTest, WhatTheSupervisorCannotApplyIsRefused) {
  EXPECT_EQ(Error({"web", "--start", "--capabilities", "cap_chown,^cap_kill", "/bin/sh"}),
            "supervise-daemon: --capabilities: CAP_CHOWN only inheritable: ctinit's supervisor "
            "sets ambient (^) and bounding (!) capabilities, not the inheritable set alone");
  EXPECT_EQ(Error({"web", "--start", "--capabilities", "^cap_nope", "/bin/sh"}),
            "supervise-daemon: Could not parse iab: unknown capability `cap_nope'");
  EXPECT_EQ(Error({"web", "--start", "--secbits", "0x2f", "/bin/sh"}),
            "supervise-daemon: --secbits 0x2f: ctinit's supervisor cannot set securebits");
}

TEST_F(SuperviseTest, SignalAsksForTheDaemonsPid) {
  SuperviseExtras extras;
  Strings words;
  int t = 0;
  std::string err;
  ASSERT_TRUE(
      BuildSuperviseRequest({"web", "--signal", "HUP"}, {}, root_, &words, &t, &err, &extras));
  EXPECT_EQ(words, (Strings{"status", "web"}));
  EXPECT_EQ(extras.signal, SIGHUP);
}

TEST_F(SuperviseTest, HealthcheckOptionsFillThePlan) {
  SuperviseExtras extras;
  Strings words;
  int t = 0;
  std::string err;
  ASSERT_TRUE(BuildSuperviseRequest(
      {"web", "--start", "--healthcheck-delay", "3", "-a", "7", "--retry", "INT/9", "/bin/sh"},
      {"RC_SERVICE=/etc/init.d/web"}, root_, &words, &t, &err, &extras))
      << err;
  EXPECT_EQ(extras.health.svc, "web");
  EXPECT_EQ(extras.health.script, "/etc/init.d/web");
  EXPECT_EQ(extras.health.delay.count(), 3);
  EXPECT_EQ(extras.health.timer.count(), 7);
  EXPECT_EQ(extras.health.stop_signal, SIGINT);
  EXPECT_EQ(extras.health.stop_timeout.count(), 9);
  EXPECT_EQ(Error({"web", "--start", "--healthcheck-timer", "0", "/bin/sh"}),
            "supervise-daemon: invalid health check timer 0");
  EXPECT_EQ(Error({"web", "--start", "-A", "x", "/bin/sh"}),
            "supervise-daemon: invalid health check delay x");
}

// A one-shot fake ctinit: accepts one connection, records the request, sends `reply`.
class FakeServer {
 public:
  FakeServer(const std::string& path, std::string reply) : path_(path) {
    fd_ = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    strncpy(a.sun_path, path.c_str(), sizeof(a.sun_path) - 1);
    unlink(path.c_str());
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
    EXPECT_EQ(listen(fd_, 1), 0);
    thread_ = std::thread([this, reply] {
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      char buf[65536];
      for (;;) {
        ssize_t n = read(c, buf, sizeof(buf));
        if (n <= 0) break;
        request_.append(buf, static_cast<size_t>(n));
        std::vector<std::string> words;
        if (control::Decode(request_, &words)) break;
      }
      ssize_t w = write(c, reply.data(), reply.size());
      (void)w;
      close(c);
    });
  }
  ~FakeServer() {
    if (thread_.joinable()) thread_.join();
    close(fd_);
    unlink(path_.c_str());
  }
  Strings Request() {
    if (thread_.joinable()) thread_.join();
    Strings words;
    EXPECT_TRUE(control::Decode(request_, &words)) << "incomplete request";
    return words;
  }

 private:
  std::string path_;
  int fd_ = -1;
  std::thread thread_;
  std::string request_;
};

TEST_F(SuperviseTest, ClientSendsTheRequestAndExitsWithTheReplyCode) {
  std::string sock = root_ + "/control";
  {
    FakeServer server(sock, "0\nspawned\n");
    EXPECT_EQ(
        SuperviseDaemonMain({"web", "--start", "/bin/sh", "--", "-c", "sleep 1"}, root_, sock), 0);
    Strings req = server.Request();
    ASSERT_GE(req.size(), 5u);
    EXPECT_THAT(Strings(req.begin(), req.begin() + 5),
                ElementsAre("supervise", "web", "arg=/bin/sh", "arg=-c", "arg=sleep 1"));
  }
  {
    FakeServer server(sock, "3\nstopped\n");
    EXPECT_EQ(SuperviseDaemonMain({"web", "--status"}, root_, sock), 3);
    EXPECT_THAT(server.Request(), ElementsAre("status", "web"));
  }
  {
    FakeServer server(sock, "1\nnot supervised\n");
    EXPECT_EQ(SuperviseDaemonMain({"web", "--stop"}, root_, sock), 0);
    EXPECT_THAT(server.Request(), ElementsAre("unsupervise", "web"));
  }
  {
    FakeServer server(sock, "1\nweb: not running\n");  // pid1.cc's reply for an unknown name
    EXPECT_EQ(SuperviseDaemonMain({"web", "--stop"}, root_, sock), 0);
  }
  {
    FakeServer server(sock, "1\nalready running\n");
    EXPECT_EQ(SuperviseDaemonMain({"web", "--start", "/bin/sh"}, root_, sock), 1);
  }
}

// A fake ctinit for a sequence of requests: one connection per reply, in order.
class SequenceServer {
 public:
  SequenceServer(const std::string& path, Strings replies) : path_(path) {
    fd_ = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    strncpy(a.sun_path, path.c_str(), sizeof(a.sun_path) - 1);
    unlink(path.c_str());
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
    EXPECT_EQ(listen(fd_, 8), 0);
    thread_ = std::thread([this, replies] {
      for (const auto& reply : replies) {
        int c = accept(fd_, nullptr, nullptr);
        if (c < 0) return;
        std::string request;
        char buf[65536];
        Strings words;
        for (;;) {
          ssize_t n = read(c, buf, sizeof(buf));
          if (n <= 0) break;
          request.append(buf, static_cast<size_t>(n));
          if (control::Decode(request, &words)) break;
        }
        verbs_.push_back(words.empty() ? "" : words[0]);
        (void)!write(c, reply.data(), reply.size());
        close(c);
      }
    });
  }
  ~SequenceServer() {
    if (thread_.joinable()) thread_.join();
    close(fd_);
    unlink(path_.c_str());
  }
  Strings Verbs() {
    if (thread_.joinable()) thread_.join();
    return verbs_;
  }

 private:
  std::string path_;
  int fd_ = -1;
  std::thread thread_;
  Strings verbs_;
};

TEST_F(SuperviseTest, NotifySocketWaitsUntilTheDaemonIsRunning) {
  EXPECT_THAT(Build({"web", "--start", "--notify", "socket:ready", "/bin/sh"}, {}),
              Contains("readiness=notify"));
  EXPECT_THAT(Build({"web", "--start", "--notify", "socket", "/bin/sh"}, {}),
              Not(Contains("readiness=notify")));
  EXPECT_EQ(Error({"web", "--start", "--notify", "later", "/bin/sh"}),
            "supervise-daemon: invalid ready `later'");
  std::string sock = root_ + "/control";
  {
    SequenceServer server(sock, {"0\nstarted 42\n", "0\nstarting\n", "3\nstopped\n",
                                 "0\nrunning 43\nname=supervise:web\n"});
    EXPECT_EQ(
        SuperviseDaemonMain({"web", "--start", "--notify=socket:ready", "/bin/sh"}, root_, sock),
        0);
    EXPECT_THAT(server.Verbs(), ElementsAre("supervise", "status", "status", "status"));
  }
  {
    // Given up before READY=1: the start fails and nothing stays supervised.
    SequenceServer server(sock, {"0\nstarted 42\n", "0\nstarting\n", "3\nfailed\n", "0\n"});
    EXPECT_EQ(
        SuperviseDaemonMain({"web", "--start", "--notify=socket:ready", "/bin/sh"}, root_, sock),
        1);
    EXPECT_THAT(server.Verbs(), ElementsAre("supervise", "status", "status", "unsupervise"));
  }
}

TEST_F(SuperviseTest, AStartLeavesTheMarkerAndAGiveUpIsMarkedStoppedAndFailed) {
  std::string sock = root_ + "/control";
  std::string svcdir = root_ + "/run/openrc";
  std::string err;
  ASSERT_TRUE(EnsureSvcDir(svcdir, &err)) << err;
  unsetenv("RC_SVCDIR");
  {
    FakeServer server(sock, "0\nstarted 42\n");
    EXPECT_EQ(SuperviseDaemonMain({"web", "--start", "/bin/sh"}, root_, sock), 0);
  }
  EXPECT_TRUE(std::filesystem::exists(svcdir + "/options/web/ctinit_supervised"));
  ASSERT_TRUE(Mark(svcdir, "web", kStateStarted, "/etc/init.d/web", &err)) << err;
  ASSERT_TRUE(Mark(svcdir, "plain", kStateStarted, "/etc/init.d/plain", &err)) << err;
  {
    // Respawning (ctinit says "stopped" between two runs): nothing changes.
    FakeServer server(sock, "3\nstopped\n");
    SyncSupervisedState(svcdir, sock);
    EXPECT_THAT(server.Request(), ElementsAre("status", "web"));  // only the marked one
  }
  EXPECT_EQ(GetState(svcdir, "web") & (kStateStarted | kStateFailed), kStateStarted);
  {
    FakeServer server(sock, "3\nfailed\n");
    SyncSupervisedState(svcdir, sock);
    server.Request();
  }
  EXPECT_EQ(GetState(svcdir, "web"), kStateStopped | kStateFailed);
  EXPECT_EQ(GetState(svcdir, "plain"), kStateStarted);
}

TEST_F(SuperviseTest, SignalGoesToTheSupervisedDaemon) {
  const std::string sock = root_ + "/control";
  pid_t child = fork();
  if (child == 0) {
    pause();
    _exit(0);
  }
  {
    FakeServer server(
        sock, "0\nrunning " + std::to_string(child) + "\nname=supervise:web\nstate=started\n");
    EXPECT_EQ(SuperviseDaemonMain({"web", "--signal", "USR1"}, root_, sock), 0);
  }
  int st = 0;
  ASSERT_EQ(waitpid(child, &st, 0), child);
  EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR1);
  {
    // `status` fell back to an OpenRC service of that name: no supervised daemon.
    FakeServer server(sock, "0\nrunning 1\nname=openrc:web\n");
    EXPECT_EQ(SuperviseDaemonMain({"web", "--signal", "HUP"}, root_, sock), 1);
  }
}

TEST_F(SuperviseTest, NoCtinitListening) {
  EXPECT_EQ(SuperviseDaemonMain({"web", "--status"}, root_, root_ + "/nothing"), 1);
}

}  // namespace
}  // namespace ctinit::openrc
