// sys::MakeDirectoryBelow / RemoveDirectoryBelow on a real temporary tree: what a service's
// user can plant in its own directories (links, deep trees) must not make PID 1 act outside them.
#include "init/runtime/service_dirs.h"

#include <dirent.h>
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <string>
#include <vector>

#include "init/base/files.h"
#include "init/runtime/system.h"
#include "tests/unit/temp_dir.h"

namespace ctinit {
namespace {

using ::testing::HasSubstr;

class ServiceDirsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(temp_.path().empty());
    base_ = temp_.Path("/run");
    outside_ = temp_.Path("/outside");
    ASSERT_EQ(::mkdir(base_.c_str(), 0755), 0);
    ASSERT_EQ(::mkdir(outside_.c_str(), 0700), 0);
    temp_.Write("/outside/keep", "precious");
  }
  static mode_t Mode(const std::string& p) {
    struct stat st {};
    return ::lstat(p.c_str(), &st) == 0 ? st.st_mode : 0;
  }
  bool Make(const std::string& rel, mode_t mode = 0750) {
    err_.clear();
    return sys::MakeDirectoryBelow(base_, rel, mode, ::getuid(), ::getgid(), &err_);
  }
  bool Remove(const std::string& rel) {
    err_.clear();
    return sys::RemoveDirectoryBelow(base_, rel, &err_);
  }
  testutil::TempDir temp_{"ctinit-dirs"};
  std::string base_, outside_, err_;
};

TEST_F(ServiceDirsTest, MakesNestedDirectoriesWithModeDespiteTheUmask) {
  mode_t old = ::umask(077);
  bool ok = Make("a/b/c", 0750);
  ::umask(old);
  ASSERT_TRUE(ok) << err_;
  EXPECT_EQ(Mode(base_ + "/a/b/c") & 07777, 0750u);
  EXPECT_EQ(Mode(base_ + "/a") & 07777, 0755u);
  EXPECT_EQ(Mode(base_ + "/a/b") & 07777, 0755u);
}

TEST_F(ServiceDirsTest, AnExistingDirectoryGetsItsModeFixed) {
  ASSERT_EQ(::mkdir((base_ + "/d").c_str(), 0700), 0);
  ASSERT_TRUE(Make("d", 0711)) << err_;
  EXPECT_EQ(Mode(base_ + "/d") & 07777, 0711u);
}

