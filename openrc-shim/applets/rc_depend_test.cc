#include "openrc-shim/applets/rc_depend.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

namespace ctinit::openrc {
namespace {

using ::testing::ElementsAre;
using Strings = std::vector<std::string>;

// net.lo provides net; sshd needs net and uses logger; syslog provides logger and needs
// localmount; localmount is after (not needing) root; web wants sshd.
DepTree Tree() {
  std::map<std::string, OpenrcDeps> s;
  s["net.lo"].provide = {"net"};
  s["sshd"].need = {"net"};
  s["sshd"].use = {"logger", "dns"};
  s["syslog"].provide = {"logger"};
  s["syslog"].need = {"localmount"};
  s["localmount"].after = {"root"};
  s["root"];
  s["web"].want = {"sshd"};
  return BuildDepTree(s);
}

const FollowService kAll = [](const std::string&, const std::string&) { return true; };

Strings Trace(const Strings& svcs, const Strings& types, bool trace = true,
              const std::string& caller = "", const FollowService& follow = kAll) {
  Strings unknown;
  return TraceDepends(Tree(), svcs, types, trace, caller, follow, &unknown);
}

TEST(RcDepend, TracedDependenciesComeFirstThenTheServiceItself) {
  EXPECT_THAT(Trace({"sshd"}, {"ineed", "iuse"}),
              ElementsAre("net.lo", "localmount", "syslog", "sshd"));
  // The calling script does not list itself; a virtual name never does.
  EXPECT_THAT(Trace({"sshd"}, {"ineed", "iuse"}, true, "sshd"),
              ElementsAre("net.lo", "localmount", "syslog"));
}

// As librc's visit_service(), the service itself still ends the list.
TEST(RcDepend, NotraceListsTheDirectNames) {
  EXPECT_THAT(Trace({"sshd"}, {"ineed", "iuse"}, false),
              ElementsAre("net", "logger", "dns", "sshd"));
  EXPECT_THAT(Trace({"localmount"}, {"iafter"}, false), ElementsAre("root", "localmount"));
}

TEST(RcDepend, ReverseTypes) {
  // sshd needs "net", the virtual name, not net.lo.
  EXPECT_THAT(Trace({"net.lo"}, {"needsme"}, false), ElementsAre("net.lo"));
  EXPECT_THAT(Trace({"net"}, {"providedby"}, false), ElementsAre("net.lo"));  // net: virtual
  EXPECT_THAT(Trace({"sshd"}, {"wantsme"}, false), ElementsAre("web", "sshd"));
  EXPECT_THAT(Trace({"root"}, {"ibefore"}, false), ElementsAre("localmount", "root"));
  EXPECT_THAT(Trace({"localmount"}, {"needsme"}), ElementsAre("syslog", "localmount"));
}

TEST(RcDepend, WeakTypesFollowOnlyWhatTheRunlevelHas) {
  FollowService only_need = [](const std::string&, const std::string& type) {
    return type == "ineed";
  };
  EXPECT_THAT(Trace({"sshd"}, {"ineed", "iuse"}, true, "", only_need),
              ElementsAre("net.lo", "sshd"));
}

TEST(RcDepend, UnknownServicesAreNamed) {
  Strings unknown;
  auto out = TraceDepends(Tree(), {"nosuch", "root"}, {"ineed"}, true, "", kAll, &unknown);
  EXPECT_THAT(unknown, ElementsAre("nosuch"));
  EXPECT_THAT(out, ElementsAre("root"));
}

TEST(RcAbort, WithoutAnOpenrcProcessItSaysSoAndFails) {
  unsetenv("RC_PID");
  EXPECT_EQ(RcAbortMain({}), 1);
  setenv("RC_PID", "1", 1);  // never an openrc process here, and never signalled
  EXPECT_EQ(RcAbortMain({}), 1);
  unsetenv("RC_PID");
}

}  // namespace
}  // namespace ctinit::openrc
