#include "openrc-shim/rc_sys.h"

#include <gtest/gtest.h>

#include <string>

namespace ctinit::openrc {
namespace {

std::string Root() { return std::string(CTINIT_SOURCE_DIR) + "/tests/fixtures/openrc/root"; }

TEST(OpenrcRcSys, DetectionOrder) {
  SysProbe p;
  EXPECT_EQ(DetectRcSys(p), "");
  p.dockerenv = true;
  EXPECT_EQ(DetectRcSys(p), "DOCKER");
  p.containerenv = true;
  EXPECT_EQ(DetectRcSys(p), "PODMAN");
  p.pid1_environ = std::string("PATH=/bin\0container=lxc\0", 24);
  EXPECT_EQ(DetectRcSys(p), "LXC");
  p.self_status = "Name:\tx\nenvID:\t0\n";
  EXPECT_EQ(DetectRcSys(p), "LXC");  // envID 0 is the host
  p.self_status = "Name:\tx\nenvID:\t101\n";
  EXPECT_EQ(DetectRcSys(p), "OPENVZ");
  p.rc_sys_conf = "docker";
  EXPECT_EQ(DetectRcSys(p), "DOCKER");
  p.rc_sys_conf = "";
  EXPECT_EQ(DetectRcSys(p), "");

  SysProbe q;
  q.pid1_environ = std::string("container=docker\0", 17);
  EXPECT_EQ(DetectRcSys(q), "DOCKER");
  q.pid1_environ = std::string("container=systemd-nspawn", 24);
  EXPECT_EQ(DetectRcSys(q), "SYSTEMD-NSPAWN");
  SysProbe w;
  w.osrelease = "5.15.90.1-microsoft-standard-WSL2\n";
  EXPECT_EQ(DetectRcSys(w), "WSL");
  SysProbe x;
  x.proc_xen = true;
  EXPECT_EQ(DetectRcSys(x), "XENU");
  x.xen_capabilities = "control_d\n";
  EXPECT_EQ(DetectRcSys(x), "XEN0");
  EXPECT_EQ(MaskKeyword("SYSTEMD-NSPAWN"), "-systemd-nspawn");
  EXPECT_EQ(MaskKeyword(""), "");
}

TEST(OpenrcRcSys, ProbeReadsRcConfFromTheRoot) {
  SysProbe p = ProbeSystem(Root());
  EXPECT_FALSE(p.rc_sys_conf.has_value());  // the fixture rc.conf does not set rc_sys
  SysProbe host = ProbeSystem("/");         // must not crash whatever this machine is
  (void)DetectRcSys(host);
}

}  // namespace
}  // namespace ctinit::openrc
