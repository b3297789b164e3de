// /etc/init.d scripts -> units in the late generator dir (see sysv_generator.h).
#include "unit-compat/sysv_generator.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

#include "init/base/files.h"
#include "unit-compat/sysv_script.h"

namespace ctinit::units {

namespace {

using files::Under;

// Debian masks these scripts (systemd, initscripts, cryptsetup packages) or aliases them to a
// systemd unit: their job is the boot's own set-up, done by ctinit or the container runtime.
constexpr std::string_view kSysvDoneElsewhere[] = {"rc",
                                                   "rcS",
                                                   "hwclock",
                                                   "procps",
                                                   "kmod",
                                                   "module-init-tools",
                                                   "urandom",
                                                   "x11-common",
                                                   "mountall",
                                                   "mountall-bootclean",
                                                   "mountnfs",
                                                   "mountnfs-bootclean",
                                                   "mountkernfs",
                                                   "mountdevsubfs",
                                                   "checkroot",
                                                   "checkroot-bootclean",
                                                   "checkfs",
                                                   "bootmisc",
                                                   "bootlogd",
                                                   "bootlogs",
                                                   "stop-bootlogd",
                                                   "stop-bootlogd-single",
                                                   "hostname",
                                                   "killprocs",
                                                   "sendsigs",
                                                   "umountfs",
                                                   "umountnfs",
                                                   "umountroot",
                                                   "halt",
                                                   "reboot",
                                                   "single",
                                                   "rmnologin",
                                                   "brightness"};

struct RcDir {
  const char* dir;
  const char* target;
};
constexpr RcDir kRcDirs[] = {{"/etc/rc1.d", "rescue.target"},
                             {"/etc/rc2.d", "multi-user.target"},
                             {"/etc/rc3.d", "multi-user.target"},
                             {"/etc/rc4.d", "multi-user.target"},
                             {"/etc/rc5.d", "graphical.target"}};

bool HiddenOrBackup(const std::string& name) {
  if (name.empty() || name[0] == '.' || name.back() == '~') return true;
  constexpr std::string_view kSuffixes[] = {
      ".rpmnew",    ".rpmsave",  ".rpmorig",     ".dpkg-old",    ".dpkg-new", ".dpkg-tmp",
      ".dpkg-dist", ".dpkg-bak", ".dpkg-backup", ".dpkg-remove", ".ucf-new",  ".ucf-old",
      ".ucf-dist",  ".swp",      ".bak",         ".old",         ".new"};
  for (auto s : kSuffixes)
    if (name.ends_with(s)) return true;
  return false;
}

void Add(std::vector<std::string>* list, const std::string& v) {
  if (std::find(list->begin(), list->end(), v) == list->end()) list->push_back(v);
}

std::string EscapeSpecifiers(const std::string& s) {
  std::string out;
  for (char c : s) {
    out += c;
    if (c == '%') out += '%';
  }
  return out;
}

struct Stub {
  std::string name;  // NAME.service
  std::string path;  // /etc/init.d/NAME (inside the image)
  SysvScript script;
  int priority = -1;  // the highest S link number
  std::vector<std::string> wanted_by;
};

class Generator {
 public:
  Generator(const SysvGeneratorOptions& o, SysvGeneration* out) : o_(o), out_(out) {}
  void Run();

 private:
  bool NativeUnitExists(const std::string& name) const;
  void Enumerate();
  void ReadRcLinks();
  void OrderByPriority();
  void RemovePrevious();
  void Write(const Stub& s);
  std::string UnitText(const Stub& s) const;
  void Problem(const std::string& path, const std::string& what) {
    out_->diagnostics.push_back({path, 0, "sysv generator: " + what});
  }

