// Gettys on terminals that do not exist are left out at load with one diagnostic; the rest stays.
#include "inittab/getty_terminal.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "inittab/inittab.h"

namespace ctinit::inittab {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

Command Cmd(const std::string& text) { return SysvCommand(text, false); }

TEST(GettyTerminalTest, FindsTheTerminalArgument) {
  EXPECT_EQ(GettyTerminal(Cmd("/sbin/getty --noclear 38400 tty1")), "/dev/tty1");
  EXPECT_EQ(GettyTerminal(Cmd("/sbin/getty 38400 tty2")), "/dev/tty2");
  EXPECT_EQ(GettyTerminal(Cmd("/sbin/agetty -L ttyS0 9600 vt100")), "/dev/ttyS0");
  EXPECT_EQ(GettyTerminal(Cmd("/sbin/mingetty /dev/tty3")), "/dev/tty3");
  EXPECT_EQ(GettyTerminal(Cmd("agetty --noclear hvc0 linux")), "/dev/hvc0");
  EXPECT_EQ(GettyTerminal(Cmd("/sbin/getty -8 38400 console")), "/dev/console");
}

TEST(GettyTerminalTest, NotAGettyOrNoTerminal) {
  EXPECT_EQ(GettyTerminal(Cmd("/usr/sbin/sshd -D tty1")), std::nullopt);
  EXPECT_EQ(GettyTerminal(Cmd("/sbin/getty 38400")), std::nullopt);
  EXPECT_EQ(GettyTerminal(Cmd("")), std::nullopt);
}

constexpr const char* kDebianTab =
    "id:2:initdefault:\n"
    "si::sysinit:/etc/init.d/rcS\n"
    "1:2345:respawn:/sbin/getty --noclear 38400 tty1\n"
    "2:23:respawn:/sbin/getty 38400 tty2\n"
    "T0:23:respawn:/sbin/getty -L ttyS0 9600 vt100\n"
    "co:2345:respawn:/sbin/getty 38400 console\n"
    "s1:2345:once:/sbin/getty 38400 tty6\n";

std::vector<std::string> Names(const ServiceSet& set) {
  std::vector<std::string> names;
  for (const auto& s : set.services) names.push_back(s.name);
  return names;
}

TEST(GettyTerminalTest, RespawnGettysWithoutTheirTerminalAreLeftOutOnce) {
  ServiceSet set = Parse(kDebianTab, "/etc/inittab");
  ASSERT_THAT(set.diagnostics, IsEmpty());
  std::set<std::string> present = {"/dev/console", "/dev/tty2"};
  std::vector<std::string> asked;
  DropGettysWithoutTerminal(&set, [&](const std::string& path) {
    asked.push_back(path);
    return present.count(path) > 0;
  });
  // tty2 and console exist and stay; `once` entries are not respawned, so they are left alone
  // (as is the built-in ~~ sulogin entry: no S level in the file).
  EXPECT_THAT(Names(set), ElementsAre("si", "2", "co", "s1", "~~"));
  EXPECT_THAT(asked, ElementsAre("/dev/tty1", "/dev/tty2", "/dev/ttyS0", "/dev/console"));
  ASSERT_EQ(set.diagnostics.size(), 2u);
  EXPECT_EQ(set.diagnostics[0].file, "/etc/inittab");
  EXPECT_EQ(set.diagnostics[0].line, 3);
  EXPECT_THAT(set.diagnostics[0].message, ::testing::StartsWith("getty on /dev/tty1 disabled"));
  EXPECT_EQ(set.diagnostics[1].line, 5);
  EXPECT_THAT(set.diagnostics[1].message, ::testing::HasSubstr("/dev/ttyS0"));
  EXPECT_THAT(set.inactive,
              ElementsAre(std::pair<std::string, std::string>("1", "no terminal /dev/tty1"),
                          std::pair<std::string, std::string>("T0", "no terminal /dev/ttyS0")));
}

TEST(GettyTerminalTest, EveryTerminalPresentChangesNothing) {
  ServiceSet set = Parse(kDebianTab, "/etc/inittab");
  ServiceSet before = set;
  DropGettysWithoutTerminal(&set, [](const std::string&) { return true; });
  EXPECT_EQ(Names(set), Names(before));
  EXPECT_THAT(set.diagnostics, IsEmpty());
  EXPECT_THAT(set.inactive, IsEmpty());
}

}  // namespace
}  // namespace ctinit::inittab
