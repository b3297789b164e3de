// The privilege side of a spawn (sys.h): SIGPIPE, no_new_privs, the capability bounding and
// ambient sets across the change of user; and GuessDaemon on daemons that fork once or twice.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/capability.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "init/base/capabilities.h"
#include "init/runtime/sys.h"
#include "tests/unit/temp_dir.h"

namespace ctinit {
namespace {

// Waits (at most 10 s) for `pid`; its wait status, -1 on timeout.
int WaitFor(pid_t pid) {
  auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < end) {
    int status = 0;
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  return -1;
}

// The value of `field` ("CapAmb") in a /proc/PID/status text.
std::string Field(const std::string& status, const std::string& field) {
  std::istringstream in(status);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(field + ":", 0) == 0) {
      auto v = line.substr(field.size() + 1);
      return v.substr(v.find_first_not_of(" \t"));
    }
  return "(none)";
}

std::string Hex(uint64_t mask) {
  char buf[32];
  snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(mask));
  return buf;
}

class SpawnPrivilegesTest : public ::testing::Test {
 protected:
  // What /proc/self/status says in a child started with `process` and `opts`.
  std::string StatusOfChild(ProcessContext process, sys::SpawnOptions opts = {}) {
    process.stdout_target = {StdioTarget::Kind::kTruncate, temp_.Path("/status")};
    std::string err;
    pid_t pid =
        sys::Spawn({"/bin/cat", "/proc/self/status"}, "cat", {"PATH=/bin"}, process, opts, &err);
    EXPECT_GT(pid, 0) << err;
    if (pid <= 0) return "";
    EXPECT_EQ(WaitFor(pid), 0);
    std::ifstream in(temp_.Path("/status"));
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  static ProcessContext AsNobody() {
    ProcessContext p;
    Credentials c;
    c.uid = c.gid = 65534;
    c.user_name = "nobody";
    p.credentials = c;
    return p;
  }
  testutil::TempDir temp_{"ctinit-privs"};
};

TEST_F(SpawnPrivilegesTest, SigpipeIsIgnoredOnlyWhenAsked) {
  constexpr uint64_t kPipe = uint64_t{1} << (SIGPIPE - 1);
  ProcessContext p;
  p.umask = 022;  // not plain: the forked child
  std::string plain = StatusOfChild(p);
  EXPECT_EQ(std::stoull(Field(plain, "SigIgn"), nullptr, 16) & kPipe, 0u) << plain;
  p.ignore_sigpipe = true;
  EXPECT_FALSE(sys::Plain(p, {}));
  std::string ignored = StatusOfChild(p);
  EXPECT_EQ(std::stoull(Field(ignored, "SigIgn"), nullptr, 16) & kPipe, kPipe) << ignored;
}

TEST_F(SpawnPrivilegesTest, NoNewPrivilegesButNotForFullPrivilegeSteps) {
  ProcessContext p;
  p.no_new_privileges = true;
  EXPECT_FALSE(sys::Plain(p, {}));
  EXPECT_EQ(Field(StatusOfChild(p), "NoNewPrivs"), "1");
  sys::SpawnOptions plus;
  plus.full_privileges = true;
  EXPECT_EQ(Field(StatusOfChild(p, plus), "NoNewPrivs"), "0");
}

TEST_F(SpawnPrivilegesTest, AmbientCapabilitiesSurviveTheChangeOfUser) {
  auto own = sys::ReadOwnCapabilities();
  const uint64_t bind = caps::Bit(CAP_NET_BIND_SERVICE);
  if (::getuid() != 0 || !(own.bounding & bind) || !own.can_limit)
    GTEST_SKIP() << "needs root with CAP_NET_BIND_SERVICE and CAP_SETPCAP";
  ProcessContext p = AsNobody();
  p.ambient_capabilities = bind;
  p.capability_bounding_set = bind | caps::Bit(CAP_CHOWN);
  std::string st = StatusOfChild(p);
  EXPECT_THAT(Field(st, "Uid"), ::testing::StartsWith("65534"));
  EXPECT_EQ(Field(st, "CapAmb"), Hex(bind)) << st;
  EXPECT_EQ(Field(st, "CapEff"), Hex(bind)) << st;
  EXPECT_EQ(Field(st, "CapBnd"), Hex(bind | caps::Bit(CAP_CHOWN))) << st;
  // Without AmbientCapabilities= the user has none, as after any setuid.
  std::string none = StatusOfChild(AsNobody());
  EXPECT_EQ(Field(none, "CapEff"), Hex(0)) << none;
  EXPECT_EQ(Field(none, "CapAmb"), Hex(0)) << none;
  // A '+' step: neither set is touched, and it runs as root.
  sys::SpawnOptions plus;
  plus.full_privileges = true;
  std::string root = StatusOfChild(p, plus);
  EXPECT_THAT(Field(root, "Uid"), ::testing::StartsWith("0"));
  EXPECT_EQ(Field(root, "CapAmb"), Hex(0));
  EXPECT_NE(Field(root, "CapBnd"), Hex(bind | caps::Bit(CAP_CHOWN)));
}

TEST_F(SpawnPrivilegesTest, ACapabilityThisProcessLacksIsLeftOut) {
  auto own = sys::ReadOwnCapabilities();
  if (own.bounding == ~uint64_t{0} >> (64 - 41) || own.bounding == 0)
    GTEST_SKIP() << "every capability (or none) is available here";
  int missing = 0;
  while (own.bounding & caps::Bit(missing)) ++missing;
  ProcessContext p;
  p.ambient_capabilities = caps::Bit(missing);
  std::string st = StatusOfChild(p);  // starts all the same
  EXPECT_EQ(Field(st, "CapAmb"), Hex(0));
}

// ---------------------------------------------------------------------------------------------
// GuessDaemon

// Runs `daemonize` as a launcher in a child that is a subreaper (as PID 1 is), so that what the
// launcher leaves behind is re-parented to that child; then the child guesses and exits 0 when
// the guess is the pid the daemon wrote to `pipe`, 1 when it is another, 2 when there is none.
int GuessInSubreaper(void (*daemonize)(int fd)) {
  pid_t reaper = ::fork();
  if (reaper == 0) {
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
    int fds[2];
    if (::pipe(fds) != 0) ::_exit(3);
    pid_t launcher = ::fork();
    if (launcher == 0) {
      ::setsid();  // as ctinit starts it
      daemonize(fds[1]);
      ::_exit(0);
    }
    ::close(fds[1]);
    pid_t daemon = 0;
    if (::read(fds[0], &daemon, sizeof daemon) != sizeof daemon) ::_exit(3);
    ::waitpid(launcher, nullptr, 0);
    // The middle process of a double fork may still be exiting: wait until it is reaped.
    for (int i = 0; i < 100; ++i) {
      while (::waitpid(-1, nullptr, WNOHANG) > 0) {
      }
      auto guess = sys::GuessDaemon(launcher, ::getpid());
      if (guess == daemon) {
        ::kill(daemon, SIGKILL);
        ::kill(-launcher, SIGKILL);
        ::_exit(0);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    auto guess = sys::GuessDaemon(launcher, ::getpid());
    ::kill(daemon, SIGKILL);
    ::kill(-launcher, SIGKILL);  // what else the launcher left in its group
    ::_exit(guess ? 1 : 2);
  }
  return WaitFor(reaper);
}

// The daemon tells its pid, then sleeps until killed.
[[noreturn]] void BeTheDaemon(int fd) {
  pid_t me = ::getpid();
  (void)!::write(fd, &me, sizeof me);
  ::close(fd);
  for (;;) ::pause();
}

TEST(GuessDaemon, ADaemonThatForksOnce) {
  auto once = [](int fd) {
    if (::fork() == 0) BeTheDaemon(fd);
  };
  EXPECT_EQ(GuessInSubreaper(once), 0);
}

TEST(GuessDaemon, ADaemonThatForksTwiceWithSetsidInBetween) {
  auto twice = [](int fd) {
    if (::fork() == 0) {  // the middle process
      ::setsid();
      if (::fork() == 0) BeTheDaemon(fd);
      ::_exit(0);
    }
  };
  EXPECT_EQ(GuessInSubreaper(twice), 0);
}

TEST(GuessDaemon, TwoCandidatesAreNoGuess) {
  auto two = [](int fd) {
    if (::fork() == 0) BeTheDaemon(fd);
    if (::fork() == 0) {
      for (;;) ::pause();
    }
  };
  EXPECT_EQ(WEXITSTATUS(GuessInSubreaper(two)), 2);
}

}  // namespace
}  // namespace ctinit
