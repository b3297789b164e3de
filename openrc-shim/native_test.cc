#include "openrc-shim/native.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "tests/unit/temp_dir.h"

namespace ctinit::openrc {
namespace {

namespace fs = std::filesystem;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::IsSupersetOf;
using ::testing::Not;
using ::testing::Pair;
using ::testing::StartsWith;
using ::testing::UnorderedElementsAre;

// A throw-away image tree: /etc/init.d scripts and /etc/runlevels links.
class NativeTree : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    root_ = dir_.path();
    fs::create_directories(root_ + "/etc/init.d");
    for (const char* l : {"sysinit", "boot", "default", "shutdown"})
      fs::create_directories(root_ + "/etc/runlevels/" + l);
  }
  void Script(const std::string& name, const std::string& body,
              const std::string& shebang = "#!/sbin/openrc-run") {
    std::string p = root_ + "/etc/init.d/" + name;
    std::ofstream(p) << shebang << "\n" << body << "\n";
    ::chmod(p.c_str(), 0755);
  }
  void Add(const std::string& name, const std::string& level) {
    fs::create_symlink("/etc/init.d/" + name, root_ + "/etc/runlevels/" + level + "/" + name);
  }
  // The options for this tree in a Docker container, with the shim's applet.
  NativeOptions Options() const {
    NativeOptions o;
    o.root = root_;
    o.rc_sys = "DOCKER";
    o.self_exe = "/sbin/ctinit";
    return o;
  }
  ServiceSet Load() { return Load(Options()); }
  static ServiceSet Load(const NativeOptions& o) {
    SpawnScriptRunner runner;
    return LoadNative(o, runner);
  }
  static const ServiceSpec* Find(const ServiceSet& set, const std::string& name) {
    for (const auto& s : set.services)
      if (s.name == name) return &s;
    return nullptr;
  }
  testutil::TempDir dir_{"ctinit-native-test"};  // removed with the fixture
  std::string root_;
};

TEST_F(NativeTree, TranslatesRunlevelsIntoScriptedServices) {
  Script("early", "");
  Script("bootsvc", "");
  Script("a", "");
  Script("b", "depend() { need a; }");
  Script("c", "depend() { after b; }");
  Add("early", "sysinit");
  Add("bootsvc", "boot");
  for (const char* s : {"a", "b", "c"}) Add(s, "default");
  ServiceSet set = Load();
  std::vector<std::string> names;
  for (const auto& s : set.services) names.push_back(s.name);
  EXPECT_THAT(names, ElementsAre("early", "bootsvc", "a", "b", "c"));
  ASSERT_TRUE(set.default_level.has_value());
  EXPECT_EQ(*set.default_level, '3');

  const ServiceSpec* early = Find(set, "early");
  ASSERT_NE(early, nullptr);
  EXPECT_EQ(early->trigger, Trigger::kSysInit);
  EXPECT_EQ(early->levels.find('0'), std::string::npos);
  EXPECT_EQ(early->levels.find('6'), std::string::npos);
  EXPECT_NE(early->levels.find('3'), std::string::npos);
  EXPECT_EQ(Find(set, "bootsvc")->trigger, Trigger::kBoot);

  const ServiceSpec* b = Find(set, "b");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->kind, Kind::kScripted);
  EXPECT_EQ(b->trigger, Trigger::kRunlevel);
  EXPECT_NE(b->levels.find('3'), std::string::npos);
  EXPECT_EQ(b->levels.find('0'), std::string::npos);
  EXPECT_THAT(b->needs, ElementsAre("a"));
  EXPECT_THAT(b->after, Contains("a"));
  EXPECT_THAT(Find(set, "c")->after, Contains("b"));
  // No openrc-run in the tree: the shim applet, exec'd as ctinit with argv[0] openrc-run.
  EXPECT_EQ(b->command.path, "/sbin/ctinit");
  EXPECT_THAT(b->command.argv, ElementsAre("openrc-run", "/etc/init.d/b", "start"));
  ASSERT_EQ(b->stop.size(), 1u);
  EXPECT_THAT(b->stop[0].argv, ElementsAre("openrc-run", "/etc/init.d/b", "stop"));
  EXPECT_THAT(set.inactive, IsEmpty());
}

