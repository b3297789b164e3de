#include "init/protocol/initreq.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace ctinit {
namespace {

using Env = std::vector<std::pair<std::string, std::optional<std::string>>>;

std::array<unsigned char, kInitRequestSize> Raw(int32_t magic, int32_t cmd, int32_t level,
                                                int32_t sleeptime, std::string_view data = {}) {
  std::array<unsigned char, kInitRequestSize> b{};
  std::memcpy(b.data() + 0, &magic, 4);
  std::memcpy(b.data() + 4, &cmd, 4);
  std::memcpy(b.data() + 8, &level, 4);
  std::memcpy(b.data() + 12, &sleeptime, 4);
  if (!data.empty())
    std::memcpy(b.data() + 16, data.data(), std::min(data.size(), kInitRequestDataSize));
  return b;
}

TEST(InitReqTest, EncodeRunlevelMatchesSysvinitLayout) {
  auto b = EncodeRunlevel('5', 3);
  EXPECT_EQ(b, Raw(0x03091969, 1, '5', 3));
}

TEST(InitReqTest, RunlevelRoundTrip) {
  auto b = EncodeRunlevel('q', 7);
  InitRequest r;
  std::string err;
  ASSERT_TRUE(DecodeInitRequest(b.data(), b.size(), &r, &err)) << err;
  EXPECT_EQ(err, "");
  EXPECT_EQ(r.cmd, InitRequest::Cmd::kRunlevel);
  EXPECT_EQ(r.runlevel, 'q');
  EXPECT_EQ(r.sleeptime, 7);
  EXPECT_TRUE(r.env.empty());
}

TEST(InitReqTest, PowerCommands) {
  const std::pair<int, InitRequest::Cmd> cases[] = {{2, InitRequest::Cmd::kPowerFail},
                                                    {3, InitRequest::Cmd::kPowerFailNow},
                                                    {4, InitRequest::Cmd::kPowerOk}};
  for (auto [wire, cmd] : cases) {
    auto b = Raw(kInitMagic, wire, 0, 5);
    InitRequest r;
    std::string err;
    ASSERT_TRUE(DecodeInitRequest(b.data(), b.size(), &r, &err)) << err;
    EXPECT_EQ(r.cmd, cmd);
    EXPECT_EQ(r.sleeptime, 5);
  }
}

TEST(InitReqTest, NegativeSleeptimeClamped) {
  auto b = EncodeRunlevel('0', -4);
  InitRequest r;
  std::string err;
  ASSERT_TRUE(DecodeInitRequest(b.data(), b.size(), &r, &err));
  EXPECT_EQ(r.sleeptime, 0);
}

TEST(InitReqTest, WrongSizeIsBogus) {
  auto b = EncodeRunlevel('3', 3);
  InitRequest r;
  r.runlevel = 'X';
  std::string err;
  EXPECT_FALSE(DecodeInitRequest(b.data(), 383, &r, &err));
  EXPECT_EQ(err, "got bogus initrequest: 383 bytes");
  EXPECT_EQ(r.runlevel, 'X');  // untouched
  std::vector<unsigned char> big(768);
  EXPECT_FALSE(DecodeInitRequest(big.data(), big.size(), &r, &err));
  EXPECT_EQ(err, "got bogus initrequest: 768 bytes");
  EXPECT_FALSE(DecodeInitRequest(nullptr, 0, &r, &err));
}

TEST(InitReqTest, WrongMagicIsBogus) {
  auto b = Raw(0x69190903, 1, '3', 3);
  InitRequest r;
  std::string err;
  EXPECT_FALSE(DecodeInitRequest(b.data(), b.size(), &r, &err));
  EXPECT_EQ(err, "got bogus initrequest: bad magic 0x69190903");
}

TEST(InitReqTest, UnimplementedCommands) {
  for (int cmd : {0, 5, 7, 8, -1, 1000}) {
    auto b = Raw(kInitMagic, cmd, '3', 3);
    InitRequest r;
    std::string err;
    EXPECT_FALSE(DecodeInitRequest(b.data(), b.size(), &r, &err)) << cmd;
    EXPECT_EQ(err.rfind("got unimplemented initrequest", 0), 0u) << err;
  }
}

TEST(InitReqTest, RunlevelOutOfCharRangeIsBogus) {
  for (int level : {0, -3, 256, 0x7fffffff}) {
    auto b = Raw(kInitMagic, 1, level, 3);
    InitRequest r;
    std::string err;
    EXPECT_FALSE(DecodeInitRequest(b.data(), b.size(), &r, &err)) << level;
  }
}

TEST(InitReqTest, SetEnvRoundTrip) {
  auto b = EncodeSetEnv({"INIT_HALT=POWEROFF", "INIT_X", "INIT_EMPTY=", "INIT_EQ=a=b"});
  EXPECT_EQ(b,
            Raw(kInitMagic, 6, 0, 0,
                std::string_view("INIT_HALT=POWEROFF\0INIT_X\0INIT_EMPTY=\0INIT_EQ=a=b\0\0", 50)));
  InitRequest r;
  std::string err;
  ASSERT_TRUE(DecodeInitRequest(b.data(), b.size(), &r, &err)) << err;
  EXPECT_EQ(err, "");
  EXPECT_EQ(r.cmd, InitRequest::Cmd::kSetEnv);
  Env want = {
      {"INIT_HALT", "POWEROFF"}, {"INIT_X", std::nullopt}, {"INIT_EMPTY", ""}, {"INIT_EQ", "a=b"}};
  EXPECT_EQ(r.env, want);
}

TEST(InitReqTest, SetEnvSkipsNonInitNamesWithWarning) {
  auto b = EncodeSetEnv({"PATH=/evil", "INIT_A=1", "LD_PRE\nLOAD=x.so", "INIT_B"});
  InitRequest r;
  std::string err;
  ASSERT_TRUE(DecodeInitRequest(b.data(), b.size(), &r, &err));
  Env want = {{"INIT_A", "1"}, {"INIT_B", std::nullopt}};
  EXPECT_EQ(r.env, want);
  EXPECT_EQ(err, "initrequest SETENV: ignored non-INIT_ variables: PATH, LD_PRE?LOAD");
}

TEST(InitReqTest, SetEnvEmptyListIsValid) {
  auto b = EncodeSetEnv({});
  InitRequest r;
  std::string err;
  ASSERT_TRUE(DecodeInitRequest(b.data(), b.size(), &r, &err));
  EXPECT_TRUE(r.env.empty());
}

TEST(InitReqTest, SetEnvNotNulTerminatedIsBogus) {
  std::string data(kInitRequestDataSize, 'A');
  data.replace(0, 9, std::string("INIT_A=1\0", 9));
  auto b = Raw(kInitMagic, 6, 0, 0, data);
  InitRequest r;
  std::string err;
  EXPECT_FALSE(DecodeInitRequest(b.data(), b.size(), &r, &err));
  EXPECT_EQ(err, "got bogus initrequest: SETENV data not NUL-terminated");
}

TEST(InitReqTest, SetEnvFillingTheAreaExactly) {
  // 366 chars + NUL + final NUL = 368: fits. One more char does not.
  std::string v = "INIT_V=" + std::string(366 - 7, 'x');
  EXPECT_TRUE(SetEnvFits({v}));
  EXPECT_FALSE(SetEnvFits({v + "y"}));
  auto b = EncodeSetEnv({v});
  InitRequest r;
  std::string err;
  ASSERT_TRUE(DecodeInitRequest(b.data(), b.size(), &r, &err)) << err;
  ASSERT_EQ(r.env.size(), 1u);
  EXPECT_EQ(r.env[0].second->size(), 359u);
  // Entry that cannot fit is dropped, the others are kept.
  b = EncodeSetEnv({"INIT_A=1", v, "INIT_B=2"});
  ASSERT_TRUE(DecodeInitRequest(b.data(), b.size(), &r, &err));
  Env want = {{"INIT_A", "1"}, {"INIT_B", "2"}};
  EXPECT_EQ(r.env, want);
}

TEST(InitReqTest, RandomBytesNeverCrash) {
  std::array<unsigned char, kInitRequestSize> b{};
  unsigned seed = 12345;
  for (int i = 0; i < 2000; ++i) {
    for (auto& c : b) c = static_cast<unsigned char>((seed = seed * 1103515245 + 12345) >> 16);
    int32_t magic = kInitMagic, cmd = i % 9;
    std::memcpy(b.data(), &magic, 4);
    std::memcpy(b.data() + 4, &cmd, 4);
    InitRequest r;
    std::string err;
    DecodeInitRequest(b.data(), b.size(), &r, &err);
  }
}

// Compatibility with the real client: Debian's sysvinit /sbin/init acts as telinit when it is not
// PID 1 and writes to the hard-coded /run/initctl. Run it in a private mount namespace with a
// tmpfs on /run and a FIFO we read from. Needs root and CTINIT_SYSVINIT_ROOT = a directory with
// sbin/init from sysvinit-core (apt-get download sysvinit-core && dpkg -x *.deb DIR).
class SysvinitTelinitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* root = std::getenv("CTINIT_SYSVINIT_ROOT");
    if (root == nullptr) GTEST_SKIP() << "CTINIT_SYSVINIT_ROOT not set (sysvinit-core tree)";
    init_ = std::string(root) + "/sbin/init";
    if (access(init_.c_str(), X_OK) != 0) GTEST_SKIP() << init_ << " not executable";
    if (geteuid() != 0) GTEST_SKIP() << "needs root for unshare(CLONE_NEWNS)";
  }

  // Runs `init args...` against a private /run/initctl; returns what one read() got.
  // *exit_status is the client's exit status, -2 if the namespace could not be set up.
  std::string Run(std::vector<std::string> args, int* exit_status) {
    std::vector<std::string> argv_s = {init_};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& s : argv_s) argv.push_back(s.data());
    argv.push_back(nullptr);
    int p[2];
    if (pipe(p) != 0) return "";
    pid_t pid = fork();
    if (pid == 0) {
      close(p[0]);
      int32_t status = -2;  // namespace setup failed
      char buf[2 * kInitRequestSize];
      ssize_t n = -1;
      if (unshare(CLONE_NEWNS) == 0 &&
          mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0 &&
          mount("tmpfs", "/run", "tmpfs", 0, "mode=0755") == 0 &&
          mkfifo("/run/initctl", 0600) == 0) {
        int fd = open("/run/initctl", O_RDWR | O_NONBLOCK);
        pid_t c = fork();
        if (c == 0) {
          execv(argv[0], argv.data());
          _exit(127);
        }
        int st = 0;
        waitpid(c, &st, 0);
        status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        n = read(fd, buf, sizeof(buf));
      }
      if (write(p[1], &status, sizeof(status)) != sizeof(status)) _exit(1);
      if (n > 0 && write(p[1], buf, n) != n) _exit(1);
      _exit(0);
    }
    close(p[1]);
    std::string out;
    if (read(p[0], exit_status, sizeof(*exit_status)) != sizeof(*exit_status)) *exit_status = -1;
    char buf[1024];
    for (ssize_t n; (n = read(p[0], buf, sizeof(buf))) > 0;) out.append(buf, n);
    close(p[0]);
    waitpid(pid, nullptr, 0);
    return out;
  }

  std::string init_;
};

