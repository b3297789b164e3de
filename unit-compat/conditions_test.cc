#include "unit-compat/conditions.h"

#include <fnmatch.h>
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "unit-compat/unit_test_root.h"

namespace ctinit::units {
namespace {

// A fake system: paths with a kind, an environment, a container type, a host.
class FakeProbe : public ConditionProbe {
 public:
  std::map<std::string, char> files;  // 'f' file, 'e' empty file, 'x' executable, 'd' dir,
                                      // 'D' non-empty dir, 'l' symlink, 'm' mount point
  std::map<std::string, std::string> env;
  std::string container, host = "web-1.example.org", machine_id, cmdline, arch = "x86-64";
  std::set<std::string> security, caps;

  char Kind(const std::string& p) const {
    auto it = files.find(p);
    return it == files.end() ? 0 : it->second;
  }
  bool Exists(const std::string& p) const override { return Kind(p) != 0; }
  bool IsDirectory(const std::string& p) const override {
    return Kind(p) == 'd' || Kind(p) == 'D' || Kind(p) == 'm';
  }
  bool IsSymlink(const std::string& p) const override { return Kind(p) == 'l'; }
  bool IsRegularNonEmpty(const std::string& p) const override {
    return Kind(p) == 'f' || Kind(p) == 'x';
  }
  bool IsDirectoryNotEmpty(const std::string& p) const override { return Kind(p) == 'D'; }
  bool IsExecutable(const std::string& p) const override { return Kind(p) == 'x'; }
  bool IsMountPoint(const std::string& p) const override { return Kind(p) == 'm'; }
  bool IsReadWrite(const std::string& p) const override { return Exists(p); }
  bool GlobMatches(const std::string& pattern) const override {
    for (const auto& [p, k] : files)
      if (fnmatch(pattern.c_str(), p.c_str(), FNM_PATHNAME) == 0) return true;
    return false;
  }
  std::optional<std::string> GetEnv(const std::string& n) const override {
    auto it = env.find(n);
    if (it == env.end()) return std::nullopt;
    return it->second;
  }
  std::string Container() const override { return container; }
  std::string Hostname() const override { return host; }
  std::string MachineId() const override { return machine_id; }
  std::string KernelCommandLine() const override { return cmdline; }
  bool HasSecurity(const std::string& n) const override { return security.count(n) > 0; }
  bool HasCapability(const std::string& n) const override { return caps.count(n) > 0; }
  std::string Architecture() const override { return arch; }
};

ConditionResult Eval(const std::string& unit_text, const ConditionProbe& probe) {
  UnitFile f;
  std::vector<UnitDiagnostic> diags;
  f.Parse(unit_text, "/x.service", DefaultSchema("service"), &diags);
  return EvaluateConditions(CollectConditions(f), probe);
}
bool Ok(const std::string& unit_text, const ConditionProbe& probe) {
  return Eval(unit_text, probe).conditions_ok;
}

TEST(UnitConditions, PathsAndNegation) {
  FakeProbe p;
  p.files = {{"/etc/ssh/sshd_config", 'f'},
             {"/var/lib/x", 'D'},
             {"/var/empty", 'd'},
             {"/usr/bin/tool", 'x'},
             {"/etc/empty", 'e'},
             {"/etc/link", 'l'},
             {"/srv", 'm'}};
  EXPECT_TRUE(Ok("[Unit]\nConditionPathExists=/etc/ssh/sshd_config\n", p));
  EXPECT_FALSE(Ok("[Unit]\nConditionPathExists=/nope\n", p));
  EXPECT_TRUE(Ok("[Unit]\nConditionPathExists=!/etc/ssh/sshd_not_to_be_run\n", p));
  p.files["/etc/ssh/sshd_not_to_be_run"] = 'e';
  auto r = Eval("[Unit]\nConditionPathExists=!/etc/ssh/sshd_not_to_be_run\n", p);
  EXPECT_FALSE(r.conditions_ok);
  EXPECT_EQ(r.failed, "ConditionPathExists=!/etc/ssh/sshd_not_to_be_run");
  EXPECT_TRUE(Ok("[Unit]\nConditionPathIsDirectory=/var/empty\n", p));
  EXPECT_FALSE(Ok("[Unit]\nConditionPathIsDirectory=/usr/bin/tool\n", p));
  EXPECT_TRUE(Ok("[Unit]\nConditionDirectoryNotEmpty=/var/lib/x\n", p));
  EXPECT_FALSE(Ok("[Unit]\nConditionDirectoryNotEmpty=/var/empty\n", p));
  EXPECT_TRUE(Ok("[Unit]\nConditionFileNotEmpty=/etc/ssh/sshd_config\n", p));
  EXPECT_FALSE(Ok("[Unit]\nConditionFileNotEmpty=/etc/empty\n", p));
  EXPECT_TRUE(Ok("[Unit]\nConditionFileIsExecutable=/usr/bin/tool\n", p));
  EXPECT_FALSE(Ok("[Unit]\nConditionFileIsExecutable=/etc/ssh/sshd_config\n", p));
  EXPECT_TRUE(Ok("[Unit]\nConditionPathIsSymbolicLink=/etc/link\n", p));
  EXPECT_TRUE(Ok("[Unit]\nConditionPathIsMountPoint=/srv\n", p));
  EXPECT_TRUE(Ok("[Unit]\nConditionPathExistsGlob=/etc/ssh/*_config\n", p));
  EXPECT_FALSE(Ok("[Unit]\nConditionPathExistsGlob=/etc/ssh/*.pem\n", p));
}

TEST(UnitConditions, TriggeringConditionsNeedOne) {
  FakeProbe p;
  p.files = {{"/a", 'f'}};
  // All non-trigger conditions must hold; of the '|' ones at least one.
  EXPECT_TRUE(Ok("[Unit]\nConditionPathExists=|/nope\nConditionPathExists=|/a\n", p));
  EXPECT_FALSE(Ok("[Unit]\nConditionPathExists=|/nope\nConditionPathExists=|/nope2\n", p));
  EXPECT_FALSE(Ok("[Unit]\nConditionPathExists=|/a\nConditionPathExists=/nope\n", p));
  EXPECT_TRUE(Ok("[Unit]\nConditionPathExists=|!/a\nConditionPathExists=|!/nope\n", p));
  EXPECT_FALSE(Ok("[Unit]\nConditionPathExists=|!/a\n", p));
  // An empty assignment resets every condition collected so far.
  EXPECT_TRUE(Ok("[Unit]\nConditionPathExists=/nope\nConditionHost=\nConditionPathExists=/a\n", p));
}

TEST(UnitConditions, VirtualizationInContainers) {
  FakeProbe p;
  p.container = "docker";
  EXPECT_TRUE(Ok("[Unit]\nConditionVirtualization=container\n", p));
  EXPECT_TRUE(Ok("[Unit]\nConditionVirtualization=docker\n", p));
  EXPECT_TRUE(Ok("[Unit]\nConditionVirtualization=yes\n", p));
  EXPECT_FALSE(Ok("[Unit]\nConditionVirtualization=lxc\n", p));
  EXPECT_FALSE(Ok("[Unit]\nConditionVirtualization=!container\n", p));
  EXPECT_FALSE(Ok("[Unit]\nConditionVirtualization=vm\n", p));
  EXPECT_TRUE(Ok("[Unit]\nConditionVirtualization=!vm\n", p));
  p.container = "lxc";
  EXPECT_TRUE(Ok("[Unit]\nConditionVirtualization=lxc\n", p));
  p.container = "";
  EXPECT_TRUE(Ok("[Unit]\nConditionVirtualization=no\n", p));
  EXPECT_TRUE(Ok("[Unit]\nConditionVirtualization=!container\n", p));
}

TEST(UnitConditions, EnvironmentUserHostKernel) {
  FakeProbe p;
  p.env = {{"MODE", "prod"}, {"EMPTY", ""}};
  EXPECT_TRUE(Ok("[Unit]\nConditionEnvironment=MODE\n", p));
  EXPECT_TRUE(Ok("[Unit]\nConditionEnvironment=MODE=prod\n", p));
  EXPECT_FALSE(Ok("[Unit]\nConditionEnvironment=MODE=dev\n", p));
  EXPECT_TRUE(Ok("[Unit]\nConditionEnvironment=EMPTY\n", p));
  EXPECT_TRUE(Ok("[Unit]\nConditionEnvironment=!DEBUG\n", p));
  EXPECT_TRUE(Ok("[Unit]\nConditionUser=root\nConditionUser=0\nConditionUser=@system\n", p));
  EXPECT_FALSE(Ok("[Unit]\nConditionUser=www-data\n", p));
  EXPECT_TRUE(Ok("[Unit]\nConditionGroup=root\n", p));
  EXPECT_TRUE(Ok("[Unit]\nConditionHost=web-*\n", p));
  EXPECT_TRUE(Ok("[Unit]\nConditionHost=WEB-1.example.org\n", p));
  EXPECT_FALSE(Ok("[Unit]\nConditionHost=db-*\n", p));
  p.machine_id = "0123456789abcdef0123456789abcdef";
  EXPECT_TRUE(Ok("[Unit]\nConditionHost=0123456789abcdef0123456789abcdef\n", p));
  p.cmdline = "BOOT_IMAGE=/vmlinuz root=/dev/sda1 quiet splash=silent";
  EXPECT_TRUE(Ok("[Unit]\nConditionKernelCommandLine=quiet\n", p));
  EXPECT_TRUE(Ok("[Unit]\nConditionKernelCommandLine=splash\n", p));
  EXPECT_TRUE(Ok("[Unit]\nConditionKernelCommandLine=root=/dev/sda1\n", p));
  EXPECT_FALSE(Ok("[Unit]\nConditionKernelCommandLine=root=/dev/sda2\n", p));
  EXPECT_FALSE(Ok("[Unit]\nConditionKernelCommandLine=debug\n", p));
  p.security = {"apparmor"};
  p.caps = {"CAP_NET_ADMIN"};
  EXPECT_TRUE(Ok("[Unit]\nConditionSecurity=apparmor\nConditionSecurity=!selinux\n", p));
  EXPECT_TRUE(Ok("[Unit]\nConditionCapability=CAP_NET_ADMIN\n", p));
  EXPECT_FALSE(Ok("[Unit]\nConditionCapability=CAP_SYS_MODULE\n", p));
  EXPECT_TRUE(Ok("[Unit]\nConditionArchitecture=x86-64\n", p));
  EXPECT_FALSE(Ok("[Unit]\nConditionArchitecture=arm64\n", p));
}

TEST(UnitConditions, AssertsAndUnsupported) {
  FakeProbe p;
  auto r = Eval("[Unit]\nAssertPathExists=/nope\nConditionPathExists=!/nope\n", p);
  EXPECT_TRUE(r.conditions_ok);
  EXPECT_FALSE(r.asserts_ok);
  EXPECT_EQ(r.failed, "AssertPathExists=/nope");
  // A failed condition skips: asserts are not looked at.
  r = Eval("[Unit]\nAssertPathExists=/nope\nConditionPathExists=/nope\n", p);
  EXPECT_FALSE(r.conditions_ok);
  EXPECT_TRUE(r.asserts_ok);
  r = Eval("[Unit]\nConditionKernelVersion=>=5.10\n", p);
  EXPECT_TRUE(r.conditions_ok);
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_NE(r.notes[0].find("not evaluated"), std::string::npos);
}

TEST(UnitConditions, SystemProbeOnARoot) {
  unittest::TempRoot root;
  root.Write("/etc/ssh/sshd_config", "Port 22\n");
  root.Write("/.dockerenv", "");
  auto probe = MakeSystemProbe(root.path(), {"MODE=prod"});
  EXPECT_TRUE(probe->Exists("/etc/ssh/sshd_config"));
  EXPECT_TRUE(probe->IsRegularNonEmpty("/etc/ssh/sshd_config"));
  EXPECT_FALSE(probe->Exists("/etc/ssh/sshd_not_to_be_run"));
  EXPECT_TRUE(probe->IsDirectoryNotEmpty("/etc/ssh"));
  EXPECT_TRUE(probe->GlobMatches("/etc/ssh/*_config"));
  EXPECT_EQ(probe->Container(), "docker");
  EXPECT_EQ(MakeSystemProbe(root.path(), {"container=lxc"})->Container(), "lxc");
  EXPECT_EQ(probe->GetEnv("MODE"), "prod");
}

}  // namespace
}  // namespace ctinit::units
