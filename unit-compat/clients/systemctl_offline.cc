// systemctl's offline verbs: they read and write unit files and links under the root (see
// systemctl.h).
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <ostream>

#include "init/base/files.h"
#include "unit-compat/clients/systemctl_ctl.h"

namespace ctinit::units::systemctl_internal {

namespace {

constexpr const char* kNoInstall =
    "The unit files have no installation config (WantedBy=, RequiredBy=, Also=,\n"
    "Alias= settings in the [Install] section, and DefaultInstance= for template\n"
    "units). This means they are not meant to be enabled using systemctl.\n"
    " \n"
    "Possible reasons for having this kind of units are:\n"
    "\u2022 A unit may be statically enabled by being symlinked from another unit's\n"
    "  .wants/ or .requires/ directory.\n"
    "\u2022 A unit's purpose may be to act as a helper for some other unit which has\n"
    "  a requirement dependency on it.\n"
    "\u2022 A unit may be started when needed via activation (socket, path, timer,\n"
    "  D-Bus, udev, scripted systemctl call, ...).\n"
    "\u2022 In case of template units, the unit is meant to be enabled with some\n"
    "  instance name specified.\n";

}  // namespace

Install Ctl::InstallOf(const LoadedUnit& u) const {
  Install in;
  auto ctx = u.Specifiers(HostSpecifiers(root_.empty() ? "/" : root_));
  auto words = [&](const char* key, std::vector<std::string>* out) {
    for (const Assignment* a : u.file.List("Install", key)) {
      auto w = SplitWords(a->value, kExtractUnquote | kExtractRelax);
      if (!w) continue;
      for (const auto& x : *w) {
        auto e = ExpandSpecifiers(x, ctx);
        out->push_back(e ? *e : x);
      }
    }
  };
  words("WantedBy", &in.wanted_by);
  words("RequiredBy", &in.required_by);
  words("Alias", &in.alias);
  words("Also", &in.also);
  if (const Assignment* a = u.file.Last("Install", "DefaultInstance"))
    in.default_instance = a->value;
  return in;
}

// Debian's helpers link through /lib/systemd/system while the loader may find the unit in
// /usr/lib/systemd/system: on a merged /usr both are the same file, and the link is as good as
// the one enable would make.
bool Ctl::SameFile(const std::string& path, const std::string& target) const {
  std::string root = root_.empty() ? "/" : root_;
  std::string a = ResolveInRoot(root, path), b = ResolveInRoot(root, target);
  if (a.empty() || b.empty()) return false;
  if (a == b) return true;
  struct stat sa {
  }, sb{};
  return stat(H(a).c_str(), &sa) == 0 && stat(H(b).c_str(), &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

int Ctl::CreateLink(const std::string& path, const std::string& target, const char* verb) {
  std::string host = H(path);
  if (files::IsSymlink(host)) {
    auto t = files::ReadLink(host);
    if (t && (*t == target || (target != "/dev/null" && SameFile(path, target)))) return 0;
    if (!force_) {
      err_ << "Failed to " << verb << " unit: File " << path
           << " already exists and is a symlink to " << (t ? *t : "?") << ".\n";
      return 1;
    }
    unlink(host.c_str());
  } else if (access(host.c_str(), F_OK) == 0) {
    if (!force_) {
      err_ << "Failed to " << verb << " unit: File " << path << " already exists.\n";
      return 1;
    }
    unlink(host.c_str());
  }
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(host).parent_path(), ec);
  if (symlink(target.c_str(), host.c_str()) != 0) {
    err_ << "Failed to " << verb << " unit: cannot create " << path << ": " << strerror(errno)
         << "\n";
    return 1;
  }
  err_ << "Created symlink " << host << " \u2192 " << target << ".\n";
  return 0;
}

int Ctl::Enable(const std::string& requested, std::set<std::string>* seen) {
  if (!seen->insert(requested).second) return 0;
  auto parsed = ParseUnitName(requested);
  if (!parsed) {
    err_ << "Failed to enable unit: Invalid unit name \"" << requested << "\".\n";
    return 1;
  }
  std::string name = requested;
  UnitLoader loader = Loader();
  LoadedUnit u;
  if (parsed->IsTemplate()) {
    LoadedUnit tmpl = loader.Load(parsed->prefix + "@_probe_." + parsed->type);
    if (tmpl.state == LoadState::kNotFound) {
      err_ << "Failed to enable unit, unit " << requested << " does not exist.\n";
      return 1;
    }
    tmpl.id = requested;  // %i is "" for the template itself, as in systemd's install info
    Install in = InstallOf(tmpl);
    if (in.default_instance.empty()) return EnableTemplate(requested, tmpl, in, seen);
    name = parsed->prefix + "@" + in.default_instance + "." + parsed->type;
  }
  u = loader.Load(name);
  if (u.state == LoadState::kMasked) {
    err_ << "Failed to enable unit: Unit file " << kConfigDir << "/" << name << " is masked.\n";
    return 1;
  }
  if (u.state != LoadState::kLoaded) {
    err_ << "Failed to enable unit, unit " << requested << " does not exist.\n";
    return 1;
  }
  Install in = InstallOf(u);
  if (in.Empty()) {
    err_ << kNoInstall;
    return 0;
  }
  int rc = 0;
  std::string target = u.fragment_path;
  // An instance wanted by a template is wanted by that template's instance of the same name.
  auto instance_of = [&](const std::string& dest) {
    auto d = ParseUnitName(dest), me = ParseUnitName(u.id);
    if (!d || !d->IsTemplate() || !me || !me->IsInstance()) return dest;
    return d->prefix + "@" + me->instance + "." + d->type;
  };
  for (const auto& alias : in.alias)
    rc |= CreateLink(std::string(kConfigDir) + "/" + alias, target, "enable");
  for (const auto& t : in.wanted_by)
    rc |= CreateLink(std::string(kConfigDir) + "/" + instance_of(t) + ".wants/" + u.id, target,
                     "enable");
  for (const auto& t : in.required_by)
    rc |= CreateLink(std::string(kConfigDir) + "/" + instance_of(t) + ".requires/" + u.id, target,
                     "enable");
  for (const auto& also : in.also) rc |= Enable(also, seen);
  return rc;
}

// A template without DefaultInstance= (systemd's install_info_symlink_wants()): only a template
// can want it (pg_dump@.timer WantedBy=postgresql@%i.service links postgresql@.service.wants/
// pg_dump@.timer, and every postgresql@X then wants pg_dump@X); a non-template destination is an
// error for enable and skipped by preset.
int Ctl::EnableTemplate(const std::string& name, const LoadedUnit& tmpl, const Install& in,
                        std::set<std::string>* seen) {
  if (in.Empty()) {
    err_ << kNoInstall;
    return 0;
  }
  int rc = 0;
  auto link = [&](const std::string& dest, const char* suffix) {
    auto d = ParseUnitName(dest);
    if (d && d->IsTemplate())
      return CreateLink(std::string(kConfigDir) + "/" + dest + suffix + "/" + name,
                        tmpl.fragment_path, "enable");
    if (presetting_) return 0;
    err_ << "Failed to enable " << name << ", destination unit " << dest
         << " is a non-template unit.\n";
    return 1;
  };
  for (const auto& t : in.wanted_by) rc |= link(t, ".wants");
  for (const auto& t : in.required_by) rc |= link(t, ".requires");
  for (const auto& alias : in.alias)
    rc |= CreateLink(std::string(kConfigDir) + "/" + alias, tmpl.fragment_path, "enable");
  for (const auto& also : in.also) rc |= Enable(also, seen);
  return rc;
}

int Ctl::Disable(const std::string& requested, std::set<std::string>* seen) {
  if (!seen->insert(requested).second) return 0;
  auto parsed = ParseUnitName(requested);
  if (!parsed) {
    err_ << "Failed to disable unit: Invalid unit name \"" << requested << "\".\n";
    return 1;
  }
  UnitLoader loader = Loader();
  LoadedUnit u =
      loader.Load(parsed->IsTemplate() ? parsed->prefix + "@_probe_." + parsed->type : requested);
  if (u.state == LoadState::kNotFound) {
    err_ << "Failed to disable unit, unit " << requested << " does not exist.\n";
    return 0;
  }
  std::set<std::string> names = {requested};
  std::string file_name = files::BaseName(u.fragment_path);
  Install in;
  if (u.state == LoadState::kLoaded) {
    in = InstallOf(u);
    if (!parsed->IsTemplate()) names.insert(u.id);
    for (const auto& a : in.alias) names.insert(a);
  }
  auto matches = [&](const std::string& entry, const std::string& link) {
    auto t = files::ReadLink(link);
    if (!t || *t == "/dev/null") return false;
    if (names.count(entry)) return true;
    return parsed->IsTemplate() && files::BaseName(*t) == requested;  // every instance
  };
  std::vector<std::string> removed;
  std::string dir = kConfigDir;
  for (const auto& e : files::ListDir(H(dir)))
    if (files::IsSymlink(H(dir + "/" + e)) && matches(e, H(dir + "/" + e)))
      removed.push_back(dir + "/" + e);
  for (const auto& sub : files::ListDir(H(dir))) {
    if (!sub.ends_with(".wants") && !sub.ends_with(".requires")) continue;
    std::string d = dir + "/" + sub;
    for (const auto& e : files::ListDir(H(d)))
      if (files::IsSymlink(H(d + "/" + e)) && matches(e, H(d + "/" + e)))
        removed.push_back(d + "/" + e);
  }
  int rc = 0;
  for (const auto& p : removed) {
    if (unlink(H(p).c_str()) != 0) {
      err_ << "Failed to disable unit: cannot remove " << p << ": " << strerror(errno) << "\n";
      rc = 1;
      continue;
    }
    err_ << "Removed \"" << H(p) << "\".\n";
  }
  for (const auto& also : in.also) rc |= Disable(also, seen);
  return rc;
}

int Ctl::Mask(const std::string& name) {
  if (!ParseUnitName(name)) {
    err_ << "Failed to mask unit: Invalid unit name \"" << name << "\".\n";
    return 1;
  }
  return CreateLink(std::string(kConfigDir) + "/" + name, "/dev/null", "mask");
}

int Ctl::Unmask(const std::string& name) {
  int rc = 0;
  for (const char* dir : {kConfigDir, kRuntimeDir}) {
    std::string p = std::string(dir) + "/" + name;
    auto t = files::ReadLink(H(p));
    if (!t || *t != "/dev/null") continue;
    if (unlink(H(p).c_str()) != 0) {
      err_ << "Failed to unmask unit: cannot remove " << p << ": " << strerror(errno) << "\n";
      rc = 1;
      continue;
    }
    err_ << "Removed \"" << H(p) << "\".\n";
  }
  return rc;
}

std::string Ctl::State(const std::string& name) {
  auto parsed = ParseUnitName(name);
  if (!parsed) return "";
  UnitLoader loader = Loader();
  LoadedUnit u =
      loader.Load(parsed->IsTemplate() ? parsed->prefix + "@_probe_." + parsed->type : name);
  if (u.state == LoadState::kMasked) return "masked";
  if (u.state == LoadState::kNotFound) return "";
  if (u.state != LoadState::kLoaded) return "bad";
  // The name is an alias symlink of another unit.
  std::string own = parsed->IsTemplate() ? name : u.id;
  if (!parsed->IsTemplate() && u.id != name) {
    auto idp = ParseUnitName(u.id);
    if (!(parsed->IsInstance() && idp && idp->IsInstance() && idp->instance == parsed->instance &&
          u.fragment_path.ends_with("/" + parsed->TemplateName())))
      return "alias";
  }
  Install in = InstallOf(u);
  bool linked = false, instance_linked = false;
  std::string tmpl_prefix = parsed->prefix + "@";
  for (const char* dir : {kConfigDir, kRuntimeDir}) {
    for (const auto& a : in.alias)
      if (files::IsSymlink(H(std::string(dir) + "/" + a))) linked = true;
    for (const auto& sub : files::ListDir(H(dir))) {
      if (!sub.ends_with(".wants") && !sub.ends_with(".requires")) continue;
      for (const auto& e : files::ListDir(H(std::string(dir) + "/" + sub))) {
        if (e == own) linked = true;
        if (parsed->IsTemplate() && e.starts_with(tmpl_prefix) && e.ends_with("." + parsed->type))
          instance_linked = true;
      }
    }
  }
  if (linked) return "enabled";
  if (in.Empty()) return "static";
  if (instance_linked) return "indirect";
  if (in.wanted_by.empty() && in.required_by.empty() && in.alias.empty()) return "indirect";
  return "disabled";
}

int Ctl::IsEnabled(const std::vector<std::string>& names) {
  bool any_ok = false, failed = false;
  for (const auto& n : names) {
    std::string s = State(n);
    if (s.empty()) {
      err_ << "Failed to get unit file state for " << n << ": No such file or directory\n";
      failed = true;
      continue;
    }
    if (!quiet_) out_ << s << "\n";
    if (s == "enabled" || s == "enabled-runtime" || s == "alias" || s == "static" ||
        s == "indirect" || s == "generated" || s == "transient")
      any_ok = true;
  }
  return any_ok && !failed ? 0 : 1;
}

int Ctl::ListUnitFiles(const std::vector<std::string>& patterns) {
  std::map<std::string, bool> files;  // name -> seen
  for (const auto& dir : DefaultSearchPath())
    for (const auto& e : files::ListDir(H(dir))) {
      if (!ParseUnitName(e)) continue;
      struct stat st {};
      std::string p = H(dir + "/" + e);
      if (stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) continue;
      if (lstat(p.c_str(), &st) != 0) continue;
      bool match = patterns.empty();
      for (const auto& pat : patterns) match = match || fnmatch(pat.c_str(), e.c_str(), 0) == 0;
      if (match) files.emplace(e, true);
    }
  std::vector<std::pair<std::string, std::string>> rows;
  for (const auto& [name, _] : files) {
    std::string s = State(name);
    rows.emplace_back(name, s.empty() ? "bad" : s);
  }
  auto suffix = [](const std::string& n) { return n.substr(n.rfind('.')); };
  std::sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) {
    return std::make_pair(suffix(a.first), a.first) < std::make_pair(suffix(b.first), b.first);
  });
  size_t w1 = 9, w2 = 5;  // "UNIT FILE", "STATE"
  for (const auto& [n, s] : rows) {
    w1 = std::max(w1, n.size());
    w2 = std::max(w2, s.size());
  }
  auto pad = [](const std::string& s, size_t w) { return s + std::string(w - s.size(), ' '); };
  if (!quiet_) out_ << pad("UNIT FILE", w1) << " " << pad("STATE", w2) << " PRESET\n";
  for (const auto& [n, s] : rows) {
    // systemd leaves the preset out where it would only confuse (show_preset_for_state()).
    bool preset = s != "alias" && s != "static" && s != "generated" && s != "transient";
    const char* p = !preset ? "-"
                    : PresetEnables(root_.empty() ? "/" : root_, n) ? "enabled"
                                                                    : "disabled";
    out_ << pad(n, w1) << " " << pad(s, w2) << " " << p << "\n";
  }
  if (!quiet_) out_ << "\n" << rows.size() << " unit files listed.\n";
  return 0;
}

int Ctl::Cat(const std::vector<std::string>& names) {
  int rc = 0;
  bool first = true;
  UnitLoader loader = Loader();
  for (const auto& n : names) {
    LoadedUnit u = loader.Load(n);
    if (u.state == LoadState::kMasked) {
      err_ << "Unit " << n << " is masked.\n";
      rc = 1;
      continue;
    }
    if (u.fragment_path.empty()) {
      err_ << "No files found for " << n << ".\n";
      rc = 1;
      continue;
    }
    std::vector<std::string> paths = {u.fragment_path};
    paths.insert(paths.end(), u.dropin_paths.begin(), u.dropin_paths.end());
    for (const auto& p : paths) {
      std::string text;
      files::ReadFile(H(p), &text);
      if (!first) out_ << "\n";
      first = false;
      out_ << "# " << p << "\n" << text;
      if (!text.empty() && text.back() != '\n') out_ << "\n";
    }
  }
  return rc;
}

}  // namespace ctinit::units::systemctl_internal
