// LSB headers read as OpenRC dependencies, as Debian's OpenRC (lsb2rcconf) reads them
// (lsb_header.h). The expectations are lsb2rcconf's own output for the same headers.
#include "openrc-shim/lsb_header.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ctinit::openrc {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Debian 12's /etc/insserv.conf, facility lines as shipped.
constexpr const char* kInsservConf = R"(#
# All local filesystems are mounted (done during boot phase)
#
$local_fs	+mountall +mountall-bootclean +mountoverflowtmp +umountfs

$network	+networking +ifupdown

$named		+named +dnsmasq +lwresd +bind9 +unbound +pdns-recursor $network

$remote_fs	$local_fs +mountnfs +mountnfs-bootclean +umountnfs +sendsigs

$syslog		+rsyslog +sysklogd +syslog-ng +dsyslog +inetutils-syslogd

$time		+hwclock

<interactive>	glibc udev console-screen keymap keyboard-setup console-setup cryptdisks
)";

LsbFacilities Debian() {
  LsbFacilities f;
  ParseInsservConf(kInsservConf, &f);
  return f;
}

TEST(LsbHeader, InsservConfFacilities) {
  LsbFacilities f = Debian();
  EXPECT_EQ(f.size(), 6u);
  EXPECT_THAT(f["$remote_fs"], ElementsAre("$local_fs", "+mountnfs", "+mountnfs-bootclean",
                                           "+umountnfs", "+sendsigs"));
}

// Every field lsb2rcconf reads, checked against its output for this exact header:
//   provide alias1 alias2 _all
//   use rsyslog sysklogd syslog-ng dsyslog inetutils-syslogd hwclock shoulda named dnsmasq
//       lwresd bind9 unbound pdns-recursor networking ifupdown shouldstop
//   need reqa reqstop
//   before beforea networking ifupdown stopafter
TEST(LsbHeader, EveryFieldAsLsb2rcconfMapsIt) {
  constexpr const char* kProbe = R"(#!/bin/sh
### BEGIN INIT INFO
# Provides:          probe alias1 alias2
# Required-Start:    $syslog reqa $portmap $undefinedfac
# Required-Stop:     reqstop $time
# Should-Start:      shoulda $named
# Should-Stop:       shouldstop
# X-Start-Before:    beforea $network
# X-Stop-After:      stopafter
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: A probe
### END INIT INFO
)";
  ASSERT_TRUE(HasLsbHeader(kProbe));
  OpenrcDeps deps = LsbHeaderDeps("probe", kProbe, Debian());
  EXPECT_THAT(deps.provide, ElementsAre("alias1", "alias2", "_all"));
  EXPECT_THAT(deps.use,
              ElementsAre("rsyslog", "sysklogd", "syslog-ng", "dsyslog", "inetutils-syslogd",
                          "hwclock", "shoulda", "named", "dnsmasq", "lwresd", "bind9", "unbound",
                          "pdns-recursor", "networking", "ifupdown", "shouldstop"));
  EXPECT_THAT(deps.need, ElementsAre("reqa", "reqstop"));
  EXPECT_THAT(deps.before, ElementsAre("beforea", "networking", "ifupdown", "stopafter"));
  EXPECT_THAT(deps.after, IsEmpty());
}

// Debian's rc.local: Required-Start: $all → `use _all`, and it does not provide _all itself.
TEST(LsbHeader, AllMeansAfterEveryOtherLsbScript) {
  OpenrcDeps deps = LsbHeaderDeps("rc.local",
                                  "### BEGIN INIT INFO\n# Provides:          rc.local\n"
                                  "# Required-Start:    $all\n# Required-Stop:\n"
                                  "### END INIT INFO\n",
                                  Debian());
  EXPECT_THAT(deps.provide, IsEmpty());
  EXPECT_THAT(deps.use, ElementsAre("_all"));
  EXPECT_THAT(deps.need, IsEmpty());
}

// A plain (not "+") facility member is required; nesting loops are cut.
TEST(LsbHeader, PlainFacilityMembersAreNeedsAndLoopsEnd) {
  LsbFacilities f;
  ParseInsservConf("$portmap\tportmap +rpcbind $loop\n$loop $portmap +x\n", &f);
  OpenrcDeps deps = LsbHeaderDeps("nfs",
                                  "### BEGIN INIT INFO\n# required-start: $portmap\n"
                                  "### END INIT INFO\n",
                                  f);
  EXPECT_THAT(deps.need, ElementsAre("portmap"));
  EXPECT_THAT(deps.use, ElementsAre("rpcbind", "x"));
}

// Without insserv.conf: OpenRC's own names, all optional.
TEST(LsbHeader, WithoutInsservConfOpenrcNamesAreUsed) {
  OpenrcDeps deps = LsbHeaderDeps("exim4",
                                  "### BEGIN INIT INFO\n# Provides: exim4 mail-transport-agent\n"
                                  "# Required-Start: $remote_fs $syslog $named\n"
                                  "# Description: exim is\n#\tcontinued: not a field\n"
                                  "### END INIT INFO\n# Required-Start: after-the-block\n",
                                  DefaultLsbFacilities());
  EXPECT_THAT(deps.provide, ElementsAre("mail-transport-agent", "_all"));
  EXPECT_THAT(deps.use, ElementsAre("localmount", "netmount", "logger", "dns", "net"));
  EXPECT_THAT(deps.need, IsEmpty());
}

TEST(LsbHeader, NoBlockNoDependencies) {
  EXPECT_FALSE(HasLsbHeader("#!/bin/sh\n# Required-Start: db\n"));
  EXPECT_EQ(LsbHeaderDeps("x", "#!/bin/sh\n# Required-Start: db\n", Debian()), OpenrcDeps{});
  EXPECT_EQ(LsbHeaderDeps("x", "### BEGIN INIT INFO\n", Debian()), OpenrcDeps{});
}

}  // namespace
}  // namespace ctinit::openrc
