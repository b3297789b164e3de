#include "init/base/passwd.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tests/unit/temp_dir.h"

namespace ctinit::passwd {
namespace {

class PasswdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    root_ = dir_.path();
    std::filesystem::create_directories(root_ + "/etc");
    std::ofstream(root_ + "/etc/passwd") << "root:x:0:0:root:/root:/bin/bash\n"
                                            "# comment\n"
                                            "+nis\n"
                                            "broken:x:notanumber:1:::\n"
                                            "www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n"
                                            "redis:x:100:101::/var/lib/redis:/bin/false\n";
    std::ofstream(root_ + "/etc/group") << "root:x:0:\n"
                                           "www-data:x:33:\n"
                                           "redis:x:101:\n"
                                           "adm:x:4:redis,other\n"
                                           "video:x:44:other\n";
  }
  testutil::TempDir dir_{"ctinit-passwd"};  // removed with the fixture
  std::string root_;
};

TEST_F(PasswdTest, FindsUsersByNameAndId) {
  auto u = FindUser(root_, "www-data");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->uid, 33u);
  EXPECT_EQ(u->home, "/var/www");
  auto by_id = FindUser(root_, "100");
  ASSERT_TRUE(by_id);
  EXPECT_EQ(by_id->name, "redis");
  EXPECT_FALSE(FindUser(root_, "broken"));
  EXPECT_FALSE(FindUser(root_, "nobody"));
  auto bare = FindUser(root_, "4242");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->uid, 4242u);
}

TEST_F(PasswdTest, ResolvesUserGroupAndMemberships) {
  std::string err;
  auto c = Resolve(root_, "redis", "", {}, &err);
  ASSERT_TRUE(c) << err;
  EXPECT_EQ(c->uid, 100u);
  EXPECT_EQ(c->gid, 101u);
  EXPECT_EQ(c->groups, (std::vector<gid_t>{101, 4}));
  auto colon = Resolve(root_, "redis:www-data", "", {"video"}, &err);
  ASSERT_TRUE(colon) << err;
  EXPECT_EQ(colon->gid, 33u);
  EXPECT_EQ(colon->groups, (std::vector<gid_t>{33, 4, 44}));
  EXPECT_FALSE(Resolve(root_, "ghost", "", {}, &err));
  EXPECT_EQ(err, "unknown user \"ghost\"");
  EXPECT_FALSE(Resolve(root_, "redis", "nogroup", {}, &err));
  EXPECT_EQ(err, "unknown group \"nogroup\"");
}

}  // namespace
}  // namespace ctinit::passwd
