#include "openrc-shim/depend.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>

namespace ctinit::openrc {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using Strings = std::vector<std::string>;

std::string Root() { return std::string(CTINIT_SOURCE_DIR) + "/tests/fixtures/openrc/root"; }
std::string Script(const std::string& svc) { return Root() + "/etc/init.d/" + svc; }

DependResult Extract(const std::string& svc, const std::string& shell = "/bin/sh",
                     std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  SpawnScriptRunner runner;
  DependOptions opt;
  opt.root = Root();
  opt.shell = shell;
  opt.rc_sys = "DOCKER";
  opt.timeout = timeout;
  return ExtractDepends(svc, Script(svc), opt, runner);
}

Strings Messages(const DependResult& r) {
  Strings out;
  for (const auto& d : r.diagnostics) out.push_back(d.ToString());
  return out;
}

bool HaveBash() { return access("/bin/bash", X_OK) == 0; }

// --- pure parts ---------------------------------------------------------------------------

TEST(OpenrcShebang, AcceptsOpenrcRunRunscriptAndEnv) {
  EXPECT_TRUE(IsOpenrcShebang("#!/sbin/openrc-run"));
  EXPECT_TRUE(IsOpenrcShebang("#!/sbin/runscript"));
  EXPECT_TRUE(IsOpenrcShebang("#! /sbin/openrc-run"));
  EXPECT_TRUE(IsOpenrcShebang("#!/usr/sbin/openrc-run\r"));
  EXPECT_TRUE(IsOpenrcShebang("#!/usr/bin/env openrc-run"));
  EXPECT_TRUE(IsOpenrcShebang("#!/usr/bin/env runscript"));
  EXPECT_FALSE(IsOpenrcShebang("#!/bin/sh"));
  EXPECT_FALSE(IsOpenrcShebang("#!/usr/bin/env bash"));
  EXPECT_FALSE(IsOpenrcShebang("# /sbin/openrc-run"));
  EXPECT_FALSE(IsOpenrcShebang(""));
  EXPECT_FALSE(IsOpenrcShebang("#!/sbin/openrc-runner"));
}

TEST(OpenrcShellVar, ReplacesNonIdentifierCharacters) {
  EXPECT_EQ(ShellVar("net.eth0"), "net_eth0");
  EXPECT_EQ(ShellVar("agetty.tty1"), "agetty_tty1");
  EXPECT_EQ(ShellVar("systemd-nspawn"), "systemd_nspawn");
  EXPECT_EQ(ShellVar("plain_1"), "plain_1");
}

TEST(OpenrcFold, AppliesLibrcRules) {
  OpenrcDeps d = FoldDependLines("svc",
                                 "@loaded\n"
                                 "need a b  svc c.sh a\n"
                                 "after x y *\n"
                                 "before y z\n"  // y leaves after
                                 "use z\n"       // z leaves before
                                 "need !b\n"
                                 "provide svc logger\n"
                                 "keyword -containers -timeout !-lxc\n"
                                 "config /etc/foo.conf\n"
                                 "bogus q\n"
                                 "@depend 0\n@done\n");
  EXPECT_THAT(d.need, ElementsAre("a"));
  EXPECT_THAT(d.after, ElementsAre("x", "*"));
  EXPECT_THAT(d.before, ElementsAre("y"));
  EXPECT_THAT(d.use, ElementsAre("z"));
  EXPECT_THAT(d.provide, ElementsAre("logger"));
  EXPECT_THAT(d.keywords, ElementsAre("-docker", "-podman", "-openvz", "-rkt", "-systemd-nspawn",
                                      "-uml", "-vserver", "-wsl", "-timeout"));
  EXPECT_THAT(d.config, ElementsAre("/etc/foo.conf"));
}

class FakeRunner : public ScriptRunner {
 public:
  RunResult Run(const RunRequest& r) noexcept override {
    seen = r;
    return result;
  }
  RunRequest seen;
  RunResult result;
};

TEST(OpenrcExtract, PassesServiceEnvironmentAndPathsToTheRunner) {
  FakeRunner fake;
  fake.result.spawned = true;
  fake.result.fd3 = "need x\n@loaded\n@depend 0\nuse y\n@done\n";
  DependOptions opt;
  opt.root = Root();
  opt.shell = "/bin/sh";
  opt.rc_sys = "LXC";
  opt.timeout = std::chrono::milliseconds(1234);
  DependResult r = ExtractDepends("dnsmasq.eth1", Script("dnsmasq.eth1"), opt, fake);
  ASSERT_TRUE(r.loaded);
  EXPECT_THAT(r.diagnostics, IsEmpty());
  EXPECT_THAT(r.deps.need, ElementsAre("x"));
  EXPECT_THAT(r.deps.use, ElementsAre("y"));
  ASSERT_GE(fake.seen.argv.size(), 9u);
  EXPECT_EQ(fake.seen.argv[0], "/bin/sh");
  EXPECT_EQ(fake.seen.argv[1], "-c");
  EXPECT_EQ(fake.seen.argv[4], Script("dnsmasq.eth1"));
  EXPECT_EQ(fake.seen.argv[5], Root() + "/etc/conf.d");
  EXPECT_EQ(fake.seen.argv[6], Root());
  EXPECT_EQ(fake.seen.argv[7], "dnsmasq_eth1");
  EXPECT_EQ(fake.seen.cwd, Root() + "/etc/init.d");
  EXPECT_EQ(fake.seen.timeout.count(), 1234);
  EXPECT_THAT(fake.seen.env, Contains("RC_SVCNAME=dnsmasq.eth1"));
  EXPECT_THAT(fake.seen.env, Contains("SVCNAME=dnsmasq.eth1"));
  EXPECT_THAT(fake.seen.env, Contains("RC_SYS=LXC"));
}

TEST(OpenrcExtract, RunnerThatCannotSpawnSkipsTheServiceWithADiagnostic) {
  FakeRunner fake;
  fake.result.error = "cannot execute \"/nope\": No such file or directory";
  DependOptions opt;
  opt.root = Root();
  DependResult r = ExtractDepends("cronie", Script("cronie"), opt, fake);
  EXPECT_FALSE(r.loaded);
  EXPECT_THAT(Messages(r), ElementsAre(HasSubstr("No such file or directory")));
}

TEST(OpenrcExtract, ChooseShellFallsBackToHostSh) {
  EXPECT_EQ(ChooseShell(Root()), "/bin/sh");  // the fixture root carries no shell
  std::string host = ChooseShell("/");
  EXPECT_TRUE(host == "/bin/bash" || host == "/usr/bin/bash" || host == "/bin/sh") << host;
}

// --- real shells --------------------------------------------------------------------------

TEST(OpenrcExtract, CronieLike) {
  DependResult r = Extract("cronie");
  ASSERT_TRUE(r.loaded) << r.output;
  EXPECT_THAT(r.diagnostics, IsEmpty());
  EXPECT_THAT(r.deps.use, ElementsAre("clock", "logger"));
  EXPECT_THAT(r.deps.need, ElementsAre("localmount"));
  EXPECT_THAT(r.deps.provide, ElementsAre("cron"));
  EXPECT_THAT(r.deps.after, IsEmpty());
}

TEST(OpenrcExtract, SshdLikeConditionalDependReadsConfD) {
  for (std::string shell : {"/bin/sh", "/bin/bash"}) {
    if (shell == "/bin/bash" && !HaveBash()) continue;
    DependResult r = Extract("sshd", shell);
    ASSERT_TRUE(r.loaded) << shell << r.output;
    EXPECT_THAT(r.deps.use, ElementsAre("logger", "dns")) << shell;
    EXPECT_THAT(r.deps.after, ElementsAre("entropy")) << shell;
    EXPECT_THAT(r.deps.need, ElementsAre("net")) << shell;  // SSHD_LISTEN names 10.1.2.3
    EXPECT_THAT(r.output, HasSubstr("ListenAddress")) << shell;
    EXPECT_THAT(r.output, HasSubstr("need  10.1.2.3:22")) << shell;  // printed, not a dependency
  }
}

TEST(OpenrcExtract, WhatDependPrintsIsNeverADependency) {
  DependResult r = Extract("chatty");
  ASSERT_TRUE(r.loaded) << r.output;
  EXPECT_THAT(r.deps.need, IsEmpty());
  EXPECT_THAT(r.deps.provide, IsEmpty());
  EXPECT_THAT(r.deps.use, ElementsAre("logger"));
  EXPECT_THAT(r.output, HasSubstr("need bogus"));
  EXPECT_THAT(r.output, HasSubstr("printed-at-global-scope"));
}

TEST(OpenrcExtract, FailingDependKeepsWhatItDeclaredWithADiagnostic) {
  DependResult r = Extract("failing");
  ASSERT_TRUE(r.loaded);
  EXPECT_THAT(r.deps.need, ElementsAre("localmount"));
  EXPECT_THAT(Messages(r),
              ElementsAre(AllOf(HasSubstr(Script("failing")), HasSubstr("depend() returned 3"))));
}

TEST(OpenrcExtract, ExitInsideDependKeepsWhatItDeclared) {
  DependResult r = Extract("exiting");
  ASSERT_TRUE(r.loaded);
  EXPECT_THAT(r.deps.need, ElementsAre("localmount"));
  EXPECT_THAT(Messages(r), ElementsAre(AllOf(HasSubstr("depend() did not complete (exit 4)"),
                                             HasSubstr("about to exit"))));
}

TEST(OpenrcExtract, SyntaxErrorSkipsTheServiceNamingTheFile) {
  for (std::string shell : {"/bin/sh", "/bin/bash"}) {
    if (shell == "/bin/bash" && !HaveBash()) continue;
    DependResult r = Extract("broken-syntax", shell);
    EXPECT_FALSE(r.loaded) << shell;
    EXPECT_THAT(r.deps.need, IsEmpty()) << shell;
    ASSERT_EQ(r.diagnostics.size(), 1u) << shell;
    EXPECT_EQ(r.diagnostics[0].file, Script("broken-syntax"));
    EXPECT_THAT(r.diagnostics[0].message, HasSubstr("cannot be sourced")) << shell;
    EXPECT_THAT(r.diagnostics[0].message, HasSubstr("skipped")) << shell;
  }
}

TEST(OpenrcExtract, MultiInstanceSourcesPrefixThenInstanceConfD) {
  DependResult base = Extract("dnsmasq");
  ASSERT_TRUE(base.loaded) << base.output;
  EXPECT_THAT(base.deps.provide, ElementsAre("dns"));
  EXPECT_THAT(base.deps.use, ElementsAre("logger"));
  EXPECT_THAT(base.deps.want, ElementsAre("base-layer"));
  EXPECT_THAT(base.deps.after, IsEmpty());
  EXPECT_THAT(base.deps.before, IsEmpty());

  DependResult inst = Extract("dnsmasq.eth1");
  ASSERT_TRUE(inst.loaded) << inst.output;
  EXPECT_THAT(inst.deps.provide, ElementsAre("dns"));
  EXPECT_THAT(inst.deps.use, ElementsAre("logger"));       // from conf.d/dnsmasq
  EXPECT_THAT(inst.deps.after, ElementsAre("net.eth1"));   // from conf.d/dnsmasq.eth1
  EXPECT_THAT(inst.deps.want, ElementsAre("eth1-layer"));  // the instance file wins
  EXPECT_THAT(inst.deps.before, ElementsAre("sshd"));      // rc_<shell_var(svc)>_before
}

TEST(OpenrcExtract, ConfDAndRcConfOverrides) {
  DependResult r = Extract("webapp");
  ASSERT_TRUE(r.loaded) << r.output;
  EXPECT_THAT(r.deps.need, ElementsAre("cache"));           // conf.d rc_need="cache !db"
  EXPECT_THAT(r.deps.use, ElementsAre("logger"));           // rc.conf rc_webapp_use
  EXPECT_THAT(r.deps.before, ElementsAre("cronie"));        // rc.conf.d rc_webapp_before
  EXPECT_THAT(r.deps.provide, ElementsAre("from-rcconf"));  // rc.conf sourced after conf.d
}

TEST(OpenrcExtract, AfterStarExpandsInTheInitDirLikeGendepends) {
  DependResult r = Extract("local");
  ASSERT_TRUE(r.loaded) << r.output;
  EXPECT_THAT(r.deps.after, Contains("cronie"));
  EXPECT_THAT(r.deps.after, Contains("sshd"));
  EXPECT_THAT(r.deps.after, Not(Contains("local")));
  EXPECT_THAT(r.deps.keywords, ElementsAre("-timeout"));
}

TEST(OpenrcExtract, KeywordsAndContainersExpansion) {
  DependResult h = Extract("hostname");
  ASSERT_TRUE(h.loaded);
  EXPECT_THAT(h.deps.keywords,
              ElementsAre("-docker", "-podman", "-lxc", "-prefix", "-systemd-nspawn", "-wsl"));
  DependResult l = Extract("localmount");
  ASSERT_TRUE(l.loaded);
  EXPECT_THAT(l.deps.keywords, Contains("-docker"));
  EXPECT_THAT(l.deps.keywords, Contains("-lxc"));
  EXPECT_THAT(l.deps.keywords, Contains("-jail"));
  EXPECT_THAT(l.deps.keywords, Not(Contains("-containers")));
  EXPECT_THAT(l.deps.after, ElementsAre("clock", "lvm", "modules"));
}

TEST(OpenrcExtract, LegacyAndEnvShebangs) {
  DependResult s = Extract("smartd");
  ASSERT_TRUE(s.loaded);
  EXPECT_THAT(s.deps.need, ElementsAre("localmount"));
  DependResult e = Extract("envrun");
  ASSERT_TRUE(e.loaded);
  EXPECT_THAT(e.deps.after, ElementsAre("cronie"));  // `after` removed it from before
  EXPECT_THAT(e.deps.before, IsEmpty());
  EXPECT_THAT(e.deps.use, IsEmpty());  // functions.sh and self are ignored
}

TEST(OpenrcExtract, RejectsOtherShebangsAndNonExecutables) {
  DependResult p = Extract("plain-sh");
  EXPECT_FALSE(p.loaded);
  EXPECT_THAT(Messages(p),
              ElementsAre(HasSubstr("not an OpenRC script (first line \"#!/bin/sh\")")));
  EXPECT_THAT(p.output, IsEmpty());  // never run
  DependResult n = Extract("not-executable");
  EXPECT_FALSE(n.loaded);
  EXPECT_THAT(Messages(n), ElementsAre(HasSubstr("not an executable regular file")));
  DependResult m = Extract("missing");
  EXPECT_FALSE(m.loaded);
}

TEST(OpenrcExtract, BashismsNeedBash) {
  if (!HaveBash()) GTEST_SKIP() << "no /bin/bash";
  DependResult b = Extract("bashy", "/bin/bash");
  ASSERT_TRUE(b.loaded) << b.output;
  EXPECT_THAT(b.deps.provide, ElementsAre("BASHY"));
  DependResult d = Extract("bashy", "/bin/sh");  // dash: "Bad substitution"
  EXPECT_FALSE(d.loaded);
  EXPECT_THAT(Messages(d), ElementsAre(HasSubstr("cannot be sourced")));
}

TEST(OpenrcExtract, SlowDependIsKilledAtTheTimeout) {
  auto t0 = std::chrono::steady_clock::now();
  DependResult r = Extract("sleeper", "/bin/sh", std::chrono::milliseconds(300));
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_LT(took, std::chrono::seconds(3));
  ASSERT_TRUE(r.loaded);
  EXPECT_THAT(r.deps.need, ElementsAre("localmount"));
  EXPECT_THAT(Messages(r), ElementsAre(HasSubstr("timed out after 300 ms")));
}

}  // namespace
}  // namespace ctinit::openrc
