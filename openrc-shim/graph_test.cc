#include "openrc-shim/graph.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ctinit::openrc {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using Strings = std::vector<std::string>;
using Waves = std::vector<Strings>;

Strings Messages(const Graph& g) {
  Strings out;
  for (const auto& d : g.diagnostics) out.push_back(d.message);
  return out;
}

// A small Gentoo-like tree (dependencies as the extraction would fold them).
std::map<std::string, OpenrcDeps> Tree() {
  std::map<std::string, OpenrcDeps> t;
  t["localmount"] = {
      .need = {"fsck"}, .after = {"clock"}, .keywords = {"-docker", "-lxc", "-prefix"}};
  t["fsck"] = {.keywords = {"-docker", "-timeout"}};
  t["clock"] = {};
  t["hostname"] = {.keywords = {"-docker", "-lxc"}};
  t["syslog-ng"] = {.use = {"clock"}, .provide = {"logger"}};
  t["metalog"] = {.provide = {"logger"}};
  t["cronie"] = {.need = {"localmount"}, .use = {"clock", "logger"}, .provide = {"cron"}};
  t["sshd"] = {.need = {"net"}, .use = {"logger", "dns"}};
  t["net.lo"] = {.provide = {"net"}};
  t["dnsmasq"] = {.use = {"logger"}, .provide = {"dns"}};
  t["local"] = {.after = {"*"}, .keywords = {"-timeout"}};
  return t;
}

TEST(OpenrcGraph, WavesFollowDependencies) {
  GraphInput in{.services = Tree(),
                .start = {"cronie", "sshd", "syslog-ng", "local", "dnsmasq"},
                .rc_sys = ""};
  Graph g = BuildGraph(in);
  EXPECT_THAT(Messages(g), IsEmpty());
  // need pulls in localmount -> fsck and net.lo (providing net); clock only by use -> not pulled
  EXPECT_EQ(g.start_waves, (Waves{{"fsck", "net.lo", "syslog-ng"},
                                  {"dnsmasq", "localmount"},
                                  {"cronie", "sshd"},
                                  {"local"}}));
  EXPECT_EQ(g.stop_waves, (Waves{{"local"},
                                 {"cronie", "sshd"},
                                 {"dnsmasq", "localmount"},
                                 {"fsck", "net.lo", "syslog-ng"}}));
  EXPECT_THAT(g.start_after["cronie"], ElementsAre("localmount", "syslog-ng"));
  EXPECT_THAT(g.start_after["sshd"], ElementsAre("dnsmasq", "net.lo", "syslog-ng"));
  EXPECT_THAT(g.masked, IsEmpty());
}

TEST(OpenrcGraph, DockerMasksDeleteEdgesSoMaskedNeedsAreSatisfied) {
  GraphInput in{.services = Tree(),
                .start = {"hostname", "cronie", "syslog-ng", "local"},
                .rc_sys = "DOCKER"};
  Graph g = BuildGraph(in);
  EXPECT_THAT(g.masked, ElementsAre("fsck", "hostname", "localmount"));
  EXPECT_THAT(Messages(g), IsEmpty());  // a masked runlevel entry or need is not an error
  EXPECT_EQ(g.start_waves, (Waves{{"syslog-ng"}, {"cronie"}, {"local"}}));
}

TEST(OpenrcGraph, NoPrefixFormOfMaskAndLowerCaseSys) {
  auto t = Tree();
  t["old"] = {.keywords = {"nolxc"}};
  GraphInput in{.services = t, .start = {"old", "hostname", "metalog"}, .rc_sys = "LXC"};
  Graph g = BuildGraph(in);
  EXPECT_THAT(g.masked, ElementsAre("hostname", "localmount", "old"));
  EXPECT_EQ(g.start_waves, (Waves{{"metalog"}}));
}

TEST(OpenrcGraph, VirtualResolvesToProvidersInTheRunlevelElseTheFirst) {
  auto t = Tree();
  t["app"] = {.need = {"logger"}};
  // metalog in the runlevel: it is the logger; syslog-ng is not pulled in
  Graph g1 = BuildGraph({.services = t, .start = {"app", "metalog"}});
  EXPECT_EQ(g1.start_waves, (Waves{{"metalog"}, {"app"}}));
  // nobody providing logger in the runlevel: the first provider by name is pulled in
  Graph g2 = BuildGraph({.services = t, .start = {"app"}});
  EXPECT_EQ(g2.start_waves, (Waves{{"metalog"}, {"app"}}));
  // both in the runlevel: app waits for both
  Graph g3 = BuildGraph({.services = t, .start = {"app", "metalog", "syslog-ng"}});
  EXPECT_EQ(g3.start_waves, (Waves{{"metalog", "syslog-ng"}, {"app"}}));
}

