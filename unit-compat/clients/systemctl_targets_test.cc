// systemctl offline: bare names, enabling what is enabled, default.target, presets, add-wants
// and verify, each on a temporary root.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "unit-compat/clients/systemctl.h"
#include "unit-compat/clients/systemctl_ctl.h"
#include "unit-compat/unit_test_root.h"

namespace ctinit::units {
namespace {

using systemctl_internal::WithType;
using unittest::TempRoot;
namespace fs = std::filesystem;

constexpr const char* kWantedUnit =
    "[Service]\nExecStart=/bin/sleep 1\n[Install]\nWantedBy=multi-user.target\n";

class SystemctlFiles : public ::testing::Test {
 protected:
  int Run(std::vector<std::string> args) {
    out_.str("");
    err_.str("");
    return Systemctl(args, root_.path(), out_, err_);
  }
  std::string LinkAt(const std::string& p) const {
    std::error_code ec;
    auto t = fs::read_symlink(root_.Path(p), ec);
    return ec ? "" : t.string();
  }
  static constexpr const char* kWants = "/etc/systemd/system/multi-user.target.wants/";
  TempRoot root_;
  std::ostringstream out_, err_;
};

TEST(SystemctlNames, BareNamesMeanServiceAsSystemctlMangles) {
  EXPECT_EQ(WithType("nginx"), "nginx.service");
  EXPECT_EQ(WithType("foo@bar"), "foo@bar.service");
  EXPECT_EQ(WithType("foo.bar"), "foo.bar.service");  // not a unit type: a suffix is added
  EXPECT_EQ(WithType("php8.2-fpm"), "php8.2-fpm.service");
  EXPECT_EQ(WithType("ssh.socket"), "ssh.socket");
  EXPECT_EQ(WithType("getty@.service"), "getty@.service");
  EXPECT_EQ(WithType("ssh*"), "ssh*");  // a glob is a pattern, not a name
  EXPECT_EQ(WithType("multi-user", ".target"), "multi-user.target");
  EXPECT_EQ(WithType("multi-user.target", ".target"), "multi-user.target");
}

TEST_F(SystemctlFiles, EnableDisableIsEnabledTakeBareNames) {
  root_.CopyFixture("debian12");
  EXPECT_EQ(Run({"enable", "nginx"}), 0) << err_.str();
  EXPECT_EQ(LinkAt(std::string(kWants) + "nginx.service"), "/lib/systemd/system/nginx.service");
  EXPECT_EQ(Run({"is-enabled", "nginx"}), 0);
  EXPECT_EQ(out_.str(), "enabled\n");
  EXPECT_EQ(Run({"disable", "nginx"}), 0);
  EXPECT_EQ(LinkAt(std::string(kWants) + "nginx.service"), "");
  EXPECT_EQ(Run({"is-enabled", "nginx"}), 1);
  EXPECT_EQ(out_.str(), "disabled\n");
  EXPECT_EQ(Run({"enable", "redis-server@6380"}), 0) << err_.str();
  EXPECT_EQ(LinkAt(std::string(kWants) + "redis-server@6380.service"),
            "/lib/systemd/system/redis-server@.service");
}

// Debian's helpers link through /lib/systemd/system; on a merged /usr the loader finds the unit
// in /usr/lib/systemd/system first. The existing link leads to the same file: nothing to do.
TEST_F(SystemctlFiles, EnablingWhatIsEnabledThroughAnotherPathIsANoOp) {
  root_.Write("/usr/lib/systemd/system/postgresql.service", kWantedUnit);
  root_.Link("usr/lib", "/lib");
  root_.Link("/lib/systemd/system/postgresql.service", std::string(kWants) + "postgresql.service");
  EXPECT_EQ(Run({"enable", "postgresql.service"}), 0) << err_.str();
  EXPECT_EQ(err_.str(), "");
  EXPECT_EQ(LinkAt(std::string(kWants) + "postgresql.service"),
            "/lib/systemd/system/postgresql.service");
  // Another spelling of the same file, and /lib as an absolute link (taken inside the root).
  fs::remove(root_.Path("/lib"));
  root_.Link("/usr/lib", "/lib");
  fs::remove(root_.Path(std::string(kWants) + "postgresql.service"));
  root_.Link("/usr/lib/systemd/../systemd/system/postgresql.service",
             std::string(kWants) + "postgresql.service");
  EXPECT_EQ(Run({"enable", "postgresql"}), 0) << err_.str();
  EXPECT_EQ(err_.str(), "");
  // A link to a different file is still refused.
  root_.Write("/opt/other.service", kWantedUnit);
  fs::remove(root_.Path(std::string(kWants) + "postgresql.service"));
  root_.Link("/opt/other.service", std::string(kWants) + "postgresql.service");
  EXPECT_EQ(Run({"enable", "postgresql"}), 1);
  EXPECT_NE(err_.str().find("already exists and is a symlink to /opt/other.service"),
            std::string::npos);
}

// postgresql-common: pg_dump@.timer has WantedBy=postgresql@%i.service and no DefaultInstance;
// systemd links the template into the template's .wants/ (every postgresql@X then wants
// pg_dump@X), and an instance into the instance's.
TEST_F(SystemctlFiles, TemplateWantedByTemplate) {
  root_.Write("/lib/systemd/system/postgresql@.service",
              "[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n");
  root_.Write("/lib/systemd/system/pg_dump@.timer",
              "[Timer]\nOnCalendar=daily\n[Install]\nWantedBy=postgresql@%i.service\n");
  EXPECT_EQ(Run({"enable", "pg_dump@.timer"}), 0) << err_.str();
  EXPECT_EQ(LinkAt("/etc/systemd/system/postgresql@.service.wants/pg_dump@.timer"),
            "/lib/systemd/system/pg_dump@.timer");
  EXPECT_EQ(Run({"is-enabled", "pg_dump@.timer"}), 0);
  EXPECT_EQ(out_.str(), "enabled\n");
  EXPECT_EQ(Run({"enable", "pg_dump@15-main.timer"}), 0) << err_.str();
  EXPECT_EQ(LinkAt("/etc/systemd/system/postgresql@15-main.service.wants/pg_dump@15-main.timer"),
            "/lib/systemd/system/pg_dump@.timer");
  // A template wanted by a plain target cannot be enabled without an instance.
  EXPECT_EQ(Run({"enable", "postgresql@.service"}), 1);
  EXPECT_NE(err_.str().find("is a non-template unit"), std::string::npos);
  EXPECT_EQ(Run({"disable", "pg_dump@.timer"}), 0);
  EXPECT_EQ(LinkAt("/etc/systemd/system/postgresql@.service.wants/pg_dump@.timer"), "");
}

TEST(SystemctlResolve, FollowsLinksInsideTheRoot) {
  TempRoot root;
  root.Write("/usr/lib/x/f", "");
  root.Link("/usr/lib", "/lib");
  root.Link("../lib/x/f", "/usr/g");
  EXPECT_EQ(systemctl_internal::ResolveInRoot(root.path(), "/lib/x/f"), "/usr/lib/x/f");
  EXPECT_EQ(systemctl_internal::ResolveInRoot(root.path(), "/usr/g"), "/usr/lib/x/f");
  EXPECT_EQ(systemctl_internal::ResolveInRoot(root.path(), "/../../lib/x/f"), "/usr/lib/x/f");
  EXPECT_EQ(systemctl_internal::ResolveInRoot(root.path(), "/lib/x/missing"), "");
  root.Link("/loop", "/loop");
  EXPECT_EQ(systemctl_internal::ResolveInRoot(root.path(), "/loop"), "");
}

TEST_F(SystemctlFiles, GetAndSetDefault) {
  EXPECT_EQ(Run({"get-default"}), 1);
  EXPECT_EQ(err_.str(), "Failed to get default target: No such file or directory\n");
  root_.Write("/lib/systemd/system/graphical.target", "[Unit]\nDescription=G\n");
  root_.Write("/lib/systemd/system/multi-user.target", "[Unit]\nDescription=M\n");
  root_.Link("graphical.target", "/lib/systemd/system/default.target");
  EXPECT_EQ(Run({"get-default"}), 0);
  EXPECT_EQ(out_.str(), "graphical.target\n");
  EXPECT_EQ(Run({"set-default", "multi-user"}), 0) << err_.str();
  EXPECT_EQ(LinkAt("/etc/systemd/system/default.target"), "/lib/systemd/system/multi-user.target");
  EXPECT_EQ(Run({"get-default"}), 0);
  EXPECT_EQ(out_.str(), "multi-user.target\n");
  EXPECT_EQ(Run({"set-default", "graphical.target"}), 0);
  EXPECT_NE(err_.str().find("Removed"), std::string::npos);
  EXPECT_EQ(LinkAt("/etc/systemd/system/default.target"), "/lib/systemd/system/graphical.target");
  EXPECT_EQ(Run({"set-default", "nosuch"}), 1);
  EXPECT_EQ(err_.str(), "Failed to set default target: Unit file nosuch.target does not exist.\n");
}

TEST_F(SystemctlFiles, PresetFilesFirstMatchWins) {
  for (const char* u : {"foo", "bar", "baz"})
    root_.Write(std::string("/lib/systemd/system/") + u + ".service", kWantedUnit);
  root_.Write("/lib/systemd/system/static.service", "[Service]\nExecStart=/bin/true\n");
  root_.Write("/lib/systemd/system/getty@.service", std::string(kWantedUnit));
  // 10-*.preset is read before 50-*.preset whatever its dir; /etc's 90-x hides /lib's 90-x.
  root_.Write("/lib/systemd/system-preset/10-first.preset", "# comment\nenable foo.service\n");
  root_.Write("/etc/systemd/system-preset/50-local.preset",
              "disable foo.service\ndisable ba?.service\nenable getty@.service tty1 tty2\n");
  root_.Write("/etc/systemd/system-preset/90-x.preset", "enable *\n");
  root_.Write("/lib/systemd/system-preset/90-x.preset", "disable *\n");
  EXPECT_TRUE(systemctl_internal::PresetEnables(root_.path(), "foo.service"));
  EXPECT_FALSE(systemctl_internal::PresetEnables(root_.path(), "bar.service"));
  EXPECT_TRUE(systemctl_internal::PresetEnables(root_.path(), "other.service"));
  EXPECT_TRUE(systemctl_internal::PresetEnables(root_.path(), "getty@tty2.service"));

  root_.Link("/lib/systemd/system/bar.service", std::string(kWants) + "bar.service");
  EXPECT_EQ(Run({"preset", "foo", "bar"}), 0) << err_.str();
  EXPECT_EQ(LinkAt(std::string(kWants) + "foo.service"), "/lib/systemd/system/foo.service");
  EXPECT_EQ(LinkAt(std::string(kWants) + "bar.service"), "");
  EXPECT_EQ(Run({"--preset-mode=disable-only", "preset-all"}), 0) << err_.str();
  EXPECT_EQ(LinkAt(std::string(kWants) + "foo.service"), "/lib/systemd/system/foo.service");
  EXPECT_EQ(LinkAt(std::string(kWants) + "baz.service"), "");
  EXPECT_EQ(LinkAt(std::string(kWants) + "getty@tty1.service"), "");
  EXPECT_EQ(Run({"preset-all"}), 0) << err_.str();
  EXPECT_EQ(LinkAt(std::string(kWants) + "getty@tty1.service"),
            "/lib/systemd/system/getty@.service");
  EXPECT_EQ(LinkAt(std::string(kWants) + "getty@tty2.service"),
            "/lib/systemd/system/getty@.service");
  EXPECT_EQ(LinkAt(std::string(kWants) + "baz.service"), "");
  EXPECT_EQ(Run({"is-enabled", "static"}), 0);
  EXPECT_EQ(out_.str(), "static\n");
}

TEST_F(SystemctlFiles, AddWantsAndAddRequires) {
  root_.CopyFixture("debian12");
  EXPECT_EQ(Run({"add-wants", "multi-user", "nginx", "cron.service"}), 0) << err_.str();
  EXPECT_EQ(LinkAt(std::string(kWants) + "nginx.service"), "/lib/systemd/system/nginx.service");
  EXPECT_EQ(LinkAt(std::string(kWants) + "cron.service"), "/lib/systemd/system/cron.service");
  EXPECT_EQ(Run({"add-requires", "rescue.target", "ssh.socket"}), 0) << err_.str();
  EXPECT_EQ(LinkAt("/etc/systemd/system/rescue.target.requires/ssh.socket"),
            "/lib/systemd/system/ssh.socket");
  EXPECT_EQ(Run({"add-wants", "multi-user.target", "nosuch"}), 1);
  EXPECT_EQ(err_.str(), "Failed to add dependency: Unit file nosuch.service does not exist.\n");
  EXPECT_EQ(Run({"add-wants", "multi-user.target"}), 1);
}

TEST_F(SystemctlFiles, VerifyTranslatesEveryUnitWithoutBooting) {
  root_.Write("/lib/systemd/system/good.service", kWantedUnit);
  root_.Write("/lib/systemd/system/odd.service", "[Service]\nExecStart=/bin/true\nNoSuchThing=1\n");
  root_.Write("/lib/systemd/system/bad.service",
              "[Service]\nType=simple\nExecStart=/bin/a\nExecStart=/bin/b\n");
  root_.Write("/lib/systemd/system/t@.service", "[Service]\nExecStart=/bin/echo %i\n");
  root_.Write("/lib/systemd/system/s.socket", "[Socket]\nListenStream=/run/s.sock\n");
  root_.Link("good.service", "/lib/systemd/system/alias.service");
  EXPECT_EQ(Run({"verify"}), 1);
  std::string out = out_.str();
  EXPECT_NE(out.find("/lib/systemd/system/odd.service:3: [Service] NoSuchThing: "),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("bad.service: FAILED\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("good.service: FAILED"), std::string::npos) << out;
  EXPECT_NE(out.find("5 units checked, "), std::string::npos) << out;
  EXPECT_NE(out.find(" 1 failed\n"), std::string::npos) << out;
  EXPECT_EQ(Run({"verify", "good", "t@.service", "s.socket"}), 0) << out_.str();
  EXPECT_NE(out_.str().find("3 units checked, 0 warnings, 0 failed\n"), std::string::npos)
      << out_.str();
}

}  // namespace
}  // namespace ctinit::units
