// OutputTap: raw pass-through and tails, and the tagged mode ("TAG[PID]: line") — line
// splitting, the partial line held until its '\n' (written at EOF), the bound on a line. The
// tap writes to a pipe of the test's instead of ctinit's stdout.
#include "init/runtime/output_tap.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

namespace ctinit {
namespace {

class OutputTapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::pipe2(out_, O_CLOEXEC | O_NONBLOCK), 0);
    ::fcntl(out_[1], F_SETPIPE_SZ, 1 << 20);  // room for everything a test writes
    tap_ = std::make_unique<OutputTap>(io_, out_[1]);
  }
  void TearDown() override {
    tap_.reset();
    for (int fd : out_) ::close(fd);
  }
  // A tap's write end as a child would hold it: ctinit's copy handed back with Spawned().
  int Child(const std::string& name, const std::string& tag, pid_t pid) {
    int fd = tap_->Tap(name, tag);
    EXPECT_GE(fd, 0);
    int child = ::dup(fd);
    tap_->Spawned(fd, pid);
    return child;
  }
  static void Put(int fd, const std::string& s) {
    ASSERT_EQ(::write(fd, s.data(), s.size()), static_cast<ssize_t>(s.size()));
  }
  // Runs the loop until nothing is left to read (every writer closed) or nothing is ready.
  void Run() {
    io_.restart();
    io_.run_for(std::chrono::milliseconds(200));
  }
  void Poll() {
    io_.restart();
    for (int i = 0; i < 50 && io_.poll() > 0;) ++i;
  }
  std::string Output() {
    std::string s;
    char buf[65536];
    ssize_t n;
    while ((n = ::read(out_[0], buf, sizeof(buf))) > 0) s.append(buf, static_cast<size_t>(n));
    return s;
  }
  boost::asio::io_context io_;
  int out_[2] = {-1, -1};
  std::unique_ptr<OutputTap> tap_;
};

TEST_F(OutputTapTest, RawPassesBytesThroughAndKeepsTheTail) {
  int w = Child("s", "", 7);
  Put(w, " * Starting x ...");
  Poll();
  Put(w, " [ ok ]\n");
  ::close(w);
  Run();
  EXPECT_EQ(Output(), " * Starting x ... [ ok ]\n");
  EXPECT_EQ(tap_->Tail("s"), " * Starting x ... [ ok ]\n");
  tap_->Reset("s");
  EXPECT_EQ(tap_->Tail("s"), "");
}

TEST_F(OutputTapTest, TaggedSplitsLinesAndPrefixesTagAndPid) {
  int w = Child("foo.service", "foo", 4242);
  Put(w, "hello\nwor");
  Poll();
  EXPECT_EQ(Output(), "foo[4242]: hello\n");  // the partial line is held
  Put(w, "ld\n\n  spaced \t\r\nlast\n");
  ::close(w);
  Run();
  EXPECT_EQ(Output(), "foo[4242]: world\nfoo[4242]: \nfoo[4242]:   spaced \t\r\nfoo[4242]: last\n");
}

TEST_F(OutputTapTest, TaggedFlushesThePartialLineAtEof) {
  int w = Child("a", "a", 5);
  Put(w, "one\nno newline");
  Poll();
  EXPECT_EQ(Output(), "a[5]: one\n");
  ::close(w);
  Run();
  EXPECT_EQ(Output(), "a[5]: no newline\n");
}

TEST_F(OutputTapTest, TaggedLongLinesAreCutAtTheBound) {
  const size_t k = OutputTap::kLineBytes;
  int w = Child("a", "t", 9);
  std::string longer(2 * k + 100, 'x');
  Put(w, longer + "\n" + std::string(k, 'y') + "\n");
  Put(w, std::string(k + 1, 'z'));  // no newline: k of it written, 1 held until EOF
  Poll();
  std::string p = "t[9]: ";
  EXPECT_EQ(Output(), p + std::string(k, 'x') + "\n" + p + std::string(k, 'x') + "\n" + p +
                          std::string(100, 'x') + "\n" + p + std::string(k, 'y') + "\n" + p +
                          std::string(k, 'z') + "\n");
  ::close(w);
  Run();
  EXPECT_EQ(Output(), p + "z\n");
}

TEST_F(OutputTapTest, TaggedKeepsTheRawTailBounded) {
  int w = Child("a", "t", 9);
  Put(w, std::string(3 * OutputTap::kTailBytes, 'q') + "\nbye\n");
  ::close(w);
  Run();
  std::string tail = tap_->Tail("a");
  EXPECT_EQ(tail.size(), OutputTap::kTailBytes);
  EXPECT_TRUE(tail.ends_with("qq\nbye\n")) << tail;
  EXPECT_EQ(tail.find('['), std::string::npos);  // untagged
}

TEST_F(OutputTapTest, EachPipeHasItsOwnPidAndPartialLine) {
  int a = Child("s", "s", 1);
  int b = Child("s", "s", 2);
  Put(a, "from ");
  Put(b, "other\n");
  Poll();
  EXPECT_EQ(Output(), "s[2]: other\n");
  Put(a, "a\n");
  ::close(a);
  ::close(b);
  Run();
  EXPECT_EQ(Output(), "s[1]: from a\n");
}

TEST_F(OutputTapTest, NoPidWhenTheSpawnFailed) {
  int w = Child("s", "s", -1);
  Put(w, "x\n");
  ::close(w);
  Run();
  EXPECT_EQ(Output(), "s: x\n");
}

TEST_F(OutputTapTest, DrainReadsWhatIsThereNow) {
  int w = Child("s", "s", 3);
  Put(w, "said\n");
  tap_->Drain("s");
  EXPECT_EQ(Output(), "s[3]: said\n");
  EXPECT_EQ(tap_->Tail("s"), "said\n");
  ::close(w);
  Run();
  EXPECT_EQ(Output(), "");
}

TEST_F(OutputTapTest, ExitedReadsThatChildsPipeAtOnce) {
  int a = Child("s", "s", 3);
  int b = Child("t", "t", 4);
  Put(a, "one\nlast words");
  Put(b, "other\n");
  tap_->Exited(4);  // only pid 4's pipe; it is still open: no EOF yet
  EXPECT_EQ(Output(), "t[4]: other\n");
  ::close(a);
  tap_->Exited(3);  // EOF: the partial line is complete
  EXPECT_EQ(Output(), "s[3]: one\ns[3]: last words\n");
  ::close(b);
  Run();
  EXPECT_EQ(Output(), "");
}

TEST_F(OutputTapTest, DestroyingTheTapFlushesHeldLines) {
  int w = Child("s", "s", 3);
  Put(w, "unfinished");
  Poll();
  EXPECT_EQ(Output(), "");
  tap_.reset();
  EXPECT_EQ(Output(), "s[3]: unfinished\n");
  ::close(w);
}

}  // namespace
}  // namespace ctinit