TEST_F(SysvinitTelinitTest, RunlevelDefaultSleeptime) {
  int status = -1;
  std::string got = Run({"5"}, &status);
  if (status == -2) GTEST_SKIP() << "unshare/mount of a private /run not permitted here";
  ASSERT_EQ(status, 0);
  auto want = EncodeRunlevel('5', 3);
  ASSERT_EQ(got, std::string(want.begin(), want.end()));
  InitRequest r;
  std::string err;
  ASSERT_TRUE(DecodeInitRequest(got.data(), got.size(), &r, &err)) << err;
  EXPECT_EQ(r.runlevel, '5');
  EXPECT_EQ(r.sleeptime, 3);
}

TEST_F(SysvinitTelinitTest, RunlevelWithSleeptime) {
  int status = -1;
  std::string got = Run({"-t", "0", "s"}, &status);
  if (status == -2) GTEST_SKIP() << "unshare/mount of a private /run not permitted here";
  ASSERT_EQ(status, 0);
  auto want = EncodeRunlevel('s', 0);
  EXPECT_EQ(got, std::string(want.begin(), want.end()));
}

TEST_F(SysvinitTelinitTest, SetEnv) {
  int status = -1;
  std::string got = Run({"-e", "INIT_HALT=POWEROFF", "-e", "INIT_X", "-e", "FOO=1"}, &status);
  if (status == -2) GTEST_SKIP() << "unshare/mount of a private /run not permitted here";
  ASSERT_EQ(status, 0);
  auto want = EncodeSetEnv({"INIT_HALT=POWEROFF", "INIT_X", "FOO=1"});
  ASSERT_EQ(got, std::string(want.begin(), want.end()));
  InitRequest r;
  std::string err;
  ASSERT_TRUE(DecodeInitRequest(got.data(), got.size(), &r, &err));
  Env env = {{"INIT_HALT", "POWEROFF"}, {"INIT_X", std::nullopt}};
  EXPECT_EQ(r.env, env);
  EXPECT_NE(err.find("FOO"), std::string::npos);
}

}  // namespace
}  // namespace ctinit
