#include "unit-compat/sysv_script.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ctinit::units {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Debian 12's /etc/init.d/exim4, header and usage line.
constexpr const char* kExim4 =
    "#! /bin/sh\n"
    "# /etc/init.d/exim4\n"
    "#\n"
    "### BEGIN INIT INFO\n"
    "# Provides:          exim4\n"
    "# Required-Start:    $remote_fs $syslog $named $network $time\n"
    "# Required-Stop:     $remote_fs $syslog $named $network\n"
    "# Should-Start:      postgresql mysql clamav-daemon greylist spamassassin\n"
    "# Should-Stop:       postgresql mysql clamav-daemon greylist spamassassin\n"
    "# Default-Start:     2 3 4 5\n"
    "# Default-Stop:      0 1 6\n"
    "# Short-Description: exim Mail Transport Agent\n"
    "# Description:       exim is a Mail Transport agent\n"
    "### END INIT INFO\n"
    "set -e\n"
    "case \"$1\" in\n"
    "  *)\n"
    "    echo \"Usage: $0 {start|stop|restart|reload|status|force-stop}\"\n"
    "esac\n";

TEST(SysvScript, Exim4HeaderAsSystemdReadsIt) {
  SysvScript s = ParseSysvScript(kExim4, "exim4");
  EXPECT_TRUE(s.has_lsb);
  EXPECT_EQ(s.description, "LSB: exim Mail Transport Agent");
  EXPECT_THAT(s.aliases, IsEmpty());  // its own name
  // $syslog stands for nothing; $network is network-online.target, which it must also want.
  EXPECT_THAT(s.after,
              ElementsAre("remote-fs.target", "nss-lookup.target", "network-online.target",
                          "time-sync.target", "postgresql.service", "mysql.service",
                          "clamav-daemon.service", "greylist.service", "spamassassin.service"));
  EXPECT_THAT(s.wants, ElementsAre("network-online.target"));
  EXPECT_THAT(s.before, IsEmpty());
  EXPECT_TRUE(s.reload);
  EXPECT_FALSE(s.pid_file);
}

TEST(SysvScript, ProvidesTargetsAndAliasesAndStartBefore) {
  SysvScript s = ParseSysvScript(
      "### BEGIN INIT INFO\n"
      "# provides: slapd ldap $network\n"
      "# X-Start-Before: $x-display-manager nscd\n"
      "# X-Start-After: $local_fs portmap\n"
      "# Required-Start: $portmap $all\n"
      "### END INIT INFO\n",
      "slapd.sh");
  EXPECT_THAT(s.aliases, ElementsAre("ldap.service"));
  EXPECT_THAT(s.before, ElementsAre("network-online.target", "network.target",
                                    "x-display-manager.target", "nscd.service"));
  EXPECT_THAT(s.wants, ElementsAre("network-online.target", "network.target"));
  // The '$' does not matter for the LSB facilities: "portmap" is "$portmap" (once).
  EXPECT_THAT(s.after, ElementsAre("rpcbind.target", "all.target"));
  EXPECT_TRUE(s.description.empty());
  EXPECT_FALSE(s.reload);
}

TEST(SysvScript, LongDescriptionContinuesOnIndentedCommentLines) {
  SysvScript s = ParseSysvScript(
      "### BEGIN INIT INFO\n"
      "# Description: first part\n"
      "#\tsecond part\n"
      "#  third part\n"
      "# Default-Start: 2\n"
      "#  not a continuation any more\n"
      "### END INIT INFO\n",
      "x");
  EXPECT_EQ(s.description, "LSB: first part second part third part");
}

TEST(SysvScript, ChkconfigDescriptionAndPidFileWithoutLsbHeader) {
  SysvScript s = ParseSysvScript(
      "#!/bin/sh\n"
      "# chkconfig: 2345 55 25\n"
      "# description: an old \\\n"
      "#              daemon\n"
      "# pidfile: /run/old.pid\n"
      "echo \"usage: old start|stop\"\n",
      "old");
  EXPECT_FALSE(s.has_lsb);
  EXPECT_EQ(s.description, "SYSV: an old daemon");
  EXPECT_EQ(s.pid_file, "/run/old.pid");
  EXPECT_FALSE(s.reload);                                                 // no {reload| form
  EXPECT_FALSE(ParseSysvScript("# pidfile: run/x.pid\n", "x").pid_file);  // not absolute
}

TEST(SysvScript, ReloadFromAContinuedUsageLine) {
  EXPECT_TRUE(ParseSysvScript("echo \"Usage: $0 {start|stop\\\n  |reload}\"\n", "x").reload);
  EXPECT_TRUE(ParseSysvScript("echo 'USAGE: x {reload|start}'\n", "x").reload);
  EXPECT_FALSE(ParseSysvScript("echo reload\n  |reload}\n", "x").reload);  // no usage line
  EXPECT_FALSE(ParseSysvScript("echo \"Usage: {start|stop|force-reload}\"\n", "x").reload);
}

TEST(SysvScript, UnitNamesAreMangledAsSystemdDoes) {
  EXPECT_EQ(SysvUnitName("exim4"), "exim4.service");
  EXPECT_EQ(SysvUnitName("hwclock.sh"), "hwclock.service");
  EXPECT_EQ(SysvUnitName("rc.local"), "rc.local.service");
  EXPECT_EQ(SysvUnitName("foo.service"), "foo.service");
  EXPECT_EQ(SysvUnitName("a b"), "a\\x20b.service");
  EXPECT_FALSE(SysvUnitName(""));
  EXPECT_FALSE(SysvUnitName(".sh"));
}

}  // namespace
}  // namespace ctinit::units
