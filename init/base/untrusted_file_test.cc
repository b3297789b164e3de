// ReadUntrustedFile: what a service may plant where PID 1 reads (a FIFO, a symlink, a directory,
// a huge file) is refused at once instead of blocking or filling memory.
#include "init/base/untrusted_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "tests/unit/temp_dir.h"

namespace ctinit::files {
namespace {

class UntrustedFileTest : public ::testing::Test {
 protected:
  testutil::TempDir dir_{"ctinit-untrusted"};
};

TEST_F(UntrustedFileTest, ARegularFileIsReadWhole) {
  dir_.Write("/f", "one\ntwo\n");
  std::string text, err;
  ASSERT_TRUE(ReadUntrustedFile(dir_.Path("/f"), {}, &text, &err)) << err;
  EXPECT_EQ(text, "one\ntwo\n");
}

TEST_F(UntrustedFileTest, AFifoIsRefusedWithoutWaitingForAWriter) {
  ASSERT_EQ(::mkfifo(dir_.Path("/fifo").c_str(), 0600), 0);
  auto t0 = std::chrono::steady_clock::now();
  std::string text, err;
  EXPECT_FALSE(ReadUntrustedFile(dir_.Path("/fifo"), {}, &text, &err));
  EXPECT_EQ(err, "not a regular file");
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(1));
  EXPECT_FALSE(ReadUntrustedFile(dir_.Path("/fifo"), {.follow_links = true}, &text, &err));
}

TEST_F(UntrustedFileTest, ADirectoryIsRefused) {
  ASSERT_EQ(::mkdir(dir_.Path("/d").c_str(), 0700), 0);
  std::string text, err;
  EXPECT_FALSE(ReadUntrustedFile(dir_.Path("/d"), {}, &text, &err));
  EXPECT_EQ(err, "not a regular file");
}

TEST_F(UntrustedFileTest, ASymlinkIsRefusedUnlessLinksAreFollowed) {
  dir_.Write("/target", "42\n");
  ASSERT_EQ(::symlink(dir_.Path("/target").c_str(), dir_.Path("/link").c_str()), 0);
  std::string text, err;
  EXPECT_FALSE(ReadUntrustedFile(dir_.Path("/link"), {}, &text, &err));
  EXPECT_EQ(err, "a symbolic link");
  ASSERT_TRUE(ReadUntrustedFile(dir_.Path("/link"), {.follow_links = true}, &text, &err)) << err;
  EXPECT_EQ(text, "42\n");
}

TEST_F(UntrustedFileTest, ALinkToAFifoIsRefusedEvenWhenFollowed) {
  ASSERT_EQ(::mkfifo(dir_.Path("/fifo").c_str(), 0600), 0);
  ASSERT_EQ(::symlink(dir_.Path("/fifo").c_str(), dir_.Path("/link").c_str()), 0);
  std::string text, err;
  EXPECT_FALSE(ReadUntrustedFile(dir_.Path("/link"), {.follow_links = true}, &text, &err));
  EXPECT_EQ(err, "not a regular file");
}

TEST_F(UntrustedFileTest, AFileOverTheCapIsRefusedNotTruncated) {
  dir_.Write("/big", std::string(1001, 'x'));
  std::string text, err;
  EXPECT_FALSE(ReadUntrustedFile(dir_.Path("/big"), {.max_bytes = 1000}, &text, &err));
  EXPECT_EQ(err, "larger than 1000 bytes");
  ASSERT_TRUE(ReadUntrustedFile(dir_.Path("/big"), {.max_bytes = 1001}, &text, &err)) << err;
  EXPECT_EQ(text.size(), 1001u);
}

TEST_F(UntrustedFileTest, AMissingFileSaysSo) {
  std::string text, err;
  EXPECT_FALSE(ReadUntrustedFile(dir_.Path("/none"), {}, &text, &err));
  EXPECT_EQ(err, "No such file or directory");
}

}  // namespace
}  // namespace ctinit::files
