#include "init/base/capabilities.h"

#include <gtest/gtest.h>
#include <linux/capability.h>

namespace ctinit::caps {
namespace {

TEST(Capabilities, NamesAndNumbersAgreeWithTheKernelHeaders) {
  EXPECT_EQ(FromName("CAP_CHOWN"), CAP_CHOWN);
  EXPECT_EQ(FromName("CAP_NET_BIND_SERVICE"), CAP_NET_BIND_SERVICE);
  EXPECT_EQ(FromName("cap_net_bind_service"), CAP_NET_BIND_SERVICE);
  EXPECT_EQ(FromName("CAP_SYS_ADMIN"), CAP_SYS_ADMIN);
  EXPECT_EQ(FromName("CAP_CHECKPOINT_RESTORE"), 40);
  EXPECT_EQ(FromName("12"), 12);
  EXPECT_EQ(FromName("CAP_NOPE"), std::nullopt);
  EXPECT_EQ(FromName("64"), std::nullopt);
  EXPECT_EQ(FromName(""), std::nullopt);
  EXPECT_EQ(Name(CAP_SETPCAP), "CAP_SETPCAP");
  EXPECT_EQ(Name(50), "50");
  EXPECT_EQ(Names(Bit(CAP_KILL) | Bit(CAP_CHOWN)), "CAP_CHOWN CAP_KILL");
  EXPECT_EQ(Names(0), "");
}

}  // namespace
}  // namespace ctinit::caps