TEST_F(ServiceDirsTest, OwnerIsSetAlsoOnAnExistingDirectory) {
  if (::getuid() != 0) GTEST_SKIP() << "needs root to chown";
  ASSERT_TRUE(Make("x", 0711)) << err_;
  ASSERT_TRUE(sys::MakeDirectoryBelow(base_, "x", 0711, 1234, 5678, &err_)) << err_;
  struct stat st {};
  ASSERT_EQ(::stat((base_ + "/x").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 1234u);
  EXPECT_EQ(st.st_gid, 5678u);
}

TEST_F(ServiceDirsTest, AFileInTheWayFails) {
  temp_.Write("/run/f", "x");
  EXPECT_FALSE(Make("f"));
  EXPECT_THAT(err_, HasSubstr("Not a directory"));
  EXPECT_FALSE(Make("f/sub"));
  EXPECT_THAT(err_, HasSubstr("Not a directory"));
  EXPECT_TRUE(S_ISREG(Mode(base_ + "/f")));
}

TEST_F(ServiceDirsTest, MakesAMissingBase) {
  base_ = temp_.Path("/var/lib");
  ASSERT_TRUE(Make("x")) << err_;
  EXPECT_TRUE(S_ISDIR(Mode(base_ + "/x")));
}

// RuntimeDirectory=. would chown /run itself to the service user and remove it on stop.
TEST_F(ServiceDirsTest, PathsThatAreNotNormalisedAreRefused) {
  for (const char* rel : {"", ".", "./", "..", "../outside", "a/../..", "a//b", "/abs", "a/."}) {
    EXPECT_FALSE(Make(rel)) << rel;
    EXPECT_THAT(err_, HasSubstr("not a normalised relative path")) << rel;
    EXPECT_FALSE(Remove(rel)) << rel;
  }
  EXPECT_EQ(Mode(base_) & 07777, 0755u);
  EXPECT_TRUE(files::Exists(outside_ + "/keep"));
}

TEST_F(ServiceDirsTest, ALinkOnTheWayIsNotFollowed) {
  ASSERT_EQ(::symlink(outside_.c_str(), (base_ + "/svc").c_str()), 0);
  EXPECT_FALSE(Make("svc/sub"));
  EXPECT_THAT(err_, HasSubstr("symbolic link"));
  EXPECT_FALSE(files::Exists(outside_ + "/sub"));
  EXPECT_FALSE(Remove("svc/keep"));
  EXPECT_TRUE(files::Exists(outside_ + "/keep"));
}

TEST_F(ServiceDirsTest, ALinkAsTheDirectoryItselfIsNotChmodded) {
  ASSERT_EQ(::symlink(outside_.c_str(), (base_ + "/svc").c_str()), 0);
  EXPECT_FALSE(Make("svc", 0777));
  EXPECT_EQ(Mode(outside_) & 07777, 0700u);
}

TEST_F(ServiceDirsTest, RemovesTheTreeButNotWhatItsLinksPointAt) {
  ASSERT_TRUE(Make("svc/state")) << err_;
  temp_.Write("/run/svc/state/file", "x");
  ASSERT_EQ(::mkdir((base_ + "/svc/state/deeper").c_str(), 0755), 0);
  ASSERT_EQ(::symlink(outside_.c_str(), (base_ + "/svc/state/deeper/link").c_str()), 0);
  ASSERT_TRUE(Remove("svc/state")) << err_;
  EXPECT_FALSE(files::Exists(base_ + "/svc/state"));
  EXPECT_TRUE(S_ISDIR(Mode(base_ + "/svc")));
  EXPECT_TRUE(S_ISDIR(Mode(base_)));
  EXPECT_TRUE(files::Exists(outside_ + "/keep"));
}

TEST_F(ServiceDirsTest, RemovingWhatIsMissingIsFine) {
  EXPECT_TRUE(Remove("never/made")) << err_;
  EXPECT_TRUE(Remove("gone")) << err_;
}

TEST_F(ServiceDirsTest, ATreeDeeperThanTheLimitIsLeftWithAMessage) {
  std::string rel = "deep";
  ASSERT_TRUE(Make(rel)) << err_;
  std::string p = base_ + "/" + rel;
  for (int i = 0; i < sys::kMaxDepth + 2; ++i) {
    p += "/d";
    ASSERT_EQ(::mkdir(p.c_str(), 0755), 0);
  }
  EXPECT_FALSE(Remove(rel));
  EXPECT_THAT(err_, HasSubstr("deeper than"));
  EXPECT_TRUE(S_ISDIR(Mode(base_)));
}

// Entries directly in `dir` (names), "." and ".." left out.
std::vector<std::string> Entries(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (struct dirent* e = ::readdir(d))
      if (std::string(e->d_name) != "." && std::string(e->d_name) != "..")
        names.push_back(e->d_name);
    ::closedir(d);
  }
  return names;
}

