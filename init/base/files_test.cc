#include "init/base/files.h"

#include <gtest/gtest.h>

#include "tests/unit/temp_dir.h"

namespace ctinit::files {
namespace {

using Strings = std::vector<std::string>;

TEST(FilesUnder, RootPrefix) {
  EXPECT_EQ(Under("/", "/etc/passwd"), "/etc/passwd");
  EXPECT_EQ(Under("", "/etc/passwd"), "/etc/passwd");
  EXPECT_EQ(Under("/srv/img", "/etc/passwd"), "/srv/img/etc/passwd");
  EXPECT_EQ(Under("/srv/img//", "/etc/passwd"), "/srv/img/etc/passwd");
}

TEST(FilesBaseName, LastComponent) {
  EXPECT_EQ(BaseName("/lib/systemd/system/a.service"), "a.service");
  EXPECT_EQ(BaseName("a.service"), "a.service");
  EXPECT_EQ(BaseName("/a/"), "");
}

TEST(FilesRead, WholeFileAndFirstLine) {
  testutil::TempDir dir;
  dir.Write("/f", std::string("one\ntwo\0three", 13));
  std::string text = "old";
  ASSERT_TRUE(ReadFile(dir.Path("/f"), &text));
  EXPECT_EQ(text, std::string("one\ntwo\0three", 13));
  EXPECT_EQ(ReadFirstLine(dir.Path("/f")), "one");
  EXPECT_FALSE(ReadFile(dir.Path("/missing"), &text));
  EXPECT_EQ(text, std::string("one\ntwo\0three", 13));  // untouched on failure
  EXPECT_EQ(ReadFirstLine(dir.Path("/missing")), "");
}

TEST(FilesLinks, ExistsIsSymlinkReadLink) {
  testutil::TempDir dir;
  dir.Write("/d/file", "x");
  dir.Link("/nowhere", "/d/dangling");
  dir.Link("file", "/d/link");
  EXPECT_TRUE(Exists(dir.Path("/d/file")));
  EXPECT_TRUE(Exists(dir.Path("/d/dangling")));
  EXPECT_FALSE(Exists(dir.Path("/d/none")));
  EXPECT_FALSE(Exists(""));
  EXPECT_TRUE(IsSymlink(dir.Path("/d/link")));
  EXPECT_FALSE(IsSymlink(dir.Path("/d/file")));
  EXPECT_EQ(ReadLink(dir.Path("/d/dangling")), "/nowhere");
  EXPECT_EQ(ReadLink(dir.Path("/d/file")), std::nullopt);
}

TEST(FilesListDir, SortedWithoutDots) {
  testutil::TempDir dir;
  dir.Write("/d/b", "");
  dir.Write("/d/a", "");
  dir.MakeDir("/d/c");
  EXPECT_EQ(ListDir(dir.Path("/d")), (Strings{"a", "b", "c"}));
  EXPECT_EQ(ListDir(dir.Path("/missing")), Strings{});
}

TEST(TempDirFixture, RemovedWithItsContents) {
  std::string path;
  {
    testutil::TempDir dir("ctinit-tempdir");
    path = dir.path();
    dir.Write("/a/b/c", "text", 0600);
    EXPECT_EQ(dir.Read("/a/b/c"), "text");
    EXPECT_TRUE(dir.Exists("/a/b"));
    EXPECT_NE(path.find("/tmp/ctinit-tempdir-"), std::string::npos);
  }
  EXPECT_FALSE(Exists(path));
}

}  // namespace
}  // namespace ctinit::files