  const SysvGeneratorOptions& o_;
  SysvGeneration* out_;
  std::map<std::string, Stub> stubs_;  // by unit name
};

void Generator::Run() {
  Enumerate();
  ReadRcLinks();
  OrderByPriority();
  RemovePrevious();
  for (const auto& [name, stub] : stubs_) Write(stub);
  std::sort(out_->generated.begin(), out_->generated.end());
}

bool Generator::NativeUnitExists(const std::string& name) const {
  for (const auto& dir : o_.unit_search_path) {
    if (dir.starts_with("/run/systemd/generator") || dir == o_.dest) continue;
    if (files::Exists(Under(o_.root, dir + "/" + name))) return true;
  }
  return false;
}

void Generator::Enumerate() {
  const std::string init_d = "/etc/init.d";
  for (const auto& entry : files::ListDir(Under(o_.root, init_d))) {
    if (HiddenOrBackup(entry)) continue;
    std::string path = init_d + "/" + entry;
    struct stat st {};
    if (::stat(Under(o_.root, path).c_str(), &st) != 0 || !S_ISREG(st.st_mode) ||
        !(st.st_mode & S_IXUSR))
      continue;
    auto name = SysvUnitName(entry);
    if (!name) {
      out_->skipped[path] = "its name cannot be a unit name";
      continue;
    }
    if (stubs_.count(*name)) continue;
    std::string bare = name->substr(0, name->size() - 8);
    if (std::find(std::begin(kSysvDoneElsewhere), std::end(kSysvDoneElsewhere), bare) !=
        std::end(kSysvDoneElsewhere)) {
      out_->skipped[path] = "its job is done by ctinit or the container runtime";
      continue;
    }
    if (NativeUnitExists(*name)) {
      out_->skipped[path] = "a unit " + *name + " exists";
      continue;
    }
    std::string text;
    if (!files::ReadFile(Under(o_.root, path), &text)) {
      Problem(path, "cannot read it");
      continue;
    }
    Stub& stub = stubs_[*name];
    stub.name = *name;
    stub.path = path;
    stub.script = ParseSysvScript(text, entry);
  }
}

// S links in rc1-5.d: the levels and the start priority.
void Generator::ReadRcLinks() {
  for (const auto& rc : kRcDirs)
    for (const auto& entry : files::ListDir(Under(o_.root, rc.dir))) {
      if (entry.size() < 4 || entry[0] != 'S' ||
          !std::isdigit(static_cast<unsigned char>(entry[1])) ||
          !std::isdigit(static_cast<unsigned char>(entry[2])))
        continue;
      auto name = SysvUnitName(entry.substr(3));
      if (!name) continue;
      auto it = stubs_.find(*name);
      if (it == stubs_.end()) continue;
      Stub& s = it->second;
      s.priority = std::max(s.priority, (entry[1] - '0') * 10 + (entry[2] - '0'));
      Add(&s.wanted_by, rc.target);
      Add(&s.script.before, rc.target);
    }
}

// Without LSB headers on both sides, the S link numbers order two scripts.
void Generator::OrderByPriority() {
  for (auto& [name, s] : stubs_) {
    if (s.priority < 0) continue;
    for (const auto& [other_name, other] : stubs_) {
      if (&other == &s || other.priority < 0 || (s.script.has_lsb && other.script.has_lsb))
        continue;
      if (other.priority < s.priority) Add(&s.script.after, other_name);
      if (other.priority > s.priority) Add(&s.script.before, other_name);
    }
  }
}

std::string Generator::UnitText(const Stub& s) const {
  const SysvScript& sc = s.script;
  std::string path = EscapeSpecifiers(s.path);
  std::string t = std::string(kSysvGeneratedMarker) + " (systemd-sysv-generator)\n\n[Unit]\n";
  t += "Documentation=man:systemd-sysv-generator(8)\nSourcePath=" + path + "\n";
  if (!sc.description.empty()) t += "Description=" + EscapeSpecifiers(sc.description) + "\n";
  for (const auto& b : sc.before) t += "Before=" + b + "\n";
  for (const auto& a : sc.after) t += "After=" + a + "\n";
  for (const auto& w : sc.wants) t += "Wants=" + w + "\n";
  t += "\n[Service]\nType=forking\nRestart=no\nTimeoutSec=5min\nIgnoreSIGPIPE=no\n"
       "KillMode=process\nGuessMainPID=no\n";
  t += std::string("RemainAfterExit=") + (sc.pid_file ? "no" : "yes") + "\n";
  if (sc.pid_file) t += "PIDFile=" + EscapeSpecifiers(*sc.pid_file) + "\n";
  if (sc.has_lsb) t += "SuccessExitStatus=5 6\n";
  t += "ExecStart=" + path + " start\nExecStop=" + path + " stop\n";
  if (sc.reload) t += "ExecReload=" + path + " reload\n";
  return t;
}

// Files a previous run wrote (they start with the marker), and the links to them.
void Generator::RemovePrevious() {
  const std::string dest = Under(o_.root, o_.dest);
  std::set<std::string> removed;
  for (const auto& entry : files::ListDir(dest)) {
    std::string p = dest + "/" + entry;
    if (files::IsSymlink(p)) continue;
    std::string first = files::ReadFirstLine(p);
    if (first.starts_with(kSysvGeneratedMarker) && ::unlink(p.c_str()) == 0) removed.insert(entry);
  }
  if (removed.empty()) return;
  auto points_to_removed = [&](const std::string& link) {
    auto target = files::ReadLink(link);
    return target && removed.count(files::BaseName(*target));
  };
  for (const auto& entry : files::ListDir(dest)) {
    std::string p = dest + "/" + entry;
    if (files::IsSymlink(p)) {
      if (points_to_removed(p)) ::unlink(p.c_str());
    } else if (entry.ends_with(".wants")) {
      for (const auto& w : files::ListDir(p))
        if (files::IsSymlink(p + "/" + w) && points_to_removed(p + "/" + w))
          ::unlink((p + "/" + w).c_str());
      ::rmdir(p.c_str());  // only when empty
    }
  }
}

bool MakeDirs(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  return !ec;
}

void Generator::Write(const Stub& s) {
  const std::string dest = Under(o_.root, o_.dest);
  const std::string unit = dest + "/" + s.name;
  if (!MakeDirs(dest)) return Problem(o_.dest, "cannot create the directory");
  if (files::IsSymlink(unit)) ::unlink(unit.c_str());  // an alias made by another script
  if (files::Exists(unit)) {  // another generator's (systemd's own sysv generator's): it stands
    out_->skipped[s.path] = o_.dest + "/" + s.name + " exists (another generator's)";
    return;
  }
  {
    std::ofstream f(unit);
    f << UnitText(s);
    if (!f.flush()) return Problem(o_.dest + "/" + s.name, "cannot be written");
  }
  out_->generated.push_back(s.name);
  for (const auto& alias : s.script.aliases)
    if (::symlink(s.name.c_str(), (dest + "/" + alias).c_str()) != 0 && errno != EEXIST)
      Problem(o_.dest + "/" + alias, std::string("alias: ") + std::strerror(errno));
  for (const auto& target : s.wanted_by) {
    std::string wants = dest + "/" + target + ".wants";
    std::string link_target = o_.dest + "/" + s.name;
    if (!MakeDirs(wants) ||
        (::symlink(link_target.c_str(), (wants + "/" + s.name).c_str()) != 0 && errno != EEXIST))
      Problem(o_.dest + "/" + target + ".wants/" + s.name, "cannot be linked");
  }
}

}  // namespace

SysvGeneration GenerateSysvUnits(const SysvGeneratorOptions& options) noexcept {
  SysvGeneration out;
  try {
    Generator(options, &out).Run();
  } catch (const std::exception& e) {
    out.diagnostics.push_back({options.dest, 0, std::string("sysv generator: ") + e.what()});
  } catch (...) {
    out.diagnostics.push_back({options.dest, 0, "sysv generator failed"});
  }
  return out;
}

}  // namespace ctinit::units
