#include "openrc-shim/applets/rc_tools.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "openrc-shim/applets/checkpath.h"

namespace ctinit::openrc {
namespace {
namespace fs = std::filesystem;

class RcToolsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ctinit-rctools-XXXXXX";
    root_ = mkdtemp(tmpl);
    fs::create_directories(root_ + "/etc/init.d");
    fs::create_directories(root_ + "/etc/runlevels/default");
    fs::create_directories(root_ + "/etc/runlevels/custom");
    for (const char* s : {"web", "db"}) {
      std::ofstream(root_ + "/etc/init.d/" + s) << "#!/sbin/openrc-run\n";
    }
    std::ofstream(root_ + "/etc/passwd") << "root:x:0:0::/root:/bin/sh\nwww:x:33:33::/:/bin/sh\n";
    std::ofstream(root_ + "/etc/group") << "root:x:0:\nwww:x:33:\n";
  }
  void TearDown() override { fs::remove_all(root_); }
  std::string Link(const std::string& p) {
    std::error_code ec;
    return fs::read_symlink(root_ + p, ec).string();
  }
  bool Exists(const std::string& p) {
    struct stat st;
    return lstat((root_ + p).c_str(), &st) == 0;
  }
  std::string root_;
};

TEST_F(RcToolsTest, AddWritesOpenrcsSymlink) {
  EXPECT_EQ(RcUpdateMain({"add", "web", "default"}, root_), 0);
  EXPECT_EQ(Link("/etc/runlevels/default/web"), "/etc/init.d/web");
  // Again: a warning, still 0, link unchanged.
  EXPECT_EQ(RcUpdateMain({"add", "web", "default"}, root_), 0);
  // No level given and no softlevel: "default".
  EXPECT_EQ(RcUpdateMain({"add", "db"}, root_), 0);
  EXPECT_EQ(Link("/etc/runlevels/default/db"), "/etc/init.d/db");
  // A reserved level is created, another one is not.
  EXPECT_EQ(RcUpdateMain({"add", "db", "boot"}, root_), 0);
  EXPECT_EQ(Link("/etc/runlevels/boot/db"), "/etc/init.d/db");
  EXPECT_EQ(RcUpdateMain({"add", "db", "nosuchlevel"}, root_), 1);
  EXPECT_FALSE(Exists("/etc/runlevels/nosuchlevel"));
  EXPECT_EQ(RcUpdateMain({"add", "nosuchsvc", "default"}, root_), 1);
  EXPECT_FALSE(Exists("/etc/runlevels/default/nosuchsvc"));
}

TEST_F(RcToolsTest, AddUsesTheCurrentRunlevel) {
  fs::create_directories(root_ + "/run/openrc");
  std::ofstream(root_ + "/run/openrc/softlevel") << "custom\n";
  EXPECT_EQ(RcUpdateMain({"add", "web"}, root_), 0);
  EXPECT_EQ(Link("/etc/runlevels/custom/web"), "/etc/init.d/web");
}

TEST_F(RcToolsTest, DelAndDelAll) {
  ASSERT_EQ(RcUpdateMain({"add", "web", "default", "custom"}, root_), 0);
  EXPECT_EQ(RcUpdateMain({"del", "web", "custom"}, root_), 0);
  EXPECT_FALSE(Exists("/etc/runlevels/custom/web"));
  EXPECT_TRUE(Exists("/etc/runlevels/default/web"));
  EXPECT_EQ(RcUpdateMain({"del", "web", "custom"}, root_), 1);
  ASSERT_EQ(RcUpdateMain({"add", "web", "custom"}, root_), 0);
  EXPECT_EQ(RcUpdateMain({"-a", "delete", "web"}, root_), 0);
  EXPECT_FALSE(Exists("/etc/runlevels/custom/web"));
  EXPECT_FALSE(Exists("/etc/runlevels/default/web"));
  EXPECT_EQ(RcUpdateMain({"-a", "del", "web"}, root_), 1);
}

TEST_F(RcToolsTest, StackAddsARelativeLevelLink) {
  EXPECT_EQ(RcUpdateMain({"-s", "add", "custom", "default"}, root_), 0);
  EXPECT_EQ(Link("/etc/runlevels/default/custom"), "../custom");
  EXPECT_EQ(RcUpdateMain({"-s", "del", "custom", "default"}, root_), 0);
  EXPECT_FALSE(Exists("/etc/runlevels/default/custom"));
}

TEST_F(RcToolsTest, ResolvePrefersTheStartedLink) {
  EXPECT_EQ(ResolveService("web", root_), "/etc/init.d/web");
  EXPECT_EQ(ResolveService("nosuch", root_), "");
  fs::create_directories(root_ + "/usr/local/etc/init.d");
  std::ofstream(root_ + "/usr/local/etc/init.d/local") << "#!/sbin/openrc-run\n";
  EXPECT_EQ(ResolveService("local", root_), "/usr/local/etc/init.d/local");
  EXPECT_EQ(RcServiceMain({"-e", "web"}, root_), 0);
  EXPECT_EQ(RcServiceMain({"-e", "nosuch"}, root_), 1);
  EXPECT_EQ(RcServiceMain({"nosuch", "start"}, root_), 1);
  EXPECT_EQ(RcServiceMain({"-i", "nosuch", "start"}, root_), 0);
  EXPECT_EQ(RcServiceMain({"-s", "web", "stop"}, root_), 1);  // not started: nothing run
}

