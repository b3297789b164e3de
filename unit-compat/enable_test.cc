#include "unit-compat/enable.h"

#include <gtest/gtest.h>

#include "unit-compat/unit_test_root.h"

namespace ctinit::units {
namespace {

using unittest::TempRoot;

std::string Levels(const Enablement& e, const std::string& name) {
  const EnabledUnit* u = e.Find(name);
  return u ? u->levels : "<absent>";
}

int DiagnosticsAbout(const Enablement& e, const std::string& name) {
  int n = 0;
  for (const auto& d : e.diagnostics)
    if (d.message.starts_with(name + ": ")) ++n;
  return n;
}

TEST(EnableRunlevels, TargetsAndLevels) {
  EXPECT_EQ(RunlevelTarget('0'), "poweroff.target");
  EXPECT_EQ(RunlevelTarget('1'), "rescue.target");
  EXPECT_EQ(RunlevelTarget('S'), "rescue.target");
  EXPECT_EQ(RunlevelTarget('3'), "multi-user.target");
  EXPECT_EQ(RunlevelTarget('5'), "graphical.target");
  EXPECT_EQ(RunlevelTarget('6'), "reboot.target");
  EXPECT_EQ(RunlevelTarget('9'), "");
  EXPECT_EQ(TargetRunlevels("multi-user.target"), "234");
  EXPECT_EQ(TargetRunlevels("rescue.target"), "1S");
  EXPECT_EQ(TargetRunlevels("nginx.service"), "");
}

TEST(EnableSkipList, DefaultsAndPatterns) {
  auto skip = DefaultSkipList();
  EXPECT_EQ(MatchSkipList("systemd-journald.service", skip), "systemd-*");
  EXPECT_EQ(MatchSkipList("getty@tty1.service", skip), "getty@*");
  EXPECT_EQ(MatchSkipList("serial-getty@ttyS0.service", skip), "serial-getty@*");
  EXPECT_EQ(MatchSkipList("console-getty.service", skip), "console-getty.service");
  EXPECT_EQ(MatchSkipList("dbus-org.freedesktop.timesync1.service", skip),
            "dbus-org.freedesktop.*");
  EXPECT_EQ(MatchSkipList("udev.service", skip), "udev*");
  EXPECT_FALSE(MatchSkipList("nginx.service", skip));
  EXPECT_FALSE(MatchSkipList("dbus.service", skip));
  EXPECT_EQ(MatchSkipList("nginx.service", {"redis*", "ng*.service"}), "ng*.service");
}

// The Debian 12 fixture: systemd's own targets, default.target -> graphical.target, and
// nginx, cron, ssh, redis-server enabled in multi-user.target.wants.
TEST(EnableDebian, FollowsWantsThroughTargets) {
  TempRoot root;
  root.Debian();
  Enablement e = ComputeEnablement(root.path());
  EXPECT_EQ(e.default_target, "graphical.target");
  EXPECT_EQ(e.default_level, '5');
  for (const char* s : {"nginx.service", "cron.service", "ssh.service", "redis-server.service"})
    EXPECT_EQ(Levels(e, s), "2345") << s;
  EXPECT_EQ(Levels(e, "multi-user.target"), "2345");
  EXPECT_EQ(Levels(e, "graphical.target"), "5");
  EXPECT_EQ(Levels(e, "rescue.target"), "1S");
  EXPECT_EQ(Levels(e, "poweroff.target"), "0");
  EXPECT_EQ(Levels(e, "reboot.target"), "6");
  EXPECT_EQ(Levels(e, "sysinit.target"), "12345S");
  // nginx Wants=network-online.target: pulled in.
  EXPECT_EQ(Levels(e, "network-online.target"), "2345");
  EXPECT_TRUE(e.Find("sysinit.target")->sysinit);
  EXPECT_TRUE(e.Find("local-fs.target")->sysinit);
  EXPECT_FALSE(e.Find("nginx.service")->sysinit);
  EXPECT_FALSE(e.Find("basic.target")->sysinit);
  // Aliases resolve: sshd.service and redis.service are the same units.
  EXPECT_EQ(e.Find("sshd.service"), e.Find("ssh.service"));
  EXPECT_EQ(e.Find("redis.service"), e.Find("redis-server.service"));
  // The default target's closure comes first.
  EXPECT_EQ(e.units.front().name, "graphical.target");
}

TEST(EnableDebian, SkipsWithOneDiagnosticEach) {
  TempRoot root;
  root.Debian();
  Enablement e = ComputeEnablement(root.path());
  for (const char* s : {"systemd-logind.service", "systemd-journald.service",
                        "systemd-update-utmp-runlevel.service", "getty-static.service",
                        "dev-hugepages.mount", "systemd-tmpfiles-clean.timer",
                        "rescue.service", "systemd-poweroff.service"}) {
    EXPECT_EQ(Levels(e, s), "<absent>") << s;
    EXPECT_EQ(DiagnosticsAbout(e, s), 1) << s;
    EXPECT_TRUE(e.left_out.count(s)) << s;
  }
  EXPECT_NE(e.left_out["systemd-logind.service"].find("\"systemd-*\""), std::string::npos);
  EXPECT_NE(e.left_out["dev-hugepages.mount"].find(".mount units are not supported"),
            std::string::npos);
  // Sockets are run (socket activation): dbus.socket comes with sockets.target, and
  // dbus.service, which Requires= it, is there to be started through it.
  EXPECT_EQ(Levels(e, "dbus.socket"), "2345");
  EXPECT_NE(Levels(e, "dbus.service"), "<absent>");
  EXPECT_FALSE(e.left_out.count("dbus.service"));
  // The diagnostic names where the unit was pulled in from.
  bool found = false;
  for (const auto& d : e.diagnostics)
    if (d.message.starts_with("systemd-logind.service: "))
      found = d.file == "/lib/systemd/system/multi-user.target.wants/systemd-logind.service";
  EXPECT_TRUE(found);
}

TEST(EnableDebian, SkipListIsConfigurable) {
  TempRoot root;
  root.Debian();
  EnableOptions opt;
  opt.skip = {"nginx*", "systemd-*", "getty-static.service"};
  Enablement e = ComputeEnablement(root.path(), opt);
  EXPECT_EQ(Levels(e, "nginx.service"), "<absent>");
  EXPECT_NE(e.left_out["nginx.service"].find("\"nginx*\""), std::string::npos);
  EXPECT_EQ(Levels(e, "cron.service"), "2345");
}

// An image with packages but without the systemd package: no targets at all, only
// /etc/systemd/system/multi-user.target.wants/ made by deb-systemd-helper.
TEST(EnableNoSystemd, BuiltInTargets) {
  TempRoot root;
  root.CopyFixture("debian12");
  root.Link("/lib/systemd/system/nginx.service",
            "/etc/systemd/system/multi-user.target.wants/nginx.service");
  root.Link("/lib/systemd/system/cron.service",
            "/etc/systemd/system/multi-user.target.wants/cron.service");
  Enablement e = ComputeEnablement(root.path());
  EXPECT_EQ(e.default_target, "multi-user.target");
  EXPECT_EQ(e.default_level, '3');
  EXPECT_EQ(Levels(e, "nginx.service"), "2345");
  EXPECT_EQ(Levels(e, "cron.service"), "2345");
  EXPECT_TRUE(e.Find("multi-user.target")->builtin);
  EXPECT_TRUE(e.Find("sysinit.target")->sysinit);
  for (const auto& d : e.diagnostics)
    EXPECT_EQ(d.message.find("not found"), std::string::npos) << d.ToString();
}

TEST(EnableCustom, RequiresDirsWantsLinesAndAliasDirs) {
  TempRoot root;
  root.Write("/etc/systemd/system/app.target", "[Unit]\nWants=b.service\n");
  root.Write("/etc/systemd/system/a.service", "[Service]\nExecStart=/bin/a\n");
  root.Write("/etc/systemd/system/b.service",
             "[Unit]\nRequires=c.service\n[Service]\nExecStart=/b\n");
  root.Write("/etc/systemd/system/c.service", "[Service]\nExecStart=/bin/c\n");
  root.Write("/etc/systemd/system/d.service", "[Service]\nExecStart=/bin/d\n");
  root.Write("/etc/systemd/system/e.service", "[Service]\nExecStart=/bin/e\n");
  root.Write("/etc/systemd/system/w@.service", "[Service]\nExecStart=/bin/w %i\n");
  root.Link("/etc/systemd/system/a.service",
            "/etc/systemd/system/multi-user.target.requires/a.service");
  root.Link("/etc/systemd/system/app.target",
            "/etc/systemd/system/multi-user.target.wants/app.target");
  // runlevel5.target is an alias of graphical.target: its .wants/ counts for graphical.
  root.Link("graphical.target", "/etc/systemd/system/runlevel5.target");
  root.Write("/etc/systemd/system/graphical.target", "[Unit]\nRequires=multi-user.target\n");
  root.Link("/etc/systemd/system/d.service",
            "/etc/systemd/system/runlevel5.target.wants/d.service");
  root.Link("/etc/systemd/system/w@.service",
            "/etc/systemd/system/multi-user.target.wants/w@one.service");
  // rescue wants e.service only
  root.Link("/etc/systemd/system/e.service", "/etc/systemd/system/rescue.target.wants/e.service");
  Enablement e = ComputeEnablement(root.path());
  EXPECT_EQ(Levels(e, "a.service"), "2345");
  EXPECT_EQ(Levels(e, "b.service"), "2345");
  EXPECT_EQ(Levels(e, "c.service"), "2345");
  EXPECT_EQ(Levels(e, "d.service"), "5");
  EXPECT_EQ(Levels(e, "e.service"), "1S");
  EXPECT_EQ(Levels(e, "w@one.service"), "2345");
  const EnabledUnit* mu = e.Find("multi-user.target");
  ASSERT_NE(mu, nullptr);
  bool a_required = false;
  for (const auto& r : mu->required) a_required |= r.name == "a.service";
  EXPECT_TRUE(a_required);
}

TEST(EnableCustom, MissingRequirementsCascade) {
  TempRoot root;
  root.Unit("a.service", "[Unit]\nRequires=missing.service\n[Service]\nExecStart=/bin/a\n");
  root.Unit("b.service", "[Unit]\nRequires=a.service\n[Service]\nExecStart=/bin/b\n");
  root.Unit("c.service", "[Unit]\nWants=missing.service\n[Service]\nExecStart=/bin/c\n");
  root.Unit("m.service", "[Service]\nExecStart=/bin/m\n");
  root.Link("/dev/null", "/etc/systemd/system/masked.service");
  root.Unit("d.service", "[Unit]\nRequires=masked.service\n[Service]\nExecStart=/bin/d\n");
  root.Write("/etc/systemd/system/m.service", "");  // now masked (empty file)
  Enablement e = ComputeEnablement(root.path());
  EXPECT_EQ(Levels(e, "a.service"), "<absent>");
  EXPECT_EQ(Levels(e, "b.service"), "<absent>");
  EXPECT_EQ(Levels(e, "c.service"), "2345");  // Wants= a missing unit is fine
  EXPECT_EQ(Levels(e, "d.service"), "<absent>");
  EXPECT_EQ(Levels(e, "m.service"), "<absent>");
  EXPECT_EQ(DiagnosticsAbout(e, "missing.service"), 1);
  EXPECT_EQ(DiagnosticsAbout(e, "a.service"), 1);
  EXPECT_EQ(DiagnosticsAbout(e, "b.service"), 1);
}

TEST(EnableCustom, CustomDefaultTarget) {
  TempRoot root;
  root.Write("/etc/systemd/system/app.target", "[Unit]\nWants=x.service\n");
  root.Write("/etc/systemd/system/x.service", "[Service]\nExecStart=/bin/x\n");
  root.Link("app.target", "/etc/systemd/system/default.target");
  Enablement e = ComputeEnablement(root.path());
  EXPECT_EQ(e.default_target, "app.target");
  EXPECT_EQ(e.default_level, '3');
  EXPECT_EQ(Levels(e, "x.service"), "2345");
}

}  // namespace
}  // namespace ctinit::units
