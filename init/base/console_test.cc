// console::Stream on a pipe nobody reads: writing never blocks, what does not fit is dropped and
// counted, and the count is reported once the reader catches up.
#include "init/base/console.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <string>

namespace ctinit::console {
namespace {

class ConsoleTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(::pipe2(fds_, O_CLOEXEC), 0); }
  void TearDown() override {
    for (int fd : fds_)
      if (fd >= 0) ::close(fd);
  }
  // Reads what the pipe holds now.
  std::string ReadNow() {
    std::string out;
    char buf[65536];
    for (;;) {
      pollfd p{fds_[0], POLLIN, 0};
      if (::poll(&p, 1, 0) != 1) return out;
      ssize_t n = ::read(fds_[0], buf, sizeof(buf));
      if (n <= 0) return out;
      out.append(buf, static_cast<size_t>(n));
    }
  }
  int fds_[2] = {-1, -1};
};

TEST_F(ConsoleTest, TenMegabytesToAStalledPipeReturnPromptlyAndTheDropIsCounted) {
  Stream stream(fds_[1]);
  const std::string line = std::string(99, 'x') + "\n";
  constexpr size_t kLines = 100 * 1024;  // 10 MiB
  auto t0 = std::chrono::steady_clock::now();
  for (size_t i = 0; i < kLines; ++i) stream.Write(line);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
  EXPECT_TRUE(stream.pending());
  // The pipe (64 KiB) and the buffer (256 KiB) hold what was not dropped, whole lines only.
  const uint64_t total = kLines * line.size();
  EXPECT_GT(stream.dropped_total(), total - 400 * 1024);
  EXPECT_EQ(stream.dropped_total() % line.size(), 0u);
  // The shared description is left as it was: blocking.
  EXPECT_EQ(::fcntl(fds_[1], F_GETFL) & O_NONBLOCK, 0);

  std::string got;
  for (int i = 0; i < 1000 && stream.pending(); ++i) {
    got += ReadNow();
    stream.Flush();
  }
  got += ReadNow();
  EXPECT_FALSE(stream.pending());
  const std::string report = "ctinit: warning: " + std::to_string(stream.dropped_total()) +
                             " bytes of console output dropped\n";
  ASSERT_GE(got.size(), report.size());
  EXPECT_EQ(got.substr(got.size() - report.size()), report);
  EXPECT_EQ(got.size() - report.size() + stream.dropped_total(), total);
}

TEST_F(ConsoleTest, AReaderThatKeepsUpLosesNothing) {
  Stream stream(fds_[1]);
  std::string got;
  for (int i = 0; i < 1000; ++i) {
    stream.Write("line " + std::to_string(i) + "\n");
    got += ReadNow();
  }
  stream.Flush();
  got += ReadNow();
  EXPECT_EQ(stream.dropped_total(), 0u);
  EXPECT_EQ(got.find("dropped"), std::string::npos);
  EXPECT_EQ(got.substr(0, 7), "line 0\n");
  EXPECT_EQ(got.substr(got.size() - 9), "line 999\n");
}

TEST_F(ConsoleTest, TheBufferKeepsOrderAndTellsWhenItFills) {
  int calls = 0;
  Stream stream(fds_[1], /*buffer_bytes=*/100);
  stream.SetOnPending([&] { ++calls; });
  std::string fill(64 * 1024, 'p');  // exactly the pipe's capacity
  stream.Write(fill);
  EXPECT_FALSE(stream.pending());
  stream.Write("first\n");
  stream.Write("second\n");
  EXPECT_TRUE(stream.pending());
  EXPECT_EQ(calls, 1);                         // once, on the way to pending
  stream.Write(std::string(200, 'z') + "\n");  // over the buffer: dropped whole
  EXPECT_EQ(stream.dropped_total(), 201u);
  std::string got = ReadNow();
  stream.Flush();
  got += ReadNow();
  EXPECT_EQ(got, fill + "first\nsecond\nctinit: warning: 201 bytes of console output dropped\n");
}

TEST_F(ConsoleTest, NobodyReadingAtAllDoesNotBlockOrStayPending) {
  ::close(fds_[0]);
  fds_[0] = -1;
  Stream stream(fds_[1]);  // SIGPIPE: ignored below, as PID 1 does
  auto old = ::signal(SIGPIPE, SIG_IGN);
  stream.Write("into the void\n");
  ::signal(SIGPIPE, old);
  EXPECT_FALSE(stream.pending());
}

}  // namespace
}  // namespace ctinit::console