// rc-status prints to stdout; the captured text of one call and its exit code.
std::string StatusOutput(const std::vector<std::string>& args, const std::string& root, int* rc) {
  ::testing::internal::CaptureStdout();
  *rc = RcStatusMain(args, root);
  fflush(stdout);
  return ::testing::internal::GetCapturedStdout();
}

TEST_F(RcToolsTest, StatusModes) {
  ASSERT_EQ(RcUpdateMain({"-q", "add", "web", "default"}, root_), 0);
  fs::create_directories(root_ + "/run/openrc/started");
  std::ofstream(root_ + "/run/openrc/softlevel") << "default\n";
  fs::create_symlink("/etc/init.d/web", root_ + "/run/openrc/started/web");
  fs::create_symlink("/etc/init.d/db", root_ + "/run/openrc/started/db");
  int rc = -1;
  std::string out = StatusOutput({}, root_, &rc);
  EXPECT_EQ(rc, 0);
  EXPECT_NE(out.find("Runlevel: default\n"), std::string::npos) << out;
  EXPECT_NE(out.find(" web "), std::string::npos) << out;
  EXPECT_LT(out.find(" web "), out.find("Dynamic Runlevel: manual"));
  EXPECT_GT(out.find(" db "), out.find("Dynamic Runlevel: manual"));  // started, in no level
  EXPECT_EQ(StatusOutput({"-r"}, root_, &rc), "default\n");
  EXPECT_EQ(StatusOutput({"--list"}, root_, &rc), "custom\ndefault\n");
  out = StatusOutput({"-u"}, root_, &rc);
  EXPECT_NE(out.find(" db "), std::string::npos) << out;
  EXPECT_EQ(out.find(" web "), std::string::npos) << out;
  out = StatusOutput({"-m", "-C"}, root_, &rc);
  EXPECT_EQ(out.find("Runlevel"), std::string::npos) << out;
  EXPECT_NE(out.find(" db "), std::string::npos) << out;
  EXPECT_EQ(StatusOutput({"-c"}, root_, &rc), "");
  EXPECT_EQ(rc, 1);  // no crashed service
  StatusOutput({"--bogus"}, root_, &rc);
  EXPECT_EQ(rc, 1);
}

TEST_F(RcToolsTest, CheckpathLongOptionsWithValues) {
  std::string d = root_ + "/run-y";
  EXPECT_EQ(CheckpathMain({"--directory", "--quiet", "--mode=0700", "--owner=www", d}, root_), 0);
  struct stat st;
  ASSERT_EQ(stat(d.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  std::ofstream(d + "/old") << "x";
  EXPECT_EQ(CheckpathMain({"-q", "-D", "--mode", "0700", d}, root_), 0);
  EXPECT_TRUE(fs::is_empty(d));                                 // -D empties an existing directory
  EXPECT_EQ(CheckpathMain({"-d", d, "-m"}, root_), 1);          // -m without its value
  EXPECT_EQ(CheckpathMain({"-d", "-m", "0800", d}, root_), 1);  // not an octal mode
  EXPECT_EQ(CheckpathMain({"-d", "--bogus", d}, root_), 1);
  EXPECT_EQ(CheckpathMain({"-q", d}, root_), 1);  // no type
}

TEST_F(RcToolsTest, ServiceConditionsThatDoNotHoldRunNothing) {
  fs::create_directories(root_ + "/run/openrc/started");
  fs::create_symlink("/etc/init.d/web", root_ + "/run/openrc/started/web");
  // web is started: each of these conditions fails, so nothing is executed and the exit is 1.
  for (const char* cond :
       {"-N", "--ifnotstarted", "-S", "--ifstopped", "-I", "--ifinactive", "-c", "--ifcrashed"}) {
    EXPECT_EQ(RcServiceMain({cond, "web", "stop"}, root_), 1) << cond;
  }
  EXPECT_EQ(RcServiceMain({"--ifstarted", "db", "stop"}, root_), 1);  // db is stopped
}

TEST_F(RcToolsTest, CheckpathCreatesAndCorrects) {
  std::string d = root_ + "/run-x";
  EXPECT_EQ(CheckpathMain({"-q", "-d", "-m", "0750", "-o", "www:www", d}, root_), 0);
  struct stat st;
  ASSERT_EQ(stat(d.c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0750u);
  if (geteuid() == 0) {
    EXPECT_EQ(st.st_uid, 33u);
  }
  chmod(d.c_str(), 0700);
  EXPECT_EQ(CheckpathMain({"-q", "-d", "-m", "0750", d}, root_), 0);
  ASSERT_EQ(stat(d.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0750u);
  std::string f = d + "/file";
  EXPECT_EQ(CheckpathMain({"-q", "-f", f}, root_), 0);
  ASSERT_EQ(stat(f.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u);
  EXPECT_EQ(CheckpathMain({"-q", "-d", f}, root_), 1);  // wrong type
  std::ofstream(f) << "data";
  EXPECT_EQ(CheckpathMain({"-q", "-F", f}, root_), 0);
  EXPECT_EQ(fs::file_size(f), 0u);
  EXPECT_EQ(CheckpathMain({"-q", "-d", "-o", "nobody", d}, root_), 1);
  EXPECT_EQ(CheckpathMain({"-W", d}, root_), 0);
}

}  // namespace
}  // namespace ctinit::openrc