TEST(OpenrcGraph, UseOnlyOrdersWantPullsIn) {
  std::map<std::string, OpenrcDeps> t;
  t["a"] = {.use = {"b"}, .want = {"c"}};
  t["b"] = {};
  t["c"] = {};
  EXPECT_EQ(BuildGraph({.services = t, .start = {"a"}}).start_waves, (Waves{{"c"}, {"a"}}));
  EXPECT_EQ(BuildGraph({.services = t, .start = {"a", "b"}}).start_waves,
            (Waves{{"b", "c"}, {"a"}}));
}

TEST(OpenrcGraph, BeforeAndAfterStar) {
  std::map<std::string, OpenrcDeps> t;
  t["early"] = {.before = {"*"}};
  t["late"] = {.after = {"*"}};
  t["later"] = {.after = {"*"}};
  t["x"] = {};
  t["y"] = {.need = {"x"}};
  t["pre"] = {.before = {"late"}};                   // no effect beyond what after * does
  t["post"] = {.after = {"*"}, .before = {"late"}};  // both after *: explicit before still holds
  Graph g = BuildGraph({.services = t, .start = {"early", "late", "later", "x", "y", "post"}});
  EXPECT_THAT(Messages(g), IsEmpty());
  EXPECT_EQ(g.start_waves, (Waves{{"early"}, {"x"}, {"y"}, {"later", "post"}, {"late"}}));
}

TEST(OpenrcGraph, MissingNeedWarnsAndStartsByDefault) {
  std::map<std::string, OpenrcDeps> t;
  t["app"] = {.need = {"nosuch"}, .want = {"alsomissing"}};
  t["user"] = {.need = {"app"}};
  Graph g = BuildGraph({.services = t, .start = {"user", "ghost"}});
  EXPECT_EQ(g.start_waves, (Waves{{"app"}, {"user"}}));
  EXPECT_THAT(Messages(g),
              ElementsAre(HasSubstr("runlevel names \"ghost\", which is not a known service"),
                          "app needs non-existent service \"nosuch\"; starting it anyway"));
}

TEST(OpenrcGraph, StrictNeedLeavesOutTheDependentsLikeOpenrc) {
  std::map<std::string, OpenrcDeps> t;
  t["app"] = {.need = {"nosuch"}};
  t["user"] = {.need = {"app"}};
  t["other"] = {.use = {"app"}};
  Graph g = BuildGraph({.services = t, .start = {"user", "other"}, .strict_need = true});
  EXPECT_THAT(g.broken, ElementsAre("app", "user"));
  EXPECT_EQ(g.start_waves, (Waves{{"other"}}));
  EXPECT_THAT(Messages(g), ElementsAre(HasSubstr("app needs non-existent service"),
                                       HasSubstr("user needs \"app\"")));
}

TEST(OpenrcGraph, CycleIsBrokenAtItsWeakestEdgeWithAWarning) {
  std::map<std::string, OpenrcDeps> t;
  t["a"] = {.need = {"b"}};
  t["b"] = {.need = {"c"}};
  t["c"] = {.after = {"a"}};
  t["d"] = {.need = {"a"}};
  Graph g = BuildGraph({.services = t, .start = {"a", "b", "c", "d"}});
  EXPECT_EQ(g.start_waves, (Waves{{"c"}, {"b"}, {"a"}, {"d"}}));
  EXPECT_THAT(Messages(g), ElementsAre("dependency cycle a -> b -> c -> a (each waits for the "
                                       "next); ignoring that c waits for a (after)"));
  // deterministic: same input, same result
  Graph again = BuildGraph({.services = t, .start = {"d", "c", "b", "a"}});
  EXPECT_EQ(again.start_waves, g.start_waves);
  EXPECT_EQ(Messages(again), Messages(g));
}

TEST(OpenrcGraph, EqualStrengthCycleDropsTheFirstEdgeInCycleOrder) {
  std::map<std::string, OpenrcDeps> t;
  t["x"] = {.need = {"y"}};
  t["y"] = {.need = {"x"}};
  Graph g = BuildGraph({.services = t, .start = {"x"}});
  EXPECT_EQ(g.start_waves, (Waves{{"x"}, {"y"}}));
  EXPECT_THAT(Messages(g), ElementsAre(HasSubstr("ignoring that x waits for y (need)")));
}

TEST(OpenrcGraph, RealAndVirtualNameClash) {
  std::map<std::string, OpenrcDeps> t;
  t["net"] = {};
  t["dhcpcd"] = {.provide = {"net"}};
  t["app"] = {.need = {"net"}};
  Graph g = BuildGraph({.services = t, .start = {"app"}});
  EXPECT_EQ(g.start_waves, (Waves{{"net"}, {"app"}}));
  EXPECT_THAT(Messages(g), ElementsAre(HasSubstr("real and a virtual service")));
}

TEST(OpenrcGraph, Empty) {
  Graph g = BuildGraph({});
  EXPECT_THAT(g.start_waves, IsEmpty());
  EXPECT_THAT(g.stop_waves, IsEmpty());
}

}  // namespace
}  // namespace ctinit::openrc