// `files` empty files in dir (which exists).
void Fill(const std::string& dir, int files) {
  for (int i = 0; i < files; ++i) {
    int fd = ::open((dir + "/f" + std::to_string(i)).c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    ASSERT_GE(fd, 0);
    ::close(fd);
  }
}

// A service's user decides how many entries its directory holds; PID 1 must get back to its
// loop after a bounded amount of work however many there are.
TEST_F(ServiceDirsTest, RemovalWorksInStepsOfBoundedSize) {
  ASSERT_TRUE(Make("big/nested")) << err_;
  Fill(base_ + "/big", 2000);
  Fill(base_ + "/big/nested", 1000);
  sys::DirectoryRemoval removal(base_, "big");
  EXPECT_FALSE(files::Exists(base_ + "/big"));  // renamed out of the way at once
  int steps = 0;
  size_t before = 0;
  while (!removal.Step(100)) {
    ++steps;
    EXPECT_LE(removal.removed() - before, 100u);
    before = removal.removed();
    ASSERT_LT(steps, 1000);
  }
  EXPECT_TRUE(removal.ok()) << removal.error();
  EXPECT_GE(steps, 30);  // 3,002 entries (files, nested, big itself), 100 at a time
  EXPECT_EQ(removal.removed(), 3002u);
  EXPECT_THAT(Entries(base_), ::testing::IsEmpty());  // no hidden tree left behind either
}

// A busy disk can make a thousand unlinks slow: a step also ends at its deadline, after a few
// entries at least (so that every step gets somewhere).
TEST_F(ServiceDirsTest, AStepEndsAtItsDeadline) {
  ASSERT_TRUE(Make("svc")) << err_;
  Fill(base_ + "/svc", 200);
  sys::DirectoryRemoval removal(base_, "svc");
  auto past = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  EXPECT_FALSE(removal.Step(1000, past));
  EXPECT_GE(removal.removed(), 1u);
  EXPECT_LE(removal.removed(), 16u);
  EXPECT_TRUE(removal.Step(1000));
  EXPECT_TRUE(removal.ok()) << removal.error();
}

// A restart makes the directory again while the old tree is still being removed: the new one
// is not touched.
TEST_F(ServiceDirsTest, ThePathIsFreeForANewDirectoryWhileTheOldOneIsRemoved) {
  ASSERT_TRUE(Make("svc")) << err_;
  Fill(base_ + "/svc", 500);
  sys::DirectoryRemoval removal(base_, "svc");
  ASSERT_FALSE(removal.Step(10));
  ASSERT_TRUE(Make("svc")) << err_;
  temp_.Write("/run/svc/new", "x");
  while (!removal.Step(10)) {
  }
  EXPECT_TRUE(removal.ok()) << removal.error();
  EXPECT_THAT(Entries(base_ + "/svc"), ::testing::ElementsAre("new"));
  EXPECT_THAT(Entries(base_), ::testing::ElementsAre("svc"));
}

TEST_F(ServiceDirsTest, ALinkInPlaceOfTheDirectoryIsRemovedNotFollowed) {
  ASSERT_EQ(::symlink(outside_.c_str(), (base_ + "/svc").c_str()), 0);
  EXPECT_TRUE(Remove("svc")) << err_;
  EXPECT_FALSE(files::Exists(base_ + "/svc"));
  EXPECT_TRUE(files::Exists(outside_ + "/keep"));
}

// What PID 1 calls: one bounded step, then the rest on later turns of its loop.
TEST_F(ServiceDirsTest, RealSystemRemovesOnLaterTurnsOfTheLoop) {
  ASSERT_TRUE(Make("svc")) << err_;
  Fill(base_ + "/svc", 3000);
  boost::asio::io_context io;
  RealSystem system(io);
  ServiceSpec::Directory dir;
  dir.base = base_;
  dir.path = base_ + "/svc";
  ASSERT_TRUE(system.RemoveServiceDirectory(dir, &err_)) << err_;
  EXPECT_FALSE(files::Exists(base_ + "/svc"));
  EXPECT_EQ(Entries(base_).size(), 1u);  // the renamed tree, not yet empty
  size_t turns = 0;
  while (io.run_one() > 0) ++turns;
  EXPECT_GE(turns, 3u);  // 3,001 entries, at most 1,000 per turn
  EXPECT_THAT(Entries(base_), ::testing::IsEmpty());
}

TEST(NormalisedRelativePathTest, AcceptsOnlyPlainRelativePaths) {
  EXPECT_TRUE(files::IsNormalisedRelativePath("a"));
  EXPECT_TRUE(files::IsNormalisedRelativePath("a/b.c/..d"));
  for (const char* p : {"", ".", "..", "./a", "a/./b", "a//b", "a/", "/a", "a/.."})
    EXPECT_FALSE(files::IsNormalisedRelativePath(p)) << p;
}

}  // namespace
}  // namespace ctinit
