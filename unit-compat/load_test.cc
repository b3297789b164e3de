#include "unit-compat/load.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tests/unit/temp_dir.h"
#include "unit-compat/values.h"

namespace ctinit::units {
namespace {

namespace fs = std::filesystem;
using Strings = std::vector<std::string>;

class LoadTest : public ::testing::Test {
 protected:
  void Write(const std::string& path, const std::string& text) { dir_.Write(path, text); }
  void Link(const std::string& target, const std::string& path) { dir_.Link(target, path); }
  LoadedUnit Load(const std::string& name) { return UnitLoader(root_).Load(name); }

  testutil::TempDir dir_{"ctinit-units"};
  const std::string root_ = dir_.path();
};

Strings Values(const LoadedUnit& u, const char* s, const char* k) {
  Strings out;
  for (const auto* a : u.file.List(s, k)) out.push_back(a->value);
  return out;
}
std::string Value(const LoadedUnit& u, const char* s, const char* k) {
  const Assignment* a = u.file.Last(s, k);
  return a ? a->value : "<unset>";
}

TEST_F(LoadTest, SearchPathPriority) {
  Write("/lib/systemd/system/a.service", "[Unit]\nDescription=lib\n");
  Write("/usr/lib/systemd/system/a.service", "[Unit]\nDescription=usr\n");
  auto u = Load("a.service");
  EXPECT_EQ(u.state, LoadState::kLoaded);
  EXPECT_EQ(u.fragment_path, "/usr/lib/systemd/system/a.service");
  EXPECT_EQ(Value(u, "Unit", "Description"), "usr");
  Write("/etc/systemd/system/a.service", "[Unit]\nDescription=etc\n");
  u = Load("a.service");
  EXPECT_EQ(u.fragment_path, "/etc/systemd/system/a.service");
  EXPECT_EQ(Value(u, "Unit", "Description"), "etc");
  EXPECT_EQ(Load("missing.service").state, LoadState::kNotFound);
  EXPECT_EQ(Load("bad name.service").state, LoadState::kError);
  EXPECT_EQ(Load("a.unknowntype").state, LoadState::kError);
}

TEST_F(LoadTest, DropInsOrderOverrideAndReset) {
  Write("/lib/systemd/system/a.service",
        "[Service]\nExecStart=/bin/a\nEnvironment=A=1\nRestart=no\n");
  Write("/lib/systemd/system/a.service.d/10-lib.conf", "[Service]\nEnvironment=B=lib10\n");
  Write("/lib/systemd/system/a.service.d/50-same.conf", "[Service]\nRestart=on-failure\n");
  Write("/etc/systemd/system/a.service.d/50-same.conf", "[Service]\nRestart=always\n");
  Write("/run/systemd/system/a.service.d/30-run.conf",
        "[Service]\nEnvironment=\nEnvironment=C=run30\n");
  Write("/etc/systemd/system/a.service.d/20-etc.conf", "[Service]\nEnvironment=D=etc20\n");
  Write("/etc/systemd/system/a.service.d/README", "not a .conf\n");
  auto u = Load("a.service");
  ASSERT_EQ(u.state, LoadState::kLoaded);
  // Lexical by file name across dirs; /etc's 50-same.conf replaces /lib's.
  EXPECT_EQ(u.dropin_paths, (Strings{"/lib/systemd/system/a.service.d/10-lib.conf",
                                     "/etc/systemd/system/a.service.d/20-etc.conf",
                                     "/run/systemd/system/a.service.d/30-run.conf",
                                     "/etc/systemd/system/a.service.d/50-same.conf"}));
  EXPECT_EQ(Values(u, "Service", "Environment"), (Strings{"C=run30"}));
  EXPECT_EQ(Value(u, "Service", "Restart"), "always");
  EXPECT_EQ(u.file.Last("Service", "Restart")->file,
            "/etc/systemd/system/a.service.d/50-same.conf");
}

TEST_F(LoadTest, DropInMaskedByDevNullOrEmptyFile) {
  Write("/lib/systemd/system/a.service", "[Service]\nExecStart=/bin/a\n");
  Write("/lib/systemd/system/a.service.d/10-x.conf", "[Service]\nRestart=always\n");
  Write("/lib/systemd/system/a.service.d/20-y.conf", "[Service]\nUser=nobody\n");
  Link("/dev/null", "/etc/systemd/system/a.service.d/10-x.conf");
  Write("/run/systemd/system/a.service.d/20-y.conf", "");
  auto u = Load("a.service");
  EXPECT_TRUE(u.dropin_paths.empty());
  EXPECT_EQ(Value(u, "Service", "Restart"), "<unset>");
  EXPECT_EQ(Value(u, "Service", "User"), "<unset>");
}

TEST_F(LoadTest, Masking) {
  Write("/lib/systemd/system/a.service", "[Service]\nExecStart=/bin/a\n");
  Link("/dev/null", "/etc/systemd/system/a.service");
  auto u = Load("a.service");
  EXPECT_EQ(u.state, LoadState::kMasked);
  EXPECT_TRUE(u.file.assignments().empty());
  Write("/etc/systemd/system/b.service", "");  // an empty file masks too
  EXPECT_EQ(Load("b.service").state, LoadState::kMasked);
  // A lower-priority mask does not hide a higher-priority unit.
  Write("/etc/systemd/system/c.service", "[Service]\nExecStart=/bin/c\n");
  Link("/dev/null", "/lib/systemd/system/c.service");
  EXPECT_EQ(Load("c.service").state, LoadState::kLoaded);
}

TEST_F(LoadTest, AliasesAndLinkedFiles) {
  Write("/lib/systemd/system/ssh.service", "[Service]\nExecStart=/usr/sbin/sshd -D\n");
  Link("/lib/systemd/system/ssh.service", "/etc/systemd/system/sshd.service");
  Write("/etc/systemd/system/sshd.service.d/override.conf", "[Service]\nRestart=always\n");
  auto u = Load("sshd.service");
  ASSERT_EQ(u.state, LoadState::kLoaded);
  EXPECT_EQ(u.id, "ssh.service");
  EXPECT_EQ(u.names, (Strings{"ssh.service", "sshd.service"}));
  EXPECT_EQ(u.fragment_path, "/lib/systemd/system/ssh.service");
  // Drop-ins of every name apply, whichever name was asked for.
  EXPECT_EQ(Value(u, "Service", "Restart"), "always");
  auto v = Load("ssh.service");
  EXPECT_EQ(v.names, (Strings{"ssh.service", "sshd.service"}));
  EXPECT_EQ(Value(v, "Service", "Restart"), "always");
  // Relative alias target, and a linked unit file living outside the search path.
  Link("ssh.service", "/lib/systemd/system/openssh.service");
  EXPECT_EQ(Load("openssh.service").id, "ssh.service");
  Write("/opt/app/app.service", "[Service]\nExecStart=/opt/app/run\n");
  Link("/opt/app/app.service", "/etc/systemd/system/app.service");
  auto a = Load("app.service");
  EXPECT_EQ(a.state, LoadState::kLoaded);
  EXPECT_EQ(a.fragment_path, "/opt/app/app.service");
  // An alias must keep its type.
  Link("/lib/systemd/system/ssh.service", "/etc/systemd/system/ssh.socket");
  EXPECT_EQ(Load("ssh.socket").state, LoadState::kNotFound);
  // Alias loops end.
  Link("loop2.service", "/etc/systemd/system/loop1.service");
  Link("loop1.service", "/etc/systemd/system/loop2.service");
  EXPECT_EQ(Load("loop1.service").state, LoadState::kNotFound);
}

TEST_F(LoadTest, TemplatesAndTemplateDropIns) {
  Write("/lib/systemd/system/getty@.service",
        "[Service]\nExecStart=/sbin/agetty %I\nEnvironment=T=template\n");
  Write("/lib/systemd/system/getty@.service.d/10-t.conf", "[Service]\nRestart=always\n");
  Write("/etc/systemd/system/getty@tty1.service.d/10-t.conf", "[Service]\nRestart=no\n");
  Write("/etc/systemd/system/getty@tty1.service.d/20-i.conf", "[Service]\nUser=root\n");
  auto u = Load("getty@tty1.service");
  ASSERT_EQ(u.state, LoadState::kLoaded);
  EXPECT_EQ(u.id, "getty@tty1.service");
  EXPECT_EQ(u.fragment_path, "/lib/systemd/system/getty@.service");
  EXPECT_EQ(Value(u, "Service", "Restart"), "no");  // instance drop-in beats template's
  EXPECT_EQ(Value(u, "Service", "User"), "root");
  auto v = Load("getty@tty2.service");
  EXPECT_EQ(Value(v, "Service", "Restart"), "always");
  EXPECT_EQ(Value(v, "Service", "User"), "<unset>");
  EXPECT_EQ(Load("getty@.service").state, LoadState::kError);
  // An instance file of its own wins over the template.
  Write("/lib/systemd/system/getty@tty3.service", "[Service]\nExecStart=/bin/special\n");
  EXPECT_EQ(Load("getty@tty3.service").fragment_path, "/lib/systemd/system/getty@tty3.service");
  // Masking one instance.
  Link("/dev/null", "/etc/systemd/system/getty@tty4.service");
  EXPECT_EQ(Load("getty@tty4.service").state, LoadState::kMasked);
  // An aliased template keeps the instance.
  Link("getty@.service", "/etc/systemd/system/serial@.service");
  auto s = Load("serial@ttyS0.service");
  EXPECT_EQ(s.state, LoadState::kLoaded);
  EXPECT_EQ(s.id, "getty@ttyS0.service");
}

TEST_F(LoadTest, PrefixAndTypeDropIns) {
  Write("/lib/systemd/system/foo-bar-baz.service", "[Service]\nExecStart=/bin/x\n");
  Write("/lib/systemd/system/foo-.service.d/10.conf", "[Service]\nUser=a\n");
  Write("/lib/systemd/system/foo-bar-.service.d/20.conf", "[Service]\nGroup=b\n");
  Write("/etc/systemd/system/service.d/30.conf", "[Service]\nUMask=077\n");
  auto u = Load("foo-bar-baz.service");
  EXPECT_EQ(Value(u, "Service", "User"), "a");
  EXPECT_EQ(Value(u, "Service", "Group"), "b");
  EXPECT_EQ(Value(u, "Service", "UMask"), "077");
}

TEST_F(LoadTest, BadFilesAndWarnings) {
  Write("/lib/systemd/system/a.service", "[Service\nExecStart=/bin/a\n");
  auto u = Load("a.service");
  EXPECT_EQ(u.state, LoadState::kError);
  Write("/lib/systemd/system/b.service", "[Service]\nExecStart=/bin/b\nFrobnicate=yes\n");
  Write("/lib/systemd/system/b.service.d/x.conf", "[Service]\nAlsoBogus=1\n");
  auto b = Load("b.service");
  EXPECT_EQ(b.state, LoadState::kLoaded);
  Strings d;
  for (const auto& x : b.diagnostics) d.push_back(x.ToString());
  EXPECT_EQ(d, (Strings{"/lib/systemd/system/b.service:3: [Service] Frobnicate: unknown "
                        "directive, ignoring",
                        "/lib/systemd/system/b.service.d/x.conf:2: [Service] AlsoBogus: unknown "
                        "directive, ignoring"}));
}

TEST(Specifiers, UnitAndHostValues) {
  std::map<char, std::string> host = {
      {'H', "box.example.org"}, {'m', "abc"}, {'u', "root"}, {'t', "/run"}};
  SpecifierContext c{"redis-server@main\\x2dcache.service", "/lib/systemd/system/r@.service", host};
  auto e = [&](std::string_view t) { return ExpandSpecifiers(t, c).value_or("<error>"); };
  EXPECT_EQ(e("%n"), "redis-server@main\\x2dcache.service");
  EXPECT_EQ(e("%N"), "redis-server@main\\x2dcache");
  EXPECT_EQ(e("%p"), "redis-server");
  EXPECT_EQ(e("%P"), "redis/server");
  EXPECT_EQ(e("%i"), "main\\x2dcache");
  EXPECT_EQ(e("%I"), "main-cache");
  EXPECT_EQ(e("%j"), "server");
  EXPECT_EQ(e("%f"), "/main-cache");
  EXPECT_EQ(e("%H %m %u %t"), "box.example.org abc root /run");
  EXPECT_EQ(e("100%%"), "100%");
  EXPECT_EQ(e("%y|%Y"), "/lib/systemd/system/r@.service|/lib/systemd/system");
  EXPECT_EQ(e("%d"), "/run/credentials/redis-server@main\\x2dcache.service");
  std::string err;
  EXPECT_FALSE(ExpandSpecifiers("%z", c, &err));
  EXPECT_FALSE(ExpandSpecifiers("50%", c, &err));
  SpecifierContext plain{"dev-sda1.mount", "", host};
  EXPECT_EQ(ExpandSpecifiers("%f %i|%I|%j", plain), "/dev/sda1 ||sda1");
  auto h = HostSpecifiers("/nonexistent");
  for (char k : std::string("HlqmbvaowWBMAuUgGhstTVESCLD")) EXPECT_TRUE(h.count(k)) << k;
  EXPECT_EQ(h['S'], "/var/lib");
}

TEST(UnitNames, ParseEscape) {
  auto n = ParseUnitName("foo@bar.service");
  ASSERT_TRUE(n);
  EXPECT_TRUE(n->IsInstance());
  EXPECT_EQ(n->TemplateName(), "foo@.service");
  EXPECT_TRUE(ParseUnitName("foo@.service")->IsTemplate());
  EXPECT_FALSE(ParseUnitName(".service"));
  EXPECT_FALSE(ParseUnitName("foo"));
  EXPECT_FALSE(ParseUnitName("a b.service"));
  EXPECT_EQ(UnitNameEscape("/dev/sda-1"), "-dev-sda\\x2d1");
  EXPECT_EQ(UnitNameUnescape("dev-sda\\x2d1"), "dev/sda-1");
  EXPECT_EQ(UnitNamePathUnescape("-"), "/");
  EXPECT_EQ(UnitNamePathUnescape("dev-sda\\x2d1"), "/dev/sda-1");
  EXPECT_EQ(UnitNamePathUnescape("a-..b-.c"), "/a/..b/.c");
}

// systemd refuses to turn a name into a path that is not normalised: foo@-..-etc.service must
// not make %f reach /etc from wherever the unit meant.
TEST(UnitNames, PathUnescapeRefusesPathsThatAreNotNormalised) {
  for (const char* s : {"", "..", ".", "-..-etc", "..-etc", "a-..", "a-.-b", "a--b", "a-", "--",
                        "\\x2e\\x2e", "a-\\x2e\\x2e-b", "a\\x2f..", "a\\x00b"})
    EXPECT_EQ(UnitNamePathUnescape(s), std::nullopt) << s;
  SpecifierContext c{"foo@-..-etc.service", "/lib/systemd/system/foo@.service", {}};
  std::string err;
  EXPECT_EQ(ExpandSpecifiers("/srv/data%f", c, &err), std::nullopt);
  EXPECT_NE(err.find("into a path for %f"), std::string::npos) << err;
}

// Units shipped by Debian 12 packages (nginx-common, redis-server, cron, openssh-server),
// copied verbatim into tests/fixtures/units/debian12.
class DebianUnits : public LoadTest {
 protected:
  void SetUp() override {
    LoadTest::SetUp();
    fs::copy(std::string(CTINIT_SOURCE_DIR) + "/tests/fixtures/units/debian12", root_,
             fs::copy_options::recursive);
    // What `systemctl enable ssh` does for Alias=sshd.service.
    Link("/lib/systemd/system/ssh.service", "/etc/systemd/system/sshd.service");
  }
};

TEST_F(DebianUnits, LoadWithoutWarnings) {
  for (const char* name : {"nginx.service", "redis-server.service", "cron.service", "ssh.service",
                           "ssh.socket", "redis-server@main.service", "rescue-ssh.target"}) {
    auto u = Load(name);
    EXPECT_EQ(u.state, LoadState::kLoaded) << name;
    for (const auto& d : u.diagnostics) ADD_FAILURE() << d.ToString();
  }
}

TEST_F(DebianUnits, NginxValues) {
  auto u = Load("nginx.service");
  EXPECT_EQ(ParseServiceType(Value(u, "Service", "Type")), ServiceType::kForking);
  EXPECT_EQ(ParseKillMode(Value(u, "Service", "KillMode")), KillMode::kMixed);
  EXPECT_EQ(ParseTimeSpan(Value(u, "Service", "TimeoutStopSec")), 5 * kUsecPerSec);
  std::vector<ExecCommand> stop;
  std::string err;
  ASSERT_TRUE(ParseExecLine(Value(u, "Service", "ExecStop"), nullptr, &stop, &err));
  EXPECT_TRUE(stop[0].ignore_failure);
  EXPECT_EQ(Values(u, "Unit", "After"),
            (Strings{"network-online.target remote-fs.target nss-lookup.target"}));
}

TEST_F(DebianUnits, SshAliasAndValues) {
  auto u = Load("sshd.service");
  EXPECT_EQ(u.id, "ssh.service");
  ExitStatusSet st;
  ParseExitStatusSet(Value(u, "Service", "RestartPreventExitStatus"), &st, nullptr);
  EXPECT_EQ(st.status, (std::set<int>{255}));
  EXPECT_EQ(Values(u, "Service", "ExecReload"),
            (Strings{"/usr/sbin/sshd -t", "/bin/kill -HUP $MAINPID"}));
  auto ref = ParseEnvironmentFileValue(Value(u, "Service", "EnvironmentFile"), nullptr);
  ASSERT_TRUE(ref);
  EXPECT_TRUE(ref->optional);
  std::vector<ExecCommand> start;
  std::string err;
  ASSERT_TRUE(ParseExecLine(Value(u, "Service", "ExecStart"), nullptr, &start, &err));
  EXPECT_EQ(ExpandExecArgv(start[0].argv, {"SSHD_OPTS=-o LogLevel=DEBUG"}),
            (Strings{"/usr/sbin/sshd", "-D", "-o", "LogLevel=DEBUG"}));
  EXPECT_EQ(ExpandExecArgv(start[0].argv, {}), (Strings{"/usr/sbin/sshd", "-D"}));
}

TEST_F(DebianUnits, RedisTemplateWithSpecifiers) {
  auto u = Load("redis-server@main.service");
  ASSERT_EQ(u.state, LoadState::kLoaded);
  auto ctx = u.Specifiers(HostSpecifiers(root_));
  ExpandFn expand = [&](std::string_view t, std::string* e) { return ExpandSpecifiers(t, ctx, e); };
  std::vector<ExecCommand> start;
  std::string err;
  ASSERT_TRUE(ParseExecLine(Value(u, "Service", "ExecStart"), expand, &start, &err));
  EXPECT_EQ(start[0].argv[1], "/etc/redis/redis-main.conf");
  EXPECT_EQ(ExpandSpecifiers(Value(u, "Service", "PIDFile"), ctx),
            "/run/redis-main/redis-server.pid");
  EXPECT_EQ(ExpandSpecifiers(Value(u, "Unit", "Description"), ctx),
            "Advanced key-value store (main)");
  EXPECT_EQ(ParseRlimit("NOFILE", Value(u, "Service", "LimitNOFILE")), (Rlimit{65535, 65535}));
  EXPECT_EQ(ParseRestart(Value(u, "Service", "Restart")), Restart::kAlways);
  EXPECT_EQ(ParseTimeSpan(Value(u, "Service", "TimeoutStopSec")), 0u);
  EXPECT_TRUE(Values(u, "Service", "CapabilityBoundingSet").empty());
  EXPECT_EQ(Values(u, "Service", "SystemCallFilter").size(), 2u);
}

TEST_F(DebianUnits, CronEnvironmentFile) {
  Write("/etc/default/cron", "# Cron configuration\nEXTRA_OPTS=\"-L 15\"\n");
  auto u = Load("cron.service");
  auto ref = ParseEnvironmentFileValue(Value(u, "Service", "EnvironmentFile"), nullptr);
  ASSERT_TRUE(ref);
  std::ifstream in(root_ + ref->path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto env = ParseEnvFile(text, ref->path, nullptr);
  std::vector<ExecCommand> start;
  std::string err;
  ASSERT_TRUE(ParseExecLine(Value(u, "Service", "ExecStart"), nullptr, &start, &err));
  EXPECT_EQ(ExpandExecArgv(start[0].argv, env), (Strings{"/usr/sbin/cron", "-f", "-L", "15"}));
  EXPECT_EQ(ParseBoolean(Value(u, "Service", "IgnoreSIGPIPE")), false);
}

}  // namespace
}  // namespace ctinit::units
