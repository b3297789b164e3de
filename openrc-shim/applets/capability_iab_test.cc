#include "openrc-shim/applets/capability_iab.h"

#include <gtest/gtest.h>
#include <linux/capability.h>

namespace ctinit::openrc {
namespace {

constexpr uint64_t Bit(int cap) { return uint64_t{1} << cap; }

CapabilityIab Parse(const std::string& text) {
  std::string err;
  auto iab = ParseCapabilityIab(text, &err);
  EXPECT_TRUE(iab.has_value()) << err;
  return iab.value_or(CapabilityIab{});
}

TEST(CapabilityIab, PrefixesSayWhichSets) {
  auto iab = Parse("^cap_net_bind_service,!cap_sys_admin,cap_chown,%CAP_KILL,!^cap_setuid");
  EXPECT_EQ(iab.ambient, Bit(CAP_NET_BIND_SERVICE) | Bit(CAP_SETUID));
  EXPECT_EQ(iab.inheritable,
            Bit(CAP_NET_BIND_SERVICE) | Bit(CAP_CHOWN) | Bit(CAP_KILL) | Bit(CAP_SETUID));
  EXPECT_EQ(iab.drop_bounding, Bit(CAP_SYS_ADMIN) | Bit(CAP_SETUID));
  // A plain drop is not inheritable; a number names a capability too; "a," is "a" (libcap).
  EXPECT_EQ(Parse("!12").inheritable, 0u);
  EXPECT_EQ(Parse("!12").drop_bounding, Bit(12));
  EXPECT_EQ(Parse("cap_chown,").inheritable, Bit(CAP_CHOWN));
  EXPECT_EQ(Parse("").inheritable, 0u);
}

TEST(CapabilityIab, UnknownNamesAndEmptyEntriesAreRefused) {
  std::string err;
  EXPECT_FALSE(ParseCapabilityIab("^cap_nope", &err));
  EXPECT_EQ(err, "unknown capability `cap_nope'");
  EXPECT_FALSE(ParseCapabilityIab("cap_chown,,cap_kill", &err));
  EXPECT_FALSE(ParseCapabilityIab("^", &err));
  EXPECT_FALSE(ParseCapabilityIab("cap_chown cap_kill", &err));
}

TEST(CapabilityIab, SecbitsAreStrtoulBaseZero) {
  std::string err;
  EXPECT_EQ(ParseSecbits("0x2f", &err), 0x2fu);
  EXPECT_EQ(ParseSecbits("017", &err), 017u);
  EXPECT_EQ(ParseSecbits("5", &err), 5u);
  EXPECT_FALSE(ParseSecbits("", &err));
  EXPECT_EQ(err, "Secbits are empty");
  EXPECT_FALSE(ParseSecbits("0x1g", &err));
  EXPECT_EQ(err, "Could not parse secbits: invalid char g");
}

TEST(CapabilityIab, CheckNamesWhatTheContainerCannotGive) {
  OwnCapabilitySets own;
  own.bounding = Bit(CAP_NET_BIND_SERVICE) | Bit(CAP_CHOWN) | Bit(CAP_SYS_ADMIN);
  own.permitted = Bit(CAP_NET_BIND_SERVICE) | Bit(CAP_SYS_ADMIN);
  own.setpcap = false;
  EXPECT_EQ(CheckIab(Parse("^cap_net_bind_service"), own), "");
  EXPECT_EQ(CheckIab(Parse("^cap_sys_module"), own),
            "cap_sys_module is not in this container's bounding set");
  EXPECT_EQ(CheckIab(Parse("cap_chown"), own), "cap_chown is not in this process's permitted set");
  // Dropping what is already gone needs nothing; dropping what is there needs cap_setpcap.
  EXPECT_EQ(CheckIab(Parse("!cap_sys_module"), own), "");
  EXPECT_EQ(CheckIab(Parse("!cap_sys_admin"), own),
            "cannot drop cap_sys_admin from the bounding set without cap_setpcap");
  own.setpcap = true;
  EXPECT_EQ(CheckIab(Parse("!cap_sys_admin"), own), "");
}

TEST(CapabilityIab, MaskTextIsHex) {
  EXPECT_EQ(MaskText(0), "0x0");
  EXPECT_EQ(MaskText(Bit(CAP_NET_BIND_SERVICE)), "0x400");
}

}  // namespace
}  // namespace ctinit::openrc
