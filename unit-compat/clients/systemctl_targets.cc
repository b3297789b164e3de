// systemctl's offline verbs on the default target, presets and .wants/ links (see systemctl.h):
// file operations under the root, as `systemctl --root=/` does in a Dockerfile RUN line.
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <map>
#include <ostream>

#include "init/base/files.h"
#include "init/base/text.h"
#include "unit-compat/clients/systemctl_ctl.h"

namespace ctinit::units::systemctl_internal {

namespace {

// systemd.preset(5): highest priority first; a file name in an earlier dir hides the same name
// in the later ones. /lib/... is Debian's split-/usr location (bookworm's systemd uses it).
constexpr const char* kPresetDirs[] = {"/etc/systemd/system-preset", "/run/systemd/system-preset",
                                       "/usr/local/lib/systemd/system-preset",
                                       "/usr/lib/systemd/system-preset",
                                       "/lib/systemd/system-preset"};

// The preset files in the order they are read: by file name, whatever dir they come from.
std::vector<std::string> PresetFiles(const std::string& root) {
  std::map<std::string, std::string> by_name;
  for (const char* dir : kPresetDirs)
    for (const auto& e : files::ListDir(files::Under(root, dir)))
      if (e.ends_with(".preset")) by_name.emplace(e, files::Under(root, dir) + "/" + e);
  std::vector<std::string> out;
  for (const auto& [name, path] : by_name) out.push_back(path);
  return out;
}

// A rule matches the unit by glob, or, for "enable foo@.service a b", an instance foo@a.service
// of the listed instances (systemd's pattern_match_multiple_instances()).
bool RuleMatches(const std::vector<std::string>& words, const std::string& unit) {
  const std::string& pattern = words[1];
  if (fnmatch(pattern.c_str(), unit.c_str(), FNM_NOESCAPE) == 0) return true;
  auto at = unit.find('@'), dot = unit.rfind('.');
  if (words.size() < 3 || at == std::string::npos || dot == std::string::npos || dot < at)
    return false;
  std::string tmpl = unit.substr(0, at + 1) + unit.substr(dot);
  std::string instance = unit.substr(at + 1, dot - at - 1);
  return tmpl == pattern && std::find(words.begin() + 2, words.end(), instance) != words.end();
}

}  // namespace

std::string ResolveInRoot(const std::string& root, const std::string& path) {
  std::string prefix = root == "/" ? "" : root;
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  auto parts = text::Split(path, '/');
  std::deque<std::string> todo(parts.begin(), parts.end());
  std::string done;  // resolved so far; "" is the root
  int hops = 0;
  while (!todo.empty()) {
    std::string c = todo.front();
    todo.pop_front();
    if (c.empty() || c == ".") continue;
    if (c == "..") {
      done.erase(done.empty() ? 0 : done.rfind('/'));
      continue;
    }
    std::string next = done + "/" + c;
    struct stat st {};
    if (lstat((prefix + next).c_str(), &st) != 0) return "";
    if (!S_ISLNK(st.st_mode)) {
      done = next;
      continue;
    }
    auto target = files::ReadLink(prefix + next);
    if (!target || ++hops > 40) return "";
    if (target->starts_with("/")) done.clear();
    auto more = text::Split(*target, '/');
    todo.insert(todo.begin(), more.begin(), more.end());
  }
  return done.empty() ? "/" : done;
}

bool PresetEnables(const std::string& root, const std::string& unit,
                   std::vector<std::string>* instances) {
  for (const auto& path : PresetFiles(root)) {
    std::string text;
    if (!files::ReadFile(path, &text)) continue;
    for (const auto& raw : text::Split(text, '\n')) {
      std::string line(text::Trim(raw));
      if (line.empty() || line[0] == '#' || line[0] == ';') continue;
      std::vector<std::string> words;
      for (auto& w : text::Split(line, ' '))
        if (!text::Trim(w).empty()) words.emplace_back(text::Trim(w));
      if (words.size() < 2 || (words[0] != "enable" && words[0] != "disable")) continue;
      if (!RuleMatches(words, unit)) continue;
      if (instances && words[0] == "enable" && words.size() > 2 && words[1] == unit)
        instances->assign(words.begin() + 2, words.end());
      return words[0] == "enable";
    }
  }
  return true;  // no rule: systemd enables
}

// default.target wherever the search path has it, followed through its alias link.
int Ctl::GetDefault(const std::vector<std::string>&) {
  LoadedUnit u = Loader().Load("default.target");
  if (u.state != LoadState::kLoaded) {
    err_ << "Failed to get default target: No such file or directory\n";
    return 1;
  }
  out_ << u.id << "\n";
  return 0;
}

int Ctl::SetDefault(const std::vector<std::string>& args) {
  LoadedUnit u = Loader().Load(args[0]);
  if (u.state != LoadState::kLoaded) {
    err_ << "Failed to set default target: Unit file " << args[0] << " does not exist.\n";
    return 1;
  }
  std::string link = std::string(kConfigDir) + "/default.target";
  auto old = files::ReadLink(H(link));
  if (old && *old == u.fragment_path) return 0;
  if ((old || files::Exists(H(link))) && unlink(H(link).c_str()) == 0)
    err_ << "Removed \"" << H(link) << "\".\n";
  return CreateLink(link, u.fragment_path, "set default target");
}

int Ctl::AddWants(const std::vector<std::string>& args) { return AddDependency(args, ".wants"); }

int Ctl::AddRequires(const std::vector<std::string>& args) {
  return AddDependency(args, ".requires");
}

// add-wants TARGET UNIT...: TARGET.wants/UNIT -> the unit's file, as [Install] WantedBy= would.
int Ctl::AddDependency(const std::vector<std::string>& args, const char* dir_suffix) {
  if (args.size() < 2) {
    err_ << "Too few arguments.\n";
    return 1;
  }
  UnitLoader loader = Loader();
  int rc = 0;
  for (size_t i = 1; i < args.size(); ++i) {
    LoadedUnit u = loader.Load(args[i]);
    if (u.state != LoadState::kLoaded) {
      err_ << "Failed to add dependency: Unit file " << args[i] << " does not exist.\n";
      rc = 1;
      continue;
    }
    std::string link = std::string(kConfigDir) + "/" + args[0] + dir_suffix + "/" + u.id;
    rc |= CreateLink(link, u.fragment_path, "add dependency");
  }
  return rc;
}

int Ctl::Preset(const std::vector<std::string>& units) {
  std::set<std::string> seen;
  int rc = 0;
  for (const auto& u : units) rc |= PresetOne(u, &seen);
  return rc;
}

// What the preset files say for one unit: enable or disable it (within --preset-mode). Units
// without [Install] are left alone, silently, as systemd does.
int Ctl::PresetOne(const std::string& name, std::set<std::string>* seen) {
  auto parsed = ParseUnitName(name);
  if (!parsed) {
    err_ << "Failed to preset unit: Invalid unit name \"" << name << "\".\n";
    return 1;
  }
  LoadedUnit u =
      Loader().Load(parsed->IsTemplate() ? parsed->prefix + "@_probe_." + parsed->type : name);
  if (u.state == LoadState::kNotFound) {
    err_ << "Failed to preset unit, unit " << name << " does not exist.\n";
    return 1;
  }
  if (u.state != LoadState::kLoaded) return 0;
  Install in = InstallOf(u);
  if (in.Empty()) return 0;
  std::vector<std::string> instances;
  if (PresetEnables(root_.empty() ? "/" : root_, name, &instances)) {
    if (preset_mode_ == "disable-only") return 0;
    presetting_ = true;
    if (!parsed->IsTemplate() || instances.empty()) return Enable(name, seen);
    int rc = 0;
    for (const auto& i : instances)
      rc |= Enable(parsed->prefix + "@" + i + "." + parsed->type, seen);
    return rc;
  }
  if (preset_mode_ == "enable-only") return 0;
  return Disable(name, seen);
}

// Every unit file of the search path (aliases are their unit's business), presets applied.
int Ctl::PresetAll(const std::vector<std::string>&) {
  std::set<std::string> names;
  for (const auto& dir : DefaultSearchPath())
    for (const auto& e : files::ListDir(H(dir))) {
      auto parsed = ParseUnitName(e);
      if (!parsed || files::IsSymlink(H(dir + "/" + e))) continue;
      names.insert(e);
    }
  std::set<std::string> seen;
  int rc = 0;
  for (const auto& n : names) rc |= PresetOne(n, &seen);
  return rc;
}

}  // namespace ctinit::units::systemctl_internal
