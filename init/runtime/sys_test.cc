// sys::Spawn with SpawnOptions passing listening sockets (fds 3, 4, ...
// and $LISTEN_PID). These start real children and wait for them: a unit test is an ordinary
// process.
#include "init/runtime/sys.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "tests/unit/temp_dir.h"

namespace ctinit {
namespace {

using ::testing::HasSubstr;

class TempDir : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(temp_.path().empty());
    dir_ = temp_.path();
  }
  static mode_t Mode(const std::string& p) {
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0) return 0;
    return st.st_mode;
  }
  testutil::TempDir temp_{"ctinit-sys"};  // removed with the fixture
  std::string dir_;
};

// ---------------------------------------------------------------------------------------------
// Spawn with passed fds

// Waits (at most 10 s) for `pid` and returns its wait status, -1 on timeout.
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
  int status = 0;
  ::waitpid(pid, &status, 0);
  return -1;
}

// Everything readable from `fd` until EOF (at most 10 s).
std::string ReadAll(int fd) {
  std::string out;
  auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < end) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char buf[256];
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

class SpawnPassFdsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::pipe2(a_, O_CLOEXEC), 0);
    ASSERT_EQ(::pipe2(b_, O_CLOEXEC), 0);
  }
  void TearDown() override {
    for (int fd : {a_[0], a_[1], b_[0], b_[1]})
      if (fd >= 0) ::close(fd);
  }
  void CloseWriteEnds() {
    ::close(a_[1]);
    ::close(b_[1]);
    a_[1] = b_[1] = -1;
  }
  int a_[2] = {-1, -1}, b_[2] = {-1, -1};
};

TEST_F(SpawnPassFdsTest, ChildSeesTheFdsAt3And4AndItsOwnPidInListenPid) {
  sys::SpawnOptions ctx;
  ctx.pass_fds = {a_[1], b_[1]};
  // The original numbers must not leak into the child (unless they are 3 or 4 themselves).
  std::string script =
      "test \"$LISTEN_PID\" = \"$$\" || exit 3; "
      "test \"$LISTEN_FDS\" = 2 || exit 4; "
      "echo \"$LISTEN_PID\" >&3 && echo four >&4 || exit 5; "
      "for fd in " +
      std::to_string(a_[1]) + " " + std::to_string(b_[1]) +
      "; do case $fd in 3|4) ;; *) test -e /proc/self/fd/$fd && exit 6;; esac; done; "
      "test -e /proc/self/fd/5 && exit 7; exit 0";
  std::string err;
  pid_t pid =
      sys::Spawn({"/bin/sh", "-c", script}, "sh", {"LISTEN_PID=1", "LISTEN_FDS=2"}, {}, ctx, &err);
  ASSERT_GT(pid, 0) << err;
  CloseWriteEnds();
  std::string from3 = ReadAll(a_[0]);
  std::string from4 = ReadAll(b_[0]);
  int status = WaitFor(pid);
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(from3, std::to_string(pid) + "\n");
  EXPECT_EQ(from4, "four\n");
}

TEST_F(SpawnPassFdsTest, PidEnvNamesGetTheChildsOwnPid) {
  sys::SpawnOptions ctx;
  ctx.pid_env = {"WATCHDOG_PID"};
  ctx.pass_fds = {a_[1]};  // fd 3 carries the answer back (LISTEN_PID is set as well)
  std::string err;
  pid_t pid = sys::Spawn({"/bin/sh", "-c",
                          "test \"$WATCHDOG_PID\" = \"$$\" || exit 3; "
                          "test \"$LISTEN_PID\" = \"$$\" || exit 4; "
                          "test \"$WATCHDOG_USEC\" = 5 || exit 5; "
                          "env | grep -c ^WATCHDOG_PID= >&3; echo \"$WATCHDOG_PID\" >&3"},
                         "sh", {"WATCHDOG_PID=1", "WATCHDOG_USEC=5"}, {}, ctx, &err);
  ASSERT_GT(pid, 0) << err;
  CloseWriteEnds();
  std::string out = ReadAll(a_[0]);
  int status = WaitFor(pid);
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(out, "1\n" + std::to_string(pid) + "\n");  // one entry, the child's own pid
}

