// Condition*= / Assert*= evaluation (see conditions.h).
#include "unit-compat/conditions.h"

#include <dirent.h>
#include <fnmatch.h>
#include <glob.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "init/base/capabilities.h"
#include "init/base/files.h"
#include "unit-compat/specifiers.h"
#include "unit-compat/values.h"

namespace ctinit::units {

namespace {

class SystemProbe : public ConditionProbe {
 public:
  SystemProbe(std::string root, std::vector<std::string> env)
      : root_(std::move(root)), env_(std::move(env)) {
    while (!root_.empty() && root_.back() == '/') root_.pop_back();
  }
  bool Exists(const std::string& p) const override {
    struct stat st {};
    return stat(H(p).c_str(), &st) == 0;
  }
  bool IsDirectory(const std::string& p) const override {
    struct stat st {};
    return stat(H(p).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  }
  bool IsSymlink(const std::string& p) const override {
    struct stat st {};
    return lstat(H(p).c_str(), &st) == 0 && S_ISLNK(st.st_mode);
  }
  bool IsRegularNonEmpty(const std::string& p) const override {
    struct stat st {};
    return stat(H(p).c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
  }
  bool IsDirectoryNotEmpty(const std::string& p) const override {
    DIR* d = opendir(H(p).c_str());
    if (!d) return false;
    bool any = false;
    while (dirent* e = readdir(d))
      if (e->d_name[0] != '.') {
        any = true;
        break;
      }
    closedir(d);
    return any;
  }
  bool IsExecutable(const std::string& p) const override {
    struct stat st {};
    return stat(H(p).c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111);
  }
  bool IsMountPoint(const std::string& p) const override {
    struct stat st {
    }, parent{};
    if (p == "/") return true;
    if (stat(H(p).c_str(), &st) != 0) return false;
    std::string up = p.substr(0, p.find_last_of('/'));
    if (stat(H(up.empty() ? "/" : up).c_str(), &parent) != 0) return false;
    return st.st_dev != parent.st_dev;
  }
  bool IsReadWrite(const std::string& p) const override {
    struct statvfs sv {};
    return statvfs(H(p).c_str(), &sv) == 0 && !(sv.f_flag & ST_RDONLY);
  }
  bool GlobMatches(const std::string& pattern) const override {
    glob_t g{};
    int r = glob(H(pattern).c_str(), GLOB_NOSORT, nullptr, &g);
    bool ok = r == 0 && g.gl_pathc > 0;
    globfree(&g);
    return ok;
  }
  std::optional<std::string> GetEnv(const std::string& name) const override {
    if (const std::string* e = EnvGet(env_, name)) return e->substr(name.size() + 1);
    return std::nullopt;
  }
  std::string Container() const override {
    if (auto c = GetEnv("container"); c && !c->empty()) return *c == "oci" ? "docker" : *c;
    if (Exists("/.dockerenv")) return "docker";
    if (Exists("/run/.containerenv")) return "podman";
    return "";
  }
  std::string Hostname() const override {
    char buf[256] = {};
    if (gethostname(buf, sizeof buf - 1) == 0) return buf;
    return "";
  }
  std::string MachineId() const override { return files::ReadFirstLine(H("/etc/machine-id")); }
  std::string KernelCommandLine() const override { return files::ReadFirstLine("/proc/cmdline"); }
  bool HasSecurity(const std::string& name) const override {
    if (name == "apparmor") return access("/sys/kernel/security/apparmor", F_OK) == 0;
    if (name == "selinux") return access("/sys/fs/selinux/enforce", F_OK) == 0;
    if (name == "smack") return access("/sys/fs/smackfs", F_OK) == 0;
    if (name == "audit") return access("/proc/self/loginuid", F_OK) == 0;
    return false;
  }
  bool HasCapability(const std::string& name) const override {
    std::ifstream in("/proc/self/status");
    std::string line;
    unsigned long long bnd = 0;
    while (std::getline(in, line))
      if (line.starts_with("CapBnd:")) bnd = std::strtoull(line.c_str() + 7, nullptr, 16);
    // Only the canonical upper-case name counts here (not a number, not lower case).
    auto cap = caps::FromName(name);
    if (!cap || caps::Name(*cap) != name) return false;
    return (bnd & caps::Bit(*cap)) != 0;
  }
  std::string Architecture() const override {
    auto host = HostSpecifiers(root_.empty() ? "/" : root_);
    return host['a'];
  }

 private:
  std::string H(const std::string& p) const { return root_ + p; }
  std::string root_;
  std::vector<std::string> env_;
};

bool ParseBool(const std::string& v, bool* out) {
  auto b = ParseBoolean(v);
  if (!b) return false;
  *out = *b;
  return true;
}

bool TestVirtualization(const std::string& v, const ConditionProbe& probe) {
  std::string c = probe.Container();
  bool b = false;
  if (ParseBool(v, &b)) return b == !c.empty();
  if (v == "vm" || v == "private-users") return false;
  if (v == "container") return !c.empty();
  return !c.empty() && v == c;
}

bool TestKernelCommandLine(const std::string& v, const ConditionProbe& probe) {
  auto words = SplitWords(probe.KernelCommandLine(), kExtractRelax | kExtractUnquote);
  if (!words) return false;
  bool has_eq = v.find('=') != std::string::npos;
  for (const auto& w : *words) {
    if (w == v) return true;
    if (!has_eq && w.starts_with(v + "=")) return true;
  }
  return false;
}

bool TestHost(const std::string& v, const ConditionProbe& probe) {
  if (v.size() == 32 && std::all_of(v.begin(), v.end(), [](char c) { return std::isxdigit(c); }))
    return v == probe.MachineId();
  return fnmatch(v.c_str(), probe.Hostname().c_str(), FNM_CASEFOLD) == 0;
}

bool TestUser(const std::string& v, const ConditionProbe& probe) {
  if (v == "@system") return probe.Uid() < 1000;
  if (!v.empty() && std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::to_string(probe.Uid()) == v;
  return v == probe.UserName();
}

bool TestGroup(const std::string& v, const ConditionProbe& probe) {
  if (!v.empty() && std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::to_string(probe.Gid()) == v;
  return v == probe.GroupName();
}

}  // namespace

std::unique_ptr<ConditionProbe> MakeSystemProbe(const std::string& root,
                                                std::vector<std::string> environment) {
  return std::make_unique<SystemProbe>(root, std::move(environment));
}

std::vector<Condition> CollectConditions(const UnitFile& file) {
  std::vector<Condition> out;
  for (const auto& a : file.assignments()) {
    if (a.section != "Unit") continue;
    bool assert = a.key.starts_with("Assert");
    if (!assert && !a.key.starts_with("Condition")) continue;
    if (a.value.empty()) {
      std::erase_if(out, [&](const Condition& c) { return c.assert == assert; });
      continue;
    }
    Condition c;
    c.assert = assert;
    c.type = a.key.substr(assert ? 6 : 9);
    std::string_view v = a.value;
    if (!v.empty() && v[0] == '|') {
      c.trigger = true;
      v.remove_prefix(1);
      while (!v.empty() && (v[0] == ' ' || v[0] == '\t')) v.remove_prefix(1);
    }
    if (!v.empty() && v[0] == '!') {
      c.negate = true;
      v.remove_prefix(1);
      while (!v.empty() && (v[0] == ' ' || v[0] == '\t')) v.remove_prefix(1);
    }
    c.value = std::string(v);
    c.file = a.file;
    c.line = a.line;
    out.push_back(std::move(c));
  }
  return out;
}

bool TestCondition(const Condition& c, const ConditionProbe& p, bool* evaluated) {
  *evaluated = true;
  const std::string& v = c.value;
  const std::string& t = c.type;
  bool b = false;
  if (t == "PathExists") return p.Exists(v);
  if (t == "PathExistsGlob") return p.GlobMatches(v);
  if (t == "PathIsDirectory") return p.IsDirectory(v);
  if (t == "PathIsSymbolicLink") return p.IsSymlink(v);
  if (t == "PathIsMountPoint") return p.IsMountPoint(v);
  if (t == "PathIsReadWrite") return p.IsReadWrite(v);
  if (t == "FileNotEmpty") return p.IsRegularNonEmpty(v);
  if (t == "DirectoryNotEmpty") return p.IsDirectoryNotEmpty(v);
  if (t == "FileIsExecutable") return p.IsExecutable(v);
  if (t == "Virtualization") return TestVirtualization(v, p);
  if (t == "Environment") {
    size_t eq = v.find('=');
    if (eq == std::string::npos) return p.GetEnv(v).has_value();
    auto got = p.GetEnv(v.substr(0, eq));
    return got && *got == v.substr(eq + 1);
  }
  if (t == "User") return TestUser(v, p);
  if (t == "Group") return TestGroup(v, p);
  if (t == "Host") return TestHost(v, p);
  if (t == "KernelCommandLine") return TestKernelCommandLine(v, p);
  if (t == "Security") return p.HasSecurity(v);
  if (t == "Capability") return p.HasCapability(v);
  if (t == "Architecture") return v == "native" || v == p.Architecture();
  if (t == "Null" && ParseBool(v, &b)) return b;
  if (t == "FirstBoot" && ParseBool(v, &b)) return !b;
  if (t == "ACPower" && ParseBool(v, &b)) return b;
  *evaluated = false;
  return true;
}

ConditionResult EvaluateConditions(const std::vector<Condition>& conds,
                                   const ConditionProbe& probe) {
  ConditionResult r;
  for (bool assert : {false, true}) {
    bool any_trigger = false, trigger_ok = false, ok = true;
    std::string first_trigger;
    for (const auto& c : conds) {
      if (c.assert != assert) continue;
      bool evaluated = true;
      bool res = TestCondition(c, probe, &evaluated);
      std::string text = std::string(assert ? "Assert" : "Condition") + c.type + "=" +
                         (c.trigger ? "|" : "") + (c.negate ? "!" : "") + c.value;
      if (!evaluated) {
        r.notes.push_back(text + ": not evaluated by ctinit, assumed true");
        res = true;
      } else if (c.negate) {
        res = !res;
      }
      if (c.trigger) {
        if (!any_trigger) first_trigger = text;
        any_trigger = true;
        trigger_ok = trigger_ok || res;
      } else if (!res && ok) {
        ok = false;
        if (r.failed.empty()) r.failed = text;
      }
    }
    if (any_trigger && !trigger_ok) {
      if (ok && r.failed.empty())
        r.failed = "none of the triggering conditions held (" + first_trigger + ", ...)";
      ok = false;
    }
    (assert ? r.asserts_ok : r.conditions_ok) = ok;
    if (!assert && !ok) break;  // systemd does not test asserts of a skipped unit
  }
  return r;
}

}  // namespace ctinit::units
