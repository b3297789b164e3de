// The units systemd itself provides to packages, built in when the image lacks them (enable.h):
// syslog.socket for rsyslog, the targets of the LSB facilities.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "unit-compat/enable.h"
#include "unit-compat/unit_set.h"
#include "unit-compat/unit_test_root.h"

namespace ctinit::units {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using unittest::TempRoot;

// Debian 12's rsyslog.service, enabled as its package does (Alias=syslog.service).
void Rsyslog(TempRoot& root) {
  root.Write("/lib/systemd/system/rsyslog.service",
             "[Unit]\nDescription=System Logging Service\nRequires=syslog.socket\n"
             "[Service]\nType=notify\nExecStart=/usr/sbin/rsyslogd -n -iNONE\n"
             "StandardOutput=null\nRestart=on-failure\n"
             "[Install]\nWantedBy=multi-user.target\nAlias=syslog.service\n");
  root.Link("/lib/systemd/system/rsyslog.service",
            "/etc/systemd/system/multi-user.target.wants/rsyslog.service");
  root.Link("/lib/systemd/system/rsyslog.service", "/etc/systemd/system/syslog.service");
}

TEST(BuiltinUnits, SyslogSocketListensOnDevLogForTheSyslogServiceAlias) {
  TempRoot root;
  Rsyslog(root);
  UnitSetOptions opt;
  opt.root = root.path();
  UnitSet us = LoadUnitSet(opt);
  ASSERT_EQ(us.set.sockets.size(), 1u);
  const SocketSpec& sock = us.set.sockets[0];
  EXPECT_EQ(sock.name, "syslog.socket");
  EXPECT_EQ(sock.service, "rsyslog.service");  // through syslog.service
  ASSERT_EQ(sock.listens.size(), 1u);
  EXPECT_EQ(sock.listens[0].kind, SocketSpec::Listen::Kind::kDatagram);
  EXPECT_EQ(sock.listens[0].address, "/dev/log");
  EXPECT_EQ(sock.mode, 0666u);
  bool rsyslog = false;
  for (const auto& s : us.set.services)
    rsyslog |= s.name == "rsyslog.service" && s.levels == "2345";
  EXPECT_TRUE(rsyslog) << "rsyslog.service is not left out for want of syslog.socket";
  EXPECT_THAT(us.left_out, Not(::testing::Contains(::testing::Key("rsyslog.service"))));
  for (const auto& d : us.set.diagnostics)
    EXPECT_THAT(d.message, Not(HasSubstr("syslog"))) << d.ToString();
}

TEST(BuiltinUnits, TheImagesOwnSyslogSocketWins) {
  TempRoot root;
  Rsyslog(root);
  root.Write("/lib/systemd/system/syslog.socket",
             "[Socket]\nListenDatagram=/run/systemd/journal/syslog\n");
  UnitSetOptions opt;
  opt.root = root.path();
  UnitSet us = LoadUnitSet(opt);
  ASSERT_EQ(us.set.sockets.size(), 1u);
  EXPECT_EQ(us.set.sockets[0].listens[0].address, "/run/systemd/journal/syslog");
}

TEST(BuiltinUnits, NoSyslogDaemonNoDevLogSocket) {
  TempRoot root;
  root.Unit("a.service", "[Service]\nExecStart=/bin/a\n");
  UnitSetOptions opt;
  opt.root = root.path();
  EXPECT_TRUE(LoadUnitSet(opt).set.sockets.empty());
}

TEST(BuiltinUnits, FacilityTargetsAreBuiltInWithTheirOrdering) {
  TempRoot root;
  root.Unit("a.service",
            "[Unit]\nWants=network-online.target\nAfter=network-online.target remote-fs.target\n"
            "[Service]\nExecStart=/bin/a\n");
  Enablement e = ComputeEnablement(root.path());
  const EnabledUnit* online = e.Find("network-online.target");
  ASSERT_NE(online, nullptr);
  EXPECT_TRUE(online->builtin);
  EXPECT_EQ(online->levels, "2345");
  ASSERT_NE(online->unit.file.Last("Unit", "After"), nullptr);
  EXPECT_EQ(online->unit.file.Last("Unit", "After")->value, "network.target");
  ASSERT_NE(online->unit.file.Last("Unit", "Description"), nullptr);
  EXPECT_EQ(online->unit.file.Last("Unit", "Description")->value, "Network is Online");
  EXPECT_EQ(e.Find("remote-fs.target"), nullptr);  // After= alone does not pull it in
  for (const auto& d : e.diagnostics)
    EXPECT_THAT(d.message, Not(HasSubstr("network"))) << d.ToString();
}

}  // namespace
}  // namespace ctinit::units