TEST_F(SpawnPassFdsTest, FdsAlreadyAt3And4InReverseOrder) {
  // The fds to pass may themselves sit at the target numbers, crossed.
  int hi_a = ::fcntl(a_[1], F_DUPFD_CLOEXEC, 100);
  int hi_b = ::fcntl(b_[1], F_DUPFD_CLOEXEC, 100);
  ASSERT_GE(hi_a, 0);
  ASSERT_GE(hi_b, 0);
  int saved3 = ::fcntl(3, F_DUPFD_CLOEXEC, 200);  // whatever gtest has there, if anything
  int saved4 = ::fcntl(4, F_DUPFD_CLOEXEC, 200);
  ASSERT_EQ(::dup3(hi_b, 3, O_CLOEXEC), 3);
  ASSERT_EQ(::dup3(hi_a, 4, O_CLOEXEC), 4);
  sys::SpawnOptions ctx;
  ctx.pass_fds = {4, 3};  // a then b
  std::string err;
  pid_t pid = sys::Spawn({"/bin/sh", "-c", "echo a >&3; echo b >&4"}, "sh", {}, {}, ctx, &err);
  // Put the test process's fds back before anything can fail.
  ::close(3);
  ::close(4);
  if (saved3 >= 0) ::dup3(saved3, 3, 0), ::close(saved3);
  if (saved4 >= 0) ::dup3(saved4, 4, 0), ::close(saved4);
  ::close(hi_a);
  ::close(hi_b);
  ASSERT_GT(pid, 0) << err;
  CloseWriteEnds();
  EXPECT_EQ(ReadAll(a_[0]), "a\n");
  EXPECT_EQ(ReadAll(b_[0]), "b\n");
  int status = WaitFor(pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

TEST_F(SpawnPassFdsTest, ExecFailureIsReportedSynchronously) {
  sys::SpawnOptions ctx;
  ctx.pass_fds = {a_[1]};
  std::string err;
  pid_t pid = sys::Spawn({"/nonexistent/ctinit-test"}, "x", {}, {}, ctx, &err);
  EXPECT_EQ(pid, -1);
  EXPECT_THAT(err, HasSubstr("cannot execute"));
  EXPECT_THAT(err, HasSubstr("No such file or directory"));
  // The failed child exits 127 at once; reap it (PID 1's reaper would).
  for (int i = 0; i < 1000; ++i) {
    int st = 0;
    pid_t r = ::waitpid(-1, &st, WNOHANG);
    if (r < 0) break;  // no children left
    if (r > 0) {
      EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 127);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

TEST_F(SpawnPassFdsTest, ABadFdIsReported) {
  sys::SpawnOptions ctx;
  ctx.pass_fds = {a_[1], 987};  // not open
  std::string err;
  pid_t pid = sys::Spawn({"/bin/true"}, "true", {}, {}, ctx, &err);
  EXPECT_EQ(pid, -1);
  EXPECT_THAT(err, HasSubstr("cannot pass the listening sockets"));
  for (int i = 0; i < 1000; ++i) {
    int st = 0;
    pid_t r = ::waitpid(-1, &st, WNOHANG);
    if (r != 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

// ---------------------------------------------------------------------------------------------
// Per-stream output fds (a tagged stdout or stderr while the other stream keeps its target)

class SpawnStreamFdsTest : public TempDir {
 protected:
  std::string Run(const ProcessContext& process, const sys::SpawnOptions& ctx, int pipe_w,
                  int pipe_r) {
    std::string err;
    pid_t pid =
        sys::Spawn({"/bin/sh", "-c", "echo out; echo err >&2"}, "x", {}, process, ctx, &err);
    ::close(pipe_w);
    EXPECT_GT(pid, 0) << err;
    std::string got = ReadAll(pipe_r);
    ::close(pipe_r);
    int status = WaitFor(pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    return got;
  }
  std::string File() {
    std::ifstream f(dir_ + "/f");
    return std::string(std::istreambuf_iterator<char>(f), {});
  }
};

TEST_F(SpawnStreamFdsTest, StdoutFdOnly) {
  int p[2];
  ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
  sys::SpawnOptions ctx;
  ctx.stdout_fd = p[1];
  ProcessContext process;
  process.stderr_target = {StdioTarget::Kind::kFile, dir_ + "/f"};
  EXPECT_EQ(Run(process, ctx, p[1], p[0]), "out\n");
  EXPECT_EQ(File(), "err\n");
}

TEST_F(SpawnStreamFdsTest, StderrFdOnlyAndItWinsOverOutputFd) {
  int p[2], q[2];
  ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
  ASSERT_EQ(::pipe2(q, O_CLOEXEC), 0);
  sys::SpawnOptions ctx;
  ctx.output_fd = q[1];  // stdout
  ctx.stderr_fd = p[1];
  EXPECT_FALSE(sys::Plain({}, ctx));
  EXPECT_EQ(Run({}, ctx, p[1], p[0]), "err\n");
  ::close(q[1]);
  EXPECT_EQ(ReadAll(q[0]), "out\n");
  ::close(q[0]);
}

// OOMScoreAdjust=: the child writes its own /proc/self/oom_score_adj before it execs.
TEST_F(SpawnStreamFdsTest, OomScoreAdjustIsSetInTheChild) {
  int p[2];
  ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
  ProcessContext process;
  process.oom_score_adjust = 321;  // raising it needs no privilege
  EXPECT_FALSE(sys::Plain(process, {}));
  sys::SpawnOptions ctx;
  ctx.output_fd = p[1];
  std::string err;
  pid_t pid = sys::Spawn({"/bin/cat", "/proc/self/oom_score_adj"}, "x", {}, process, ctx, &err);
  ::close(p[1]);
  ASSERT_GT(pid, 0) << err;
  EXPECT_EQ(ReadAll(p[0]), "321\n");
  ::close(p[0]);
  int status = WaitFor(pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

// ---------------------------------------------------------------------------------------------
// Files a service controls: PID 1 never blocks on them (issue 11, case 2)

using HostileFileTest = TempDir;

TEST_F(HostileFileTest, APidFileIsRead) {
  std::ofstream(dir_ + "/ok.pid") << " 1234\n";
  EXPECT_EQ(sys::ReadPidFile(dir_ + "/ok.pid"), 1234);
  std::ofstream(dir_ + "/one.pid") << "1\n";
  EXPECT_EQ(sys::ReadPidFile(dir_ + "/one.pid"), std::nullopt);  // never PID 1 itself
}

TEST_F(HostileFileTest, AFifoAsPidFileIsRefusedAtOnce) {
  std::string fifo = dir_ + "/x.pid";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(sys::ReadPidFile(fifo), std::nullopt);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(1));
}

TEST_F(HostileFileTest, ASymlinkAsPidFileIsRefused) {
  std::ofstream(dir_ + "/real.pid") << "4321\n";
  ASSERT_EQ(::symlink((dir_ + "/real.pid").c_str(), (dir_ + "/link.pid").c_str()), 0);
  EXPECT_EQ(sys::ReadPidFile(dir_ + "/link.pid"), std::nullopt);
  EXPECT_EQ(sys::ReadPidFile(dir_ + "/real.pid"), 4321);
}

TEST_F(HostileFileTest, ADirectoryOrAHugeFileAsPidFileIsRefused) {
  ASSERT_EQ(::mkdir((dir_ + "/d.pid").c_str(), 0700), 0);
  EXPECT_EQ(sys::ReadPidFile(dir_ + "/d.pid"), std::nullopt);
  std::ofstream(dir_ + "/big.pid") << "77\n" << std::string(sys::kMaxPidFileBytes, ' ');
  EXPECT_EQ(sys::ReadPidFile(dir_ + "/big.pid"), std::nullopt);
}

// StandardOutput=append:FIFO: the child's open() waits for a reader; Spawn returns anyway
// (within its bounded wait) and the child goes on once a reader comes.
TEST_F(HostileFileTest, SpawnDoesNotWaitForAChildBlockedOpeningAFifo) {
  std::string fifo = dir_ + "/out.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  ProcessContext process;
  process.stdout_target = {StdioTarget::Kind::kAppend, fifo};
  std::string err;
  auto t0 = std::chrono::steady_clock::now();
  pid_t pid = sys::Spawn({"/bin/sh", "-c", "echo through"}, "sh", {}, process, {}, &err);
  auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_GT(pid, 0) << err;
  EXPECT_LT(took, std::chrono::seconds(2));
  int reader = ::open(fifo.c_str(), O_RDONLY | O_CLOEXEC);  // lets the child's open() finish
  ASSERT_GE(reader, 0);
  EXPECT_EQ(ReadAll(reader), "through\n");
  ::close(reader);
  int status = WaitFor(pid);
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST_F(HostileFileTest, AChildThatFailsAfterTheWaitExits127) {
  std::string fifo = dir_ + "/in.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  ProcessContext process;
  process.stdin_target = {StdioTarget::Kind::kFile, fifo};  // waits for a writer
  process.working_directory = dir_ + "/missing";            // then fails: PID 1 is gone by then
  std::string err;
  pid_t pid = sys::Spawn({"/bin/true"}, "true", {}, process, {}, &err);
  ASSERT_GT(pid, 0) << err;
  int writer = ::open(fifo.c_str(), O_WRONLY | O_CLOEXEC);
  ASSERT_GE(writer, 0);
  ::close(writer);
  int status = WaitFor(pid);
  ASSERT_TRUE(WIFEXITED(status)) << status;  // not killed by SIGPIPE
  EXPECT_EQ(WEXITSTATUS(status), 127);
}

TEST_F(HostileFileTest, AnEarlyFailureIsStillReportedSynchronously) {
  ProcessContext process;
  process.working_directory = dir_ + "/missing";
  std::string err;
  EXPECT_EQ(sys::Spawn({"/bin/true"}, "true", {}, process, {}, &err), -1);
  EXPECT_THAT(err, HasSubstr("cannot change directory"));
}

// ---------------------------------------------------------------------------------------------
// Fds PID 1 holds never reach a child (issue 11, case 7)

TEST(SpawnFdsTest, NoFdBeyondThePassedOnesIsInherited) {
  rlimit old{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &old), 0);
  if (old.rlim_max < 2100) GTEST_SKIP() << "RLIMIT_NOFILE hard limit below 2100";
  rlimit raised = old;
  raised.rlim_cur = std::max<rlim_t>(old.rlim_cur, 2100);
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &raised), 0);
  // Not close-on-exec, as a leaked fd of PID 1 would be: one low, one above 1024.
  int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  int low = ::fcntl(null, F_DUPFD, 700);
  int high = ::fcntl(null, F_DUPFD, 2000);
  ::close(null);
  ASSERT_GE(low, 700);
  ASSERT_GE(high, 2000);
  int pass[2];
  ASSERT_EQ(::pipe2(pass, O_CLOEXEC), 0);
  sys::SpawnOptions opts;
  opts.pass_fds = {pass[1]};
  // The shell's own fds, listed by a child of it (ls).
  std::string err;
  pid_t pid = sys::Spawn({"/bin/sh", "-c", "ls /proc/$$/fd >&3; true"}, "sh", {}, {}, opts, &err);
  ::close(pass[1]);
  ::close(low);
  ::close(high);
  ::setrlimit(RLIMIT_NOFILE, &old);
  ASSERT_GT(pid, 0) << err;
  std::string fds = ReadAll(pass[0]);
  ::close(pass[0]);
  int status = WaitFor(pid);
  ASSERT_TRUE(WIFEXITED(status)) << status;
  // Stdio and the passed fd; nothing of ours (the shell may add fds of its own, dash's 10).
  auto lines = "\n" + fds;
  for (const char* want : {"\n0\n", "\n1\n", "\n2\n", "\n3\n"}) EXPECT_THAT(lines, HasSubstr(want));
  EXPECT_THAT(lines, ::testing::Not(HasSubstr("\n" + std::to_string(low) + "\n")));
  EXPECT_THAT(lines, ::testing::Not(HasSubstr("\n" + std::to_string(high) + "\n")));
}

}  // namespace
}  // namespace ctinit
