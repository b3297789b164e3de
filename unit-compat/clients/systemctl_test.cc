#include "unit-compat/clients/systemctl.h"

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

// Online: a fake control connection answering as ctinit's pid1_control.cc does.
class SystemctlOnline : public SystemctlOffline {
 protected:
  int Run(std::vector<std::string> args) {
    out_.str("");
    err_.str("");
    calls_.clear();
    return Systemctl(
        args, root_.path(), out_, err_,
        [this](const std::vector<std::string>& w, std::chrono::milliseconds) {
          calls_.push_back(w);
          auto it = replies_.find(w[0] + (w.size() > 1 ? " " + w[1] : ""));
          return it == replies_.end() ? control::Reply{4, "unknown service"} : it->second;
        });
  }
  void Status(const std::string& unit, const std::string& state, int code, pid_t pid = 0) {
    replies_["status " + unit] = {code, "x\nname=" + unit + "\nstate=" + state +
                                            "\npid=" + std::to_string(pid) +
                                            "\nsince_ms=2000\nwanted=1\ntext=serving\n"
                                            "description=The " +
                                            unit + "\norigin=/lib/" + unit + "\n"};
  }
  std::map<std::string, control::Reply> replies_;
  std::vector<std::vector<std::string>> calls_;
};

TEST_F(SystemctlOnline, IsActiveAndIsFailedExitCodes) {
  Status("nginx.service", "started", 0, 42);
  Status("cron.service", "stopped", 3);
  Status("fail.service", "failed", 3);
  EXPECT_EQ(Run({"is-active", "nginx"}), 0);
  EXPECT_EQ(out_.str(), "active\n");
  EXPECT_EQ(Run({"is-active", "cron.service"}), 3);
  EXPECT_EQ(out_.str(), "inactive\n");
  EXPECT_EQ(Run({"is-active", "--quiet", "nosuch"}), 3);
  EXPECT_EQ(out_.str(), "");
  EXPECT_EQ(Run({"is-failed", "fail", "cron"}), 0);
  EXPECT_EQ(out_.str(), "failed\ninactive\n");
  EXPECT_EQ(Run({"is-failed", "-q", "cron"}), 1);
}

TEST_F(SystemctlOnline, StatusLikeSystemd) {
  Status("nginx.service", "started", 0, 42);
  EXPECT_EQ(Run({"status", "nginx", "--no-pager"}), 0);
  std::string o = out_.str();
  EXPECT_NE(o.find("\u25cf nginx.service - The nginx.service\n"), std::string::npos) << o;
  EXPECT_NE(o.find("     Loaded: loaded (/lib/nginx.service; "), std::string::npos) << o;
  EXPECT_NE(o.find("     Active: active (running) since "), std::string::npos) << o;
  EXPECT_NE(o.find("; 2s ago\n"), std::string::npos) << o;
  EXPECT_NE(o.find("   Main PID: 42\n"), std::string::npos) << o;
  EXPECT_NE(o.find("     Status: \"serving\"\n"), std::string::npos) << o;
  Status("cron.service", "stopped", 3);
  EXPECT_EQ(Run({"status", "cron"}), 3);
  EXPECT_NE(out_.str().find("Active: inactive (dead)"), std::string::npos);
  EXPECT_EQ(Run({"status", "nosuch"}), 4);
  EXPECT_NE(err_.str().find("Unit nosuch.service could not be found."), std::string::npos);
}

TEST_F(SystemctlOnline, JobsReportFailuresWithSystemctlsCodes) {
  replies_["start nginx.service"] = {0, "nginx.service started"};
  replies_["start bad.service"] = {1, "bad.service failed: start exited 1"};
  EXPECT_EQ(Run({"start", "nginx"}), 0);
  EXPECT_EQ(calls_, (std::vector<std::vector<std::string>>{{"start", "nginx.service"}}));
  EXPECT_EQ(Run({"start", "bad"}), 1);
  EXPECT_NE(err_.str().find("Job for bad.service failed: bad.service failed: start exited 1."),
            std::string::npos)
      << err_.str();
  EXPECT_EQ(Run({"start", "nosuch"}), 5);
  EXPECT_NE(err_.str().find("Unit nosuch.service not found."), std::string::npos);
  EXPECT_EQ(Run({"stop"}), 1);  // Too few arguments.
}

TEST_F(SystemctlOnline, PowerVerbsAndExit) {
  replies_["runlevel 0"] = {0, ""};
  replies_["runlevel 6"] = {0, ""};
  replies_["exit 7"] = {0, ""};
  EXPECT_EQ(Run({"poweroff"}), 0);
  EXPECT_EQ(calls_.back(), (std::vector<std::string>{"runlevel", "0", "halt=POWEROFF"}));
  EXPECT_EQ(Run({"halt"}), 0);
  EXPECT_EQ(calls_.back(), (std::vector<std::string>{"runlevel", "0", "halt=HALT"}));
  EXPECT_EQ(Run({"reboot"}), 0);
  EXPECT_EQ(calls_.back(), (std::vector<std::string>{"runlevel", "6"}));
  EXPECT_EQ(Run({"exit", "7"}), 0);
  EXPECT_EQ(calls_.back(), (std::vector<std::string>{"exit", "7"}));
}

TEST_F(SystemctlOnline, EnableNowReloadsThenStarts) {
  replies_["daemon-reload"] = {0, "reloaded"};
  replies_["start nginx.service"] = {0, "nginx.service started"};
  EXPECT_EQ(Run({"enable", "--now", "nginx.service"}), 0);
  EXPECT_EQ(calls_,
            (std::vector<std::vector<std::string>>{{"daemon-reload"}, {"start", "nginx.service"}}));
  EXPECT_TRUE(Links(root_.path()).count("/multi-user.target.wants/nginx.service"));
}

TEST_F(SystemctlOnline, ShowHasTheLiveState) {
  Status("nginx.service", "started", 0, 42);
  EXPECT_EQ(Run({"show", "-p", "ActiveState,SubState,MainPID", "nginx.service"}), 0);
  EXPECT_EQ(out_.str(), "ActiveState=active\nSubState=running\nMainPID=42\n");
}

}  // namespace
}  // namespace ctinit::units