// OpenRC 0.63's shutdown runlevel holds killprocs and savecache, independent of each other: run
// side by side, killprocs' killall5 terminated savecache (seen in the Gentoo e2e test).
TEST_F(NativeTree, TheShutdownRunlevelRunsOneScriptAfterTheOther) {
  Script("killprocs", "");
  Script("savecache", "");
  Script("zlast", "");
  for (const char* s : {"killprocs", "savecache", "zlast"}) Add(s, "shutdown");
  Script("a", "");
  Script("b", "");
  Add("a", "default");
  Add("b", "default");
  ServiceSet set = Load();
  ASSERT_NE(Find(set, "killprocs"), nullptr);
  EXPECT_THAT(Find(set, "killprocs")->after, IsEmpty());
  EXPECT_THAT(Find(set, "savecache")->after, ElementsAre("killprocs"));
  EXPECT_THAT(Find(set, "zlast")->after, ElementsAre("savecache"));
  // Other runlevels keep their parallel starts.
  EXPECT_THAT(Find(set, "b")->after, IsEmpty());
}

TEST_F(NativeTree, StopScriptsHaveTheirOwnGenerousBound) {
  Script("a", "");
  Add("a", "default");
  Script("early", "");
  Add("early", "sysinit");
  ServiceSet set = Load();
  ASSERT_EQ(set.services.size(), 2u);
  for (const auto& s : set.services) {
    EXPECT_EQ(s.stop_timeout, std::chrono::seconds(60)) << s.name;
    EXPECT_EQ(s.start_timeout.count(), 0) << s.name;  // OpenRC does not bound starts either
  }
}

// PID 1 reads the scripts: a FIFO put in /etc/init.d is passed over, not waited on.
TEST_F(NativeTree, AFifoInInitDIsSkippedWithoutWaitingForAWriter) {
  ASSERT_EQ(::mkfifo((root_ + "/etc/init.d/afifo").c_str(), 0755), 0);
  Script("a", "");
  for (const char* s : {"afifo", "a"}) Add(s, "default");
  ServiceSet set = Load();
  ASSERT_NE(Find(set, "a"), nullptr);
  EXPECT_EQ(Find(set, "afifo"), nullptr);
  EXPECT_THAT(set.inactive,
              Contains(Pair("afifo", StartsWith("skipped: not an executable script"))));
}

TEST_F(NativeTree, MaskedSkippedAndMissingServicesAreListedInactiveWithTheReason) {
  Script("localmount", "depend() { keyword -docker -lxc; }");
  Script("nodocker", "depend() { keyword -docker; }");
  Script("oldmask", "depend() { keyword nodocker; }");
  Script("user", "depend() { need localmount net; }");
  Script("plain", "exit 0", "#!/bin/sh");
  Script("notexec", "exit 0", "#!/bin/sh");
  ::chmod((root_ + "/etc/init.d/notexec").c_str(), 0644);
  Add("localmount", "boot");
  for (const char* s : {"nodocker", "oldmask", "user", "plain", "notexec", "ghost"}) {
    if (std::string(s) == "ghost") {
      fs::create_symlink("/etc/init.d/ghost", root_ + "/etc/runlevels/default/ghost");
    } else {
      Add(s, "default");
    }
  }
  ServiceSet set = Load();
  std::vector<std::string> names;
  for (const auto& s : set.services) names.push_back(s.name);
  // The masked need (localmount) and the missing one (net) do not keep `user` from starting.
  EXPECT_THAT(names, ElementsAre("user"));
  EXPECT_THAT(Find(set, "user")->needs, IsEmpty());
  EXPECT_THAT(set.inactive, Contains(Pair("localmount", "masked: keyword -docker")));
  EXPECT_THAT(set.inactive, Contains(Pair("nodocker", "masked: keyword -docker")));
  EXPECT_THAT(set.inactive, Contains(Pair("oldmask", "masked: keyword -docker")));
  EXPECT_THAT(set.inactive,
              Contains(Pair("notexec", StartsWith("skipped: not an executable script"))));
  // Neither openrc-run nor an LSB header: Debian's OpenRC does not run it either.
  EXPECT_THAT(set.inactive,
              Contains(Pair("plain", StartsWith("skipped: neither an OpenRC script nor one with "
                                                "an LSB header"))));
  EXPECT_THAT(set.inactive, Contains(Pair("ghost", "skipped: /etc/init.d/ghost does not exist")));
  std::vector<std::string> diags;
  for (const auto& d : set.diagnostics) diags.push_back(d.ToString());
  EXPECT_THAT(diags, Contains(HasSubstr("user needs non-existent service \"net\"; starting it "
                                        "anyway")));
  EXPECT_THAT(diags, Contains(HasSubstr("\"nodocker\" is masked for DOCKER (keyword -docker)")));
}

