// sys::MakeDirectoryBelow / RemoveDirectoryBelow on a real temporary tree: what a service's
// user can plant in its own directories (links, deep trees) must not make PID 1 act outside them.
#include "init/runtime/service_dirs.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "init/base/files.h"
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

TEST(NormalisedRelativePathTest, AcceptsOnlyPlainRelativePaths) {
  EXPECT_TRUE(files::IsNormalisedRelativePath("a"));
  EXPECT_TRUE(files::IsNormalisedRelativePath("a/b.c/..d"));
  for (const char* p : {"", ".", "..", "./a", "a/./b", "a//b", "a/", "/a", "a/.."})
    EXPECT_FALSE(files::IsNormalisedRelativePath(p)) << p;
}

}  // namespace
}  // namespace ctinit
