// Translation of the process side of a unit: ExecCondition=, PermissionsStartOnly=, the
// capabilities and the other attributes a container allows, and the one summary line for
// what it does not (translate.h).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "unit-compat/translate.h"
#include "unit-compat/unit_set.h"
#include "unit-compat/unit_test_root.h"

namespace ctinit::units {
namespace {

using Strings = std::vector<std::string>;
using unittest::TempRoot;

class TranslateProcessTest : public ::testing::Test {
 protected:
  UnitSet Load() {
    UnitSetOptions opt;
    opt.root = root_.path();
    opt.manager_env = {"PATH=/usr/bin:/bin", "container=docker"};
    return LoadUnitSet(opt);
  }
  static const ServiceSpec* Find(const UnitSet& s, const std::string& name) {
    for (const auto& sp : s.set.services)
      if (sp.name == name) return &sp;
    return nullptr;
  }
  // The diagnostics that mention `part`.
  static Strings Diags(const UnitSet& s, const std::string& part = "") {
    Strings out;
    for (const auto& d : s.set.diagnostics)
      if (d.ToString().find(part) != std::string::npos) out.push_back(d.ToString());
    return out;
  }
  TempRoot root_;
};

TEST_F(TranslateProcessTest, ExecConditionBecomesTheStartConditionSteps) {
  root_.Unit("smbd.service",
             "[Service]\nType=notify\nExecCondition=/usr/share/samba/is-configured smb\n"
             "ExecCondition=-/bin/second\nExecStartPre=/bin/pre\nExecStart=/usr/sbin/smbd\n");
  UnitSet s = Load();
  const ServiceSpec* p = Find(s, "smbd.service");
  ASSERT_NE(p, nullptr);
  ASSERT_EQ(p->start_condition.size(), 2u);
  EXPECT_EQ(p->start_condition[0].argv, (Strings{"/usr/share/samba/is-configured", "smb"}));
  EXPECT_FALSE(p->start_condition[0].ignore_failure);
  EXPECT_TRUE(p->start_condition[1].ignore_failure);
  ASSERT_EQ(p->start_pre.size(), 1u);
  EXPECT_TRUE(Diags(s, "ExecCondition").empty());
}

TEST_F(TranslateProcessTest, PermissionsStartOnlyRunsEveryStepButExecStartAsRoot) {
  root_.Write("/etc/passwd", "root:x:0:0::/root:/bin/sh\nwww:x:33:33::/var/www:/bin/sh\n");
  root_.Write("/etc/group", "root:x:0:\nwww:x:33:\n");
  root_.Unit("w.service",
             "[Service]\nUser=www\nPermissionsStartOnly=true\nExecCondition=/bin/c\n"
             "ExecStartPre=/bin/pre\nExecStart=/bin/w\nExecStartPost=/bin/post\n"
             "ExecReload=/bin/r\nExecStop=/bin/s\nExecStopPost=/bin/sp\n");
  root_.Unit("once.service",
             "[Service]\nType=oneshot\nUser=www\nPermissionsStartOnly=yes\n"
             "ExecStart=/bin/one\nExecStart=/bin/two\n");
  root_.Unit("plain.service", "[Service]\nUser=www\nExecStartPre=/bin/pre\nExecStart=/bin/p\n");
  UnitSet s = Load();
  const ServiceSpec* w = Find(s, "w.service");
  ASSERT_NE(w, nullptr);
  EXPECT_FALSE(w->command.full_privileges);
  for (const auto* list :
       {&w->start_condition, &w->start_pre, &w->start_post, &w->reload, &w->stop, &w->stop_post}) {
    ASSERT_EQ(list->size(), 1u);
    EXPECT_TRUE(list->front().full_privileges) << list->front().text;
  }
  // Oneshot: the earlier ExecStart= lines are ExecStart= too, run as the user.
  const ServiceSpec* once = Find(s, "once.service");
  ASSERT_NE(once, nullptr);
  ASSERT_EQ(once->start_pre.size(), 1u);
  EXPECT_FALSE(once->start_pre[0].full_privileges);
  EXPECT_FALSE(once->command.full_privileges);
  EXPECT_FALSE(Find(s, "plain.service")->start_pre[0].full_privileges);
}

TEST_F(TranslateProcessTest, CapabilitiesAreMergedAsSystemdDoes) {
  root_.Write("/etc/passwd", "root:x:0:0::/root:/bin/sh\nbind:x:53:53::/:/bin/sh\n");
  root_.Write("/etc/group", "root:x:0:\nbind:x:53:\n");
  root_.Unit("named.service",
             "[Service]\nUser=bind\nExecStart=/usr/sbin/named -f\n"
             "AmbientCapabilities=CAP_NET_BIND_SERVICE\n"
             "CapabilityBoundingSet=CAP_NET_BIND_SERVICE CAP_SYS_RESOURCE\n"
             "CapabilityBoundingSet=cap_chown\n");
  root_.Unit("none.service", "[Service]\nExecStart=/x\nCapabilityBoundingSet=\n");
  root_.Unit("inverted.service",
             "[Service]\nExecStart=/x\nCapabilityBoundingSet=~CAP_SYS_ADMIN CAP_SYS_PTRACE\n"
             "CapabilityBoundingSet=~CAP_NET_RAW\nAmbientCapabilities=CAP_KILL\n"
             "AmbientCapabilities=\nAmbientCapabilities=CAP_NET_RAW CAP_BOGUS\n");
  root_.Unit("all.service", "[Service]\nExecStart=/x\nCapabilityBoundingSet=~\n");
  root_.Unit("unset.service", "[Service]\nExecStart=/x\n");
  UnitSet s = Load();
  const ServiceSpec* named = Find(s, "named.service");
  ASSERT_NE(named, nullptr);
  EXPECT_EQ(named->process.ambient_capabilities, uint64_t{1} << 10);
  EXPECT_EQ(named->process.capability_bounding_set,
            (uint64_t{1} << 10) | (uint64_t{1} << 24) | (uint64_t{1} << 0));
  EXPECT_EQ(Find(s, "none.service")->process.capability_bounding_set, uint64_t{0});
  const ServiceSpec* inv = Find(s, "inverted.service");
  EXPECT_EQ(inv->process.capability_bounding_set,
            ~((uint64_t{1} << 21) | (uint64_t{1} << 19) | (uint64_t{1} << 13)));
  EXPECT_EQ(inv->process.ambient_capabilities, uint64_t{1} << 13);  // "" emptied CAP_KILL
  EXPECT_EQ(Diags(s, "unknown capability").size(), 1u);
  EXPECT_EQ(Find(s, "all.service")->process.capability_bounding_set, std::nullopt);
  EXPECT_EQ(Find(s, "unset.service")->process.capability_bounding_set, std::nullopt);
  EXPECT_EQ(Find(s, "unset.service")->process.ambient_capabilities, 0u);
}

TEST_F(TranslateProcessTest, NoNewPrivilegesAndIgnoreSigpipe) {
  root_.Unit("a.service", "[Service]\nExecStart=/x\nNoNewPrivileges=yes\n");
  root_.Unit("b.service", "[Service]\nExecStart=/x\nIgnoreSIGPIPE=no\nNoNewPrivileges=no\n");
  UnitSet s = Load();
  EXPECT_TRUE(Find(s, "a.service")->process.no_new_privileges);
  EXPECT_TRUE(Find(s, "a.service")->process.ignore_sigpipe);  // systemd's default
  EXPECT_FALSE(Find(s, "b.service")->process.no_new_privileges);
  EXPECT_FALSE(Find(s, "b.service")->process.ignore_sigpipe);
}

TEST_F(TranslateProcessTest, WhatAContainerCannotApplyIsOneLinePerUnit) {
  root_.Unit("web.service",
             "[Service]\nExecStart=/x\nPrivateTmp=yes\nProtectSystem=full\n"
             "ReadWritePaths=/var/lib/web\nReadWritePaths=-/var/log/web\nProtectHome=no\n"
             "ProtectProc=default\nTasksMax=infinity\nMemoryMax=1G\n"
             "SystemCallFilter=@system-service\n");
  root_.Unit("quiet.service", "[Service]\nExecStart=/x\nPrivateTmp=no\nDevicePolicy=auto\n");
  UnitSet s = Load();
  ASSERT_NE(Find(s, "web.service"), nullptr);
  EXPECT_EQ(Diags(s, "web.service"),
            (Strings{"/etc/systemd/system/web.service: web.service: not applied in a container: "
                     "PrivateTmp, ProtectSystem, ReadWritePaths, SystemCallFilter, MemoryMax"}));
  EXPECT_TRUE(Diags(s, "quiet.service").empty());
}

TEST_F(TranslateProcessTest, ForkingWithoutPidFileIsGuessedWithoutAWarning) {
  root_.Unit("guess.service", "[Service]\nType=forking\nExecStart=/usr/sbin/apachectl start\n");
  root_.Unit("blind.service", "[Service]\nType=forking\nGuessMainPID=no\nExecStart=/usr/sbin/d\n");
  UnitSet s = Load();
  ASSERT_NE(Find(s, "guess.service"), nullptr);
  EXPECT_TRUE(Find(s, "guess.service")->guess_main_pid);
  EXPECT_TRUE(Diags(s, "guess.service").empty());
  EXPECT_FALSE(Find(s, "blind.service")->guess_main_pid);
  EXPECT_EQ(Diags(s, "main process cannot be known").size(), 1u);
}

}  // namespace
}  // namespace ctinit::units