TEST_F(NativeTree, WithTheImagesOwnOpenrcTheDeptreeIsCachedFirst) {
  Script("a", "");
  Add("a", "default");
  fs::create_directories(root_ + "/sbin");
  for (const char* tool : {"openrc-run", "rc-update"}) {
    std::string p = root_ + "/sbin/" + tool;
    std::ofstream(p) << "#!/bin/sh\n";
    ::chmod(p.c_str(), 0755);
  }
  ServiceSet set = Load();
  ASSERT_EQ(set.services.size(), 2u);
  const ServiceSpec& t = set.services[0];
  EXPECT_EQ(t.name, kDeptreeTask);
  EXPECT_EQ(t.trigger, Trigger::kSysInit);
  EXPECT_EQ(t.kind, Kind::kTask);
  EXPECT_TRUE(t.blocking);
  EXPECT_GT(t.start_timeout.count(), 0);
  EXPECT_THAT(t.command.argv, ElementsAre("/sbin/rc-update", "-u"));
  EXPECT_THAT(set.services[1].command.argv,
              ElementsAre("/sbin/openrc-run", "/etc/init.d/a", "start"));
  EXPECT_TRUE(set.services[1].command.path.empty());
}

TEST_F(NativeTree, StrictNeedListsTheBrokenServices) {
  Script("user", "depend() { need net; }");
  Add("user", "default");
  NativeOptions o = Options();
  o.strict_need = true;
  ServiceSet set = Load(o);
  EXPECT_THAT(set.services, IsEmpty());
  EXPECT_THAT(set.inactive, Contains(Pair("user", StartsWith("broken: "))));
}

TEST_F(NativeTree, RebootRunsAsShutdownWithRcRebootInTheEnvironment) {
  PrepareState(root_);
  SetSoftlevel(root_, "reboot", true);
  std::string level;
  std::ifstream(root_ + "/run/openrc/softlevel") >> level;
  EXPECT_EQ(level, "shutdown");
  EXPECT_TRUE(fs::is_directory(root_ + "/run/openrc/rc.stopping"));
  SetSoftlevel(root_, "default", false);
  std::ifstream(root_ + "/run/openrc/softlevel") >> level;
  EXPECT_EQ(level, "default");
  EXPECT_FALSE(fs::exists(root_ + "/run/openrc/rc.stopping"));
  EXPECT_FALSE(fs::exists(root_ + "/run/openrc/rc.starting"));

  EXPECT_THAT(RunlevelEnv("reboot"),
              ElementsAre("RC_RUNLEVEL=shutdown", "RC_GOINGDOWN=YES", "RC_REBOOT=YES"));
  EXPECT_THAT(RunlevelEnv("shutdown"), ElementsAre("RC_RUNLEVEL=shutdown", "RC_GOINGDOWN=YES"));
  EXPECT_THAT(RunlevelEnv("single"), ElementsAre("RC_RUNLEVEL=single", "RC_GOINGDOWN=YES"));
  EXPECT_THAT(RunlevelEnv("default"), ElementsAre("RC_RUNLEVEL=default"));
  EXPECT_EQ(SoftlevelName("reboot"), "shutdown");
  EXPECT_EQ(SoftlevelName("default"), "default");
}

TEST_F(NativeTree, ScriptsGetTheEnvironmentOpenrcWouldGiveThem) {
  fs::create_directories(root_ + "/lib/rc");
  std::ofstream(root_ + "/lib/rc/version") << "0.45.2\n";
  std::ofstream(root_ + "/etc/rc.conf") << "# rc_env_allow=\"NOPE\"\nrc_env_allow=\"KEEPME\"\n";
  std::ofstream(root_ + "/etc/profile.env") << "export MANPATH='/usr/share/man'\n"
                                               "export PATH='/opt/bin:/usr/bin'\n";
  ScriptEnvironment e = OpenrcScriptEnv(root_, "DOCKER",
                                        {"PATH=/usr/local/bin:/bin", "HOSTNAME=c1", "KEEPME=1",
                                         "TERM=xterm", "container=docker", "RC_SVCNAME=x"});
  EXPECT_THAT(e.unset, ElementsAre("PATH", "HOSTNAME", "container", "SHELL", "RUNLEVEL",
                                   "PREVLEVEL", "CONSOLE", "INIT_VERSION"));
  EXPECT_THAT(e.set, Contains("MANPATH=/usr/share/man"));
  EXPECT_THAT(e.set, Contains("PATH=/lib/rc/bin:/bin:/sbin:/usr/bin:/usr/sbin:/opt/bin"));
  EXPECT_THAT(e.set, Contains("RC_VERSION=0.45.2"));
  EXPECT_THAT(e.set, Contains("RC_SVCDIR=/run/openrc"));
  EXPECT_THAT(e.set, Contains("RC_LIBEXECDIR=/lib/rc"));
  EXPECT_THAT(e.set, Contains("RC_SYS=DOCKER"));
  EXPECT_THAT(e.set, Contains("RC_BOOTLEVEL=boot"));
  EXPECT_THAT(e.set, Contains(StartsWith("RC_UNAME=")));
  for (const auto& kv : e.set) {
    EXPECT_NE(kv.rfind("KEEPME=", 0), 0u) << "kept variables stay as they are";
    EXPECT_NE(kv.rfind("TERM=", 0), 0u);
  }

  std::ofstream(root_ + "/etc/rc.conf") << "rc_env_allow='*'\n";
  e = OpenrcScriptEnv(root_, "", {"PATH=/usr/local/bin:/bin", "HOSTNAME=c1"});
  EXPECT_THAT(e.unset, IsEmpty());
  EXPECT_THAT(e.set, Contains("PATH=/lib/rc/bin:/bin:/sbin:/usr/bin:/usr/sbin:/usr/local/bin"));
  for (const auto& kv : e.set) EXPECT_NE(kv.rfind("RC_SYS=", 0), 0u);
}

