#include "unit-compat/systemctl.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>

#include "unit-compat/unit_test_root.h"

namespace ctinit::units {
namespace {

using unittest::TempRoot;
namespace fs = std::filesystem;

class SystemctlOffline : public ::testing::Test {
 protected:
  void SetUp() override { root_.CopyFixture("debian12"); }
  int Run(std::vector<std::string> args) {
    out_.str("");
    err_.str("");
    return Systemctl(args, root_.path(), out_, err_);
  }
  // Every symlink under <root>/etc/systemd/system: relative path -> target.
  static std::map<std::string, std::string> Links(const std::string& root) {
    std::map<std::string, std::string> out;
    std::string base = root + "/etc/systemd/system";
    std::error_code ec;
    if (!fs::exists(base, ec)) return out;
    for (auto it = fs::recursive_directory_iterator(base, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec))
      if (it->is_symlink())
        out[it->path().string().substr(base.size())] = fs::read_symlink(it->path()).string();
    return out;
  }
  TempRoot root_;
  std::ostringstream out_, err_;
};

// What `systemctl --root=R enable nginx cron ssh redis-server` makes with systemd 252 (Debian 12).
const std::map<std::string, std::string> kSystemdEnabled = {
    {"/multi-user.target.wants/nginx.service", "/lib/systemd/system/nginx.service"},
    {"/multi-user.target.wants/cron.service", "/lib/systemd/system/cron.service"},
    {"/multi-user.target.wants/ssh.service", "/lib/systemd/system/ssh.service"},
    {"/multi-user.target.wants/redis-server.service", "/lib/systemd/system/redis-server.service"},
    {"/sshd.service", "/lib/systemd/system/ssh.service"},
    {"/redis.service", "/lib/systemd/system/redis-server.service"}};

TEST_F(SystemctlOffline, EnableMakesSystemdsSymlinks) {
  EXPECT_EQ(Run({"enable", "nginx.service", "cron.service", "ssh.service", "redis-server.service"}),
            0);
  EXPECT_EQ(Links(root_.path()), kSystemdEnabled);
  EXPECT_NE(err_.str().find("Created symlink " + root_.path() +
                            "/etc/systemd/system/multi-user.target.wants/nginx.service \u2192 "
                            "/lib/systemd/system/nginx.service.\n"),
            std::string::npos);
  // Again: nothing to do, no messages.
  EXPECT_EQ(Run({"enable", "nginx.service"}), 0);
  EXPECT_EQ(err_.str(), "");
  EXPECT_EQ(Run({"is-enabled", "nginx.service", "sshd.service"}), 0);
  EXPECT_EQ(out_.str(), "enabled\nalias\n");
}

TEST_F(SystemctlOffline, DisableRemovesLinksAndAliases) {
  ASSERT_EQ(Run({"enable", "ssh.service", "nginx.service"}), 0);
  EXPECT_EQ(Run({"disable", "ssh.service"}), 0);
  auto links = Links(root_.path());
  EXPECT_EQ(links, (std::map<std::string, std::string>{{"/multi-user.target.wants/nginx.service",
                                                        "/lib/systemd/system/nginx.service"}}));
  EXPECT_NE(err_.str().find("Removed \"" + root_.path() + "/etc/systemd/system/sshd.service\".\n"),
            std::string::npos);
  EXPECT_EQ(Run({"is-enabled", "ssh.service"}), 1);
  EXPECT_EQ(out_.str(), "disabled\n");
  EXPECT_EQ(Run({"--quiet", "is-enabled", "ssh.service"}), 1);
  EXPECT_EQ(out_.str(), "");
}

TEST_F(SystemctlOffline, MaskUnmaskRoundTrip) {
  ASSERT_EQ(Run({"enable", "cron.service"}), 0);
  EXPECT_EQ(Run({"mask", "cron.service"}), 0);
  EXPECT_EQ(root_.ReadLink("/etc/systemd/system/cron.service"), "/dev/null");
  EXPECT_EQ(err_.str(), "Created symlink " + root_.path() +
                            "/etc/systemd/system/cron.service \u2192 /dev/null.\n");
  EXPECT_EQ(Run({"is-enabled", "cron.service"}), 1);
  EXPECT_EQ(out_.str(), "masked\n");
  EXPECT_NE(Run({"enable", "cron.service"}), 0);
  EXPECT_EQ(Run({"unmask", "cron.service"}), 0);
  EXPECT_FALSE(root_.Exists("/etc/systemd/system/cron.service"));
  EXPECT_EQ(Run({"is-enabled", "cron.service"}), 0);
  EXPECT_EQ(out_.str(), "enabled\n");
  // A unit file in /etc is not replaced by mask.
  root_.Write("/etc/systemd/system/local.service", "[Service]\nExecStart=/x\n");
  EXPECT_EQ(Run({"mask", "local.service"}), 1);
  EXPECT_NE(err_.str().find("already exists"), std::string::npos);
}

TEST_F(SystemctlOffline, TemplatesStaticAndUnknown) {
  EXPECT_EQ(Run({"enable", "redis-server@main.service"}), 0);
  EXPECT_EQ(root_.ReadLink("/etc/systemd/system/multi-user.target.wants/redis-server@main.service"),
            "/lib/systemd/system/redis-server@.service");
  EXPECT_EQ(Run({"is-enabled", "redis-server@.service", "redis-server@main.service"}), 0);
  EXPECT_EQ(out_.str(), "indirect\nenabled\n");
  EXPECT_EQ(Run({"enable", "redis-server@.service"}), 1);
  EXPECT_EQ(err_.str(),
            "Failed to enable redis-server@.service, destination unit "
            "multi-user.target is a non-template unit.\n");
  EXPECT_EQ(Run({"enable", "rescue-ssh.target"}), 0);  // no [Install]
  EXPECT_NE(err_.str().find("no installation config"), std::string::npos);
  EXPECT_EQ(Run({"is-enabled", "rescue-ssh.target"}), 0);
  EXPECT_EQ(out_.str(), "static\n");
  EXPECT_EQ(Run({"is-enabled", "nope.service"}), 1);
  EXPECT_EQ(err_.str(),
            "Failed to get unit file state for nope.service: No such file or directory\n");
  EXPECT_EQ(Run({"enable", "nope.service"}), 1);
  EXPECT_EQ(err_.str(), "Failed to enable unit, unit nope.service does not exist.\n");
  EXPECT_EQ(Run({"disable", "redis-server@.service"}), 0);  // every instance
  EXPECT_FALSE(
      root_.Exists("/etc/systemd/system/multi-user.target.wants/redis-server@main.service"));
  EXPECT_EQ(Run({"start", "nginx.service"}), 1);
  EXPECT_EQ(Run({"daemon-reload"}), 0);
}

TEST_F(SystemctlOffline, NowAndRootOptions) {
  TempRoot other;
  other.CopyFixture("debian12");
  EXPECT_EQ(Systemctl({"--root=" + other.path(), "--no-pager", "enable", "--now", "cron.service"},
                      "/nonexistent", out_, err_),
            0);
  EXPECT_TRUE(other.Exists("/etc/systemd/system/multi-user.target.wants/cron.service"));
  EXPECT_NE(err_.str().find("--now"), std::string::npos);
}

TEST_F(SystemctlOffline, ListCatShow) {
  ASSERT_EQ(Run({"enable", "nginx.service", "ssh.service"}), 0);
  EXPECT_EQ(Run({"list-unit-files", "*ssh*"}), 0);
  EXPECT_EQ(out_.str(),
            "UNIT FILE         STATE    PRESET\n"
            "ssh.service       enabled  enabled\n"
            "sshd.service      alias    -\n"
            "ssh.socket        disabled enabled\n"
            "rescue-ssh.target static   -\n"
            "\n4 unit files listed.\n");
  root_.Write("/etc/systemd/system/nginx.service.d/override.conf", "[Service]\nRestart=always\n");
  EXPECT_EQ(Run({"cat", "nginx.service"}), 0);
  EXPECT_TRUE(out_.str().starts_with("# /lib/systemd/system/nginx.service\n# Stop dance"));
  EXPECT_NE(out_.str().find("\n\n# /etc/systemd/system/nginx.service.d/override.conf\n"
                            "[Service]\nRestart=always\n"),
            std::string::npos);
  EXPECT_EQ(Run({"cat", "nope.service"}), 1);
  EXPECT_EQ(Run({"show", "-p", "Id,Type,Restart,TimeoutStopUSec,UnitFileState",
                 "--property=TimeoutStartUSec", "nginx.service"}),
            0);
  EXPECT_EQ(out_.str(),
            "Id=nginx.service\nType=forking\nRestart=always\nTimeoutStopUSec=5s\n"
            "UnitFileState=enabled\nTimeoutStartUSec=1min 30s\n");
  EXPECT_EQ(Run({"show", "-p", "User", "--value", "redis-server.service"}), 0);
  EXPECT_EQ(out_.str(), "redis\n");
  EXPECT_EQ(Run({"show", "-p", "TimeoutStopUSec", "redis-server.service"}), 0);
  EXPECT_EQ(out_.str(), "TimeoutStopUSec=infinity\n");
}

// The same commands through the real systemctl, when this machine has one, must leave the
// same symlinks.
TEST_F(SystemctlOffline, SameLinksAsRealSystemctl) {
  if (std::system("systemctl --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "no systemctl";
  TempRoot real;
  real.CopyFixture("debian12");
  const std::vector<std::vector<std::string>> steps = {
      {"enable", "nginx.service", "cron.service", "ssh.service", "redis-server.service"},
      {"enable", "redis-server@main.service"},
      {"mask", "cron.service"},
      {"disable", "ssh.service"},
      {"unmask", "cron.service"},
      {"disable", "redis-server@.service"}};
  for (const auto& step : steps) {
    std::string cmd = "systemctl --root=" + real.path();
    for (const auto& a : step) cmd += " " + a;
    ASSERT_EQ(std::system((cmd + " >/dev/null 2>&1").c_str()), 0) << cmd;
    EXPECT_EQ(Run(step), 0);
    EXPECT_EQ(Links(root_.path()), Links(real.path())) << cmd;
  }
}

}  // namespace
}  // namespace ctinit::units
