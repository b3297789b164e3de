#include "openrc-shim/applets/daemon_env.h"

#include <gtest/gtest.h>

namespace ctinit::openrc {
namespace {

TEST(DaemonEnv, RcVariablesButTheServiceNames) {
  EXPECT_TRUE(IsRcInternal("RC_RUNLEVEL"));
  EXPECT_TRUE(IsRcInternal("RC_CMD"));
  EXPECT_FALSE(IsRcInternal("RC_SVCNAME"));
  EXPECT_FALSE(IsRcInternal("RC_SERVICE"));
  EXPECT_FALSE(IsRcInternal("PATH"));
  EXPECT_FALSE(IsRcInternal("XRC_Y"));
}

TEST(DaemonEnv, PathWithoutOpenrcHelperDirs) {
  EXPECT_EQ(DaemonPath("/lib/rc/bin:/bin:/lib/rc/sbin::/usr/bin"), "/bin:/usr/bin");
  EXPECT_EQ(DaemonPath("/lib/rc/bin"), "");
  EXPECT_EQ(DaemonPath(""), "");
}

}  // namespace
}  // namespace ctinit::openrc
