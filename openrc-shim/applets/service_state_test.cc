#include "openrc-shim/applets/service_state.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace ctinit::openrc {
namespace {
namespace fs = std::filesystem;

TEST(ServiceState, MarkKeepsOneStateLinkAndClearsOptions) {
  char tmpl[] = "/tmp/ctinit-service-state-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::string err;
  ASSERT_TRUE(EnsureSvcDir(dir, &err)) << err;
  EXPECT_EQ(GetState(dir, "web"), kStateStopped);
  ASSERT_TRUE(Mark(dir, "web", kStateStarting, "/etc/init.d/web", &err)) << err;
  EXPECT_EQ(GetState(dir, "web"), kStateStarting);
  ASSERT_TRUE(Mark(dir, "web", kStateStarted, "/etc/init.d/web", &err));
  EXPECT_EQ(GetState(dir, "web"), kStateStarted);
  EXPECT_EQ(fs::read_symlink(dir + "/started/web").string(), "/etc/init.d/web");
  EXPECT_FALSE(fs::is_symlink(dir + "/starting/web"));
  EXPECT_EQ(ServicesIn(dir, "started"), std::vector<std::string>{"web"});
  fs::create_directories(dir + "/options/web");
  std::ofstream(dir + "/options/web/pidfile") << "/run/web.pid";
  ASSERT_TRUE(Mark(dir, "web", kStateStopped, "/etc/init.d/web", &err));
  EXPECT_EQ(GetState(dir, "web"), kStateStopped);
  EXPECT_FALSE(fs::exists(dir + "/options/web"));
  EXPECT_EQ(CurrentRunlevel(dir), "sysinit");
  int fd = LockService(dir, "web");
  ASSERT_GE(fd, 0);
  EXPECT_EQ(LockService(dir, "web"), -1);  // flock is per open file description
  close(fd);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace ctinit::openrc
