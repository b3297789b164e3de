#include "openrc-shim/applets/process_match.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

namespace ctinit::openrc {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<ProcInfo> Procs() {
  return {
      {1, 0, false, "ctinit", "/sbin/ctinit", {"/sbin/ctinit"}},
      {10, 0, false, "testd", "/usr/bin/testd", {"/usr/bin/testd", "-f"}},
      {11, 100, false, "testd", "/usr/bin/testd", {"/usr/bin/testd", "-g"}},
      {12, 0, true, "testd", "", {}},  // zombie
      {13, 0, false, "a-very-long-dae", "", {"/opt/a-very-long-daemon-name"}},
      {14, 0, false, "myscript", "/bin/busybox", {"/bin/sh", "/usr/bin/myscript"}},
      {15, 0, false, "other", "/usr/bin/testd", {"renamed"}},
  };
}

TEST(ProcessMatch, PidfileMatchesExactlyThatPid) {
  MatchSpec s;
  s.pid = 11;
  EXPECT_THAT(FindPids(Procs(), s, 99), ElementsAre(11));
  s.pid = 12;  // zombie
  EXPECT_THAT(FindPids(Procs(), s, 99), IsEmpty());
  s.pid = -1;  // unreadable pidfile
  EXPECT_THAT(FindPids(Procs(), s, 99), IsEmpty());
}

TEST(ProcessMatch, ExecByExeOrCommAndArgv) {
  MatchSpec s;
  s.exec = "/usr/bin/testd";
  EXPECT_THAT(FindPids(Procs(), s, 99), ElementsAre(10, 11, 15));
  s.argv = {"/usr/bin/testd"};
  EXPECT_THAT(FindPids(Procs(), s, 99), ElementsAre(10, 11));
  s.argv = {"/usr/bin/testd", "-g"};
  EXPECT_THAT(FindPids(Procs(), s, 99), ElementsAre(11));
  EXPECT_THAT(FindPids(Procs(), s, 11), IsEmpty());  // never ourselves
}

TEST(ProcessMatch, UserAndLongCommNames) {
  MatchSpec s;
  s.exec = "/usr/bin/testd";
  s.uid = 100;
  EXPECT_THAT(FindPids(Procs(), s, 99), ElementsAre(11));
  MatchSpec l;
  l.exec = "/opt/a-very-long-daemon-name";
  EXPECT_THAT(FindPids(Procs(), l, 99), ElementsAre(13));
}

TEST(ProcessMatch, ScriptsMatchByCommName) {
  MatchSpec s;
  s.exec = "myscript";  // --name myscript
  EXPECT_THAT(FindPids(Procs(), s, 99), ElementsAre(14));
  s.argv = {"/usr/bin/myscript"};  // cmdline starts with the interpreter: no match
  EXPECT_THAT(FindPids(Procs(), s, 99), IsEmpty());
}

TEST(ProcessMatch, ReadProcsSeesThisProcess) {
  auto procs = ReadProcs("/proc");
  bool found = false;
  for (const auto& p : procs) {
    if (p.pid == getpid()) {
      found = true;
      EXPECT_FALSE(p.cmdline.empty());
      EXPECT_FALSE(p.comm.empty());
    }
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace ctinit::openrc
