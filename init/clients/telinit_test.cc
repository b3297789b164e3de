#include "init/clients/telinit.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "init/protocol/initreq.h"

namespace ctinit {
namespace {

namespace fs = std::filesystem;
using Env = std::vector<std::pair<std::string, std::optional<std::string>>>;

class TelinitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ctinit-telinit-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    fifo_ = dir_ + "/initctl";
    ASSERT_EQ(mkfifo(fifo_.c_str(), 0600), 0);
    reader_ = open(fifo_.c_str(), O_RDWR | O_NONBLOCK);  // what init does
    ASSERT_GE(reader_, 0);
  }
  void TearDown() override {
    if (reader_ >= 0) close(reader_);
    fs::remove_all(dir_);
  }

  // Runs telinit, capturing stderr into err_.
  int Telinit(const std::vector<std::string>& args) {
    testing::internal::CaptureStderr();
    int rc = TelinitMain(args, fifo_);
    err_ = testing::internal::GetCapturedStderr();
    return rc;
  }

  // Reads one request the way init does (one read of 384 bytes) and decodes it.
  std::optional<InitRequest> Next() {
    unsigned char buf[kInitRequestSize];
    ssize_t n = read(reader_, buf, sizeof(buf));
    if (n <= 0) return std::nullopt;
    InitRequest r;
    std::string err;
    if (!DecodeInitRequest(buf, static_cast<size_t>(n), &r, &err)) {
      ADD_FAILURE() << err;
      return std::nullopt;
    }
    return r;
  }

  std::string dir_, fifo_, err_;
  int reader_ = -1;
};

TEST_F(TelinitTest, RunlevelWithDefaultSleeptime) {
  ASSERT_EQ(Telinit({"5"}), 0) << err_;
  EXPECT_EQ(err_, "");
  auto r = Next();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->cmd, InitRequest::Cmd::kRunlevel);
  EXPECT_EQ(r->runlevel, '5');
  EXPECT_EQ(r->sleeptime, 3);
  EXPECT_FALSE(Next());
}

TEST_F(TelinitTest, SleeptimeForms) {
  ASSERT_EQ(Telinit({"-t", "0", "S"}), 0) << err_;
  ASSERT_EQ(Telinit({"-t10", "q"}), 0) << err_;
  ASSERT_EQ(Telinit({"u", "-t", "7"}), 0) << err_;  // options after the level (getopt permutes)
  auto a = Next(), b = Next(), c = Next();
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->runlevel, 'S');
  EXPECT_EQ(a->sleeptime, 0);
  EXPECT_EQ(b->runlevel, 'q');  // sent as-is; init upper-cases
  EXPECT_EQ(b->sleeptime, 10);
  EXPECT_EQ(c->runlevel, 'u');
  EXPECT_EQ(c->sleeptime, 7);
}

TEST_F(TelinitTest, AllLevelsAccepted) {
  for (char c : std::string("0123456789SsQqAaBbCcUu")) {
    ASSERT_EQ(Telinit({std::string(1, c)}), 0) << c << err_;
    auto r = Next();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->runlevel, c);
  }
}

TEST_F(TelinitTest, SetEnvOnly) {
  ASSERT_EQ(Telinit({"-e", "INIT_HALT=POWEROFF", "-eINIT_X"}), 0) << err_;
  auto r = Next();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->cmd, InitRequest::Cmd::kSetEnv);
  Env want = {{"INIT_HALT", "POWEROFF"}, {"INIT_X", std::nullopt}};
  EXPECT_EQ(r->env, want);
  EXPECT_FALSE(Next());
}

TEST_F(TelinitTest, SetEnvThenRunlevel) {
  ASSERT_EQ(Telinit({"-e", "INIT_HALT=HALT", "-t", "0", "0"}), 0) << err_;
  auto a = Next(), b = Next();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->cmd, InitRequest::Cmd::kSetEnv);
  EXPECT_EQ(a->env, (Env{{"INIT_HALT", "HALT"}}));
  EXPECT_EQ(b->cmd, InitRequest::Cmd::kRunlevel);
  EXPECT_EQ(b->runlevel, '0');
  EXPECT_EQ(b->sleeptime, 0);
}

TEST_F(TelinitTest, UsageErrors) {
  const std::vector<std::vector<std::string>> bad = {{},
                                                     {"5x"},
                                                     {"x"},
                                                     {"5", "6"},
                                                     {"-t"},
                                                     {"-t", "-1", "5"},
                                                     {"-t", "abc", "5"},
                                                     {"-t3x", "5"},
                                                     {"-z", "5"},
                                                     {"-e"},
                                                     {"-e", "", "5"},
                                                     {"-e", "=x"},
                                                     {"-"},
                                                     {""},
                                                     {"--", "-t"}};
  for (const auto& args : bad) {
    EXPECT_EQ(Telinit(args), 1) << testing::PrintToString(args);
    EXPECT_NE(err_.find("Usage: telinit"), std::string::npos) << err_;
  }
  EXPECT_FALSE(Next());  // nothing was sent
}

TEST_F(TelinitTest, DoubleDashEndsOptions) {
  ASSERT_EQ(Telinit({"-t", "1", "--", "2"}), 0) << err_;
  auto r = Next();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->runlevel, '2');
}

TEST_F(TelinitTest, SetEnvTooLarge) {
  std::vector<std::string> args;
  for (int i = 0; i < 20; ++i) {
    args.push_back("-e");
    args.push_back("INIT_VAR" + std::to_string(i) + "=" + std::string(10, 'x'));
  }
  EXPECT_EQ(Telinit(args), 1);
  EXPECT_EQ(err_, "telinit: -e option data too large\n");
  EXPECT_FALSE(Next());
}

TEST_F(TelinitTest, NoReader) {
  close(reader_);
  reader_ = -1;
  EXPECT_EQ(Telinit({"5"}), 1);
  EXPECT_EQ(err_, "telinit: cannot open control channel " + fifo_ +
                      ": no process is reading it (is init running?)\n");
}

TEST_F(TelinitTest, MissingFifo) {
  fs::remove(fifo_);
  EXPECT_EQ(Telinit({"5"}), 1);
  EXPECT_EQ(err_, "telinit: " + fifo_ + ": No such file or directory\n");
}

TEST_F(TelinitTest, NotAFifo) {
  close(reader_);
  reader_ = -1;
  fs::remove(fifo_);
  std::ofstream(fifo_) << "keep";
  EXPECT_EQ(Telinit({"5"}), 1);
  EXPECT_EQ(err_, "telinit: " + fifo_ + " is not a fifo\n");
  EXPECT_EQ(fs::file_size(fifo_), 4u);
}

TEST_F(TelinitTest, FullFifoTimesOut) {
  // Shrink the pipe to one page and fill it: nobody drains it for the 3 s timeout.
  fcntl(reader_, F_SETPIPE_SZ, 4096);
  int w = open(fifo_.c_str(), O_WRONLY | O_NONBLOCK);
  ASSERT_GE(w, 0);
  char junk[512] = {};
  while (write(w, junk, sizeof(junk)) > 0) {
  }
  close(w);
  EXPECT_EQ(Telinit({"5"}), 1);
  EXPECT_EQ(err_, "telinit: timeout opening/writing control channel " + fifo_ + "\n");
}

TEST(TelinitUsageTest, MentionsEveryOption) {
  std::string u = TelinitUsage();
  EXPECT_EQ(u.rfind("Usage: telinit [-t SECONDS] [-e VAR[=VAL]]...", 0), 0u);
  EXPECT_EQ(u.back(), '\n');
}

}  // namespace
}  // namespace ctinit