TEST_F(NativeTree, EveryServiceCarriesTheScriptEnvironment) {
  Script("a", "");
  Add("a", "default");
  NativeOptions o = Options();
  o.rc_sys = "LXC";
  o.environ = {"HOSTNAME=x", "PATH=/bin"};
  ServiceSet set = Load(o);
  ASSERT_EQ(set.services.size(), 1u);
  EXPECT_THAT(set.services[0].process.unset_env, Contains("HOSTNAME"));
  EXPECT_THAT(set.services[0].process.env, Contains("RC_SYS=LXC"));
}

TEST(OpenrcScriptPath, PrefixThenTheRestWithoutRepeats) {
  EXPECT_EQ(ScriptPath(""), kScriptPathPrefix);
  EXPECT_EQ(ScriptPath("/usr/local/bin::/bin:/usr/local/bin:/opt/bin"),
            std::string(kScriptPathPrefix) + ":/usr/local/bin:/opt/bin");
}

// Debian's OpenRC runs LSB scripts of a runlevel: `<script> start|stop` (here through ctinit's
// lsb-run applet, which records the state), ordered by the header as lsb2rcconf reads it, with
// the facilities of the image's insserv.conf; all of init.d is in the tree, so a `need` pulls an
// LSB script in from outside the runlevel.
TEST_F(NativeTree, LsbScriptsRunWithStartAndStopOrderedByTheirHeader) {
  fs::create_directories(root_ + "/etc");
  std::ofstream(root_ + "/etc/insserv.conf") << "$syslog\t+rsyslogd\n$local_fs\t+mountall\n";
  auto lsb = [&](const std::string& name, const std::string& fields) {
    Script(name,
           "### BEGIN INIT INFO\n# Provides: " + name + "\n" + fields +
               "### END INIT INFO\ncase \"$1\" in start|stop) exit 0;; esac\n",
           "#!/bin/sh");
  };
  Script("dbd", "depend() { provide database; }");
  lsb("lsbd", "# Required-Start: $syslog dbd helper\n# Should-Start: $local_fs\n");
  lsb("rsyslogd", "");
  lsb("helper", "");  // in no runlevel: pulled in by lsbd's Required-Start
  lsb("mountall.sh", "# Provides: mountall\n");
  lsb("rc.local", "# Required-Start: $all\n");
  for (const char* s : {"dbd", "lsbd", "rsyslogd", "rc.local", "mountall.sh"}) Add(s, "default");
  ServiceSet set = Load();
  const ServiceSpec* lsbd = Find(set, "lsbd");
  ASSERT_NE(lsbd, nullptr);
  EXPECT_EQ(lsbd->command.path, "/sbin/ctinit");
  EXPECT_THAT(lsbd->command.argv, ElementsAre("lsb-run", "/etc/init.d/lsbd", "start"));
  ASSERT_EQ(lsbd->stop.size(), 1u);
  EXPECT_THAT(lsbd->stop[0].argv, ElementsAre("lsb-run", "/etc/init.d/lsbd", "stop"));
  EXPECT_THAT(lsbd->after, IsSupersetOf({"dbd", "helper", "rsyslogd", "mountall.sh"}));
  EXPECT_THAT(lsbd->needs, ElementsAre("dbd", "helper"));
  ASSERT_NE(Find(set, "helper"), nullptr);
  // $all: after every other LSB script being started, not after the OpenRC one.
  EXPECT_THAT(Find(set, "rc.local")->after,
              UnorderedElementsAre("helper", "lsbd", "mountall.sh", "rsyslogd"));
  std::vector<std::string> diags;
  for (const auto& d : set.diagnostics) diags.push_back(d.ToString());
  EXPECT_THAT(diags, Not(Contains(HasSubstr("lsbd"))));
}

}  // namespace
}  // namespace ctinit::openrc
