// Offline `systemctl` (see systemctl.h).
#include "unit-compat/clients/systemctl.h"

#include <dirent.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "unit-compat/files.h"
#include "unit-compat/load.h"
#include "unit-compat/values.h"

namespace ctinit::units {

namespace {

constexpr const char* kConfigDir = "/etc/systemd/system";
constexpr const char* kRuntimeDir = "/run/systemd/system";

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

bool IsSymlink(const std::string& path) {
  struct stat st {};
  return lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode);
}

std::string FormatTimeSpan(Usec u) {
  if (u == kUsecInfinity) return "infinity";
  if (u == 0) return "0";
  constexpr std::pair<const char*, Usec> kUnits[] = {{"y", 31557600 * kUsecPerSec},
                                                     {"month", 2629800 * kUsecPerSec},
                                                     {"w", 7 * 86400 * kUsecPerSec},
                                                     {"d", 86400 * kUsecPerSec},
                                                     {"h", 3600 * kUsecPerSec},
                                                     {"min", 60 * kUsecPerSec},
                                                     {"s", kUsecPerSec},
                                                     {"ms", kUsecPerMsec},
                                                     {"us", 1}};
  std::string out;
  for (const auto& [name, mul] : kUnits) {
    if (u < mul) continue;
    if (!out.empty()) out += ' ';
    out += std::to_string(u / mul) + name;
    u %= mul;
  }
  return out;
}

struct Install {
  std::vector<std::string> wanted_by, required_by, alias, also;
  std::string default_instance;
  bool Empty() const {
    return wanted_by.empty() && required_by.empty() && alias.empty() && also.empty();
  }
};

// What ctinit's `status NAME` reply says, by key (first line: "state" text).
struct Remote {
  int code = 4;  // 0 active, 3 inactive, 4 unknown, -1 no connection
  std::map<std::string, std::string> kv;
  std::string Get(const std::string& k) const {
    auto it = kv.find(k);
    return it == kv.end() ? "" : it->second;
  }
};

// systemd's ActiveState / SubState for a ctinit state.
std::pair<std::string, std::string> ActiveSub(const Remote& r) {
  std::string st = r.Get("state");
  if (st == "started")
    return {"active", r.Get("pid") != "0" && !r.Get("pid").empty() ? "running" : "exited"};
  if (st == "starting") return {"activating", "start"};
  if (st == "stopping") return {"deactivating", "stop"};
  if (st == "failed") return {"failed", "failed"};
  return {"inactive", "dead"};
}

std::string WithType(const std::string& n) {
  auto p = n.rfind('.');
  if (p != std::string::npos) {
    std::string t = n.substr(p + 1);
    for (const char* k : {"service", "socket", "target", "timer", "mount", "path", "swap", "slice",
                          "scope", "device", "automount"})
      if (t == k) return n;
  }
  return n + ".service";
}

class Ctl {
 public:
  Ctl(std::string root, std::ostream& out, std::ostream& err, ControlCall call)
      : root_(std::move(root)), out_(out), err_(err), call_(std::move(call)) {
    while (!root_.empty() && root_.back() == '/') root_.pop_back();
  }
  int Run(const std::vector<std::string>& args);

 private:
  std::string H(const std::string& p) const { return root_ + p; }
  UnitLoader Loader() const { return UnitLoader(root_.empty() ? "/" : root_); }
  Install InstallOf(const LoadedUnit& u) const;
  int CreateLink(const std::string& path, const std::string& target, const char* verb);
  int Enable(const std::string& name, std::set<std::string>* seen);
  int Disable(const std::string& name, std::set<std::string>* seen);
  int Mask(const std::string& name);
  int Unmask(const std::string& name);
  // "" when the unit does not exist.
  std::string State(const std::string& name);
  int IsEnabled(const std::vector<std::string>& names);
  int ListUnitFiles(const std::vector<std::string>& patterns);
  int Cat(const std::vector<std::string>& names);
  int Show(const std::vector<std::string>& names);
  std::string Property(const LoadedUnit& u, const std::string& name);

  // Online.
  bool Online() const { return static_cast<bool>(call_); }
  control::Reply Call(const std::vector<std::string>& words,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10)) const {
    return call_(words, timeout);
  }
  Remote StatusOf(const std::string& unit) const;
  int Job(const std::string& verb, const std::vector<std::string>& units);
  int IsActive(const std::vector<std::string>& units, bool failed);
  int Status(const std::vector<std::string>& units);
  int ListUnits(const std::vector<std::string>& patterns);
  int Level(const std::string& verb);

  std::string root_;
  std::ostream& out_;
  std::ostream& err_;
  ControlCall call_;
  bool quiet_ = false, force_ = false, value_only_ = false, all_ = false;
  std::vector<std::string> properties_;
};

Remote Ctl::StatusOf(const std::string& unit) const {
  Remote r;
  control::Reply rep = Call({"status", unit});
  r.code = rep.code;
  if (rep.code < 0) return r;
  std::istringstream in(rep.text);
  std::string line;
  bool first = true;
  while (std::getline(in, line)) {
    if (first) {
      first = false;
      if (line.find('=') == std::string::npos) continue;  // the human first line
    }
    auto eq = line.find('=');
    if (eq != std::string::npos) r.kv[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return r;
}

int Ctl::Job(const std::string& verb, const std::vector<std::string>& units) {
  std::string what = verb == "reload-or-restart" ? "restart" : verb;
  int rc = 0;
  for (const auto& u0 : units) {
    std::string u = WithType(u0);
    std::string v = what;
    if (verb == "reload-or-restart") {
      Remote r = StatusOf(u);
      if (r.code == 0 && ActiveSub(r).first == "active") {
        control::Reply rr = Call({"reload", u}, std::chrono::seconds(90));
        if (rr.code == 0) continue;
      }
    }
    control::Reply rep = Call({v, u}, std::chrono::seconds(90));
    std::string text = rep.text;
    while (!text.empty() && text.back() == '\n') text.pop_back();
    if (rep.code == 0) continue;
    if (rep.code < 0) {
      err_ << "Failed to " << v << " " << u << ": " << text << "\n";
      rc = 1;
    } else if (rep.code == 4) {
      err_ << "Failed to " << v << " " << u << ": Unit " << u << " not found.\n";
      rc = 5;
    } else {
      err_ << "Job for " << u << " failed: " << text << ".\nSee \"systemctl status " << u
           << "\" for details.\n";
      if (rc == 0) rc = 1;
    }
  }
  return rc;
}

int Ctl::IsActive(const std::vector<std::string>& units, bool failed) {
  bool any = false;
  for (const auto& u0 : units) {
    Remote r = StatusOf(WithType(u0));
    std::string st = r.code == 4 || r.code < 0 ? "inactive" : ActiveSub(r).first;
    if (!quiet_) out_ << st << "\n";
    any |= failed ? st == "failed" : st == "active";
  }
  if (failed) return any ? 0 : 1;
  return any ? 0 : 3;
}

int Ctl::Status(const std::vector<std::string>& units) {
  int rc = 0;
  bool first = true;
  for (const auto& u0 : units) {
    std::string u = WithType(u0);
    Remote r = StatusOf(u);
    if (r.code == 4 || r.code < 0) {
      err_ << "Unit " << u << " could not be found.\n";
      rc = 4;
      continue;
    }
    if (!first) out_ << "\n";
    first = false;
    auto [active, sub] = ActiveSub(r);
    std::string name = r.Get("name").empty() ? u : r.Get("name");
    std::string desc = r.Get("description");
    out_ << (active == "active"   ? "\u25cf "
             : active == "failed" ? "\u00d7 "
                                  : "\u25cb ")
         << name << (desc.empty() ? "" : " - " + desc) << "\n";
    std::string origin = r.Get("origin");
    std::string enabled = State(name);
    out_ << "     Loaded: loaded (" << origin << (enabled.empty() ? "" : "; " + enabled) << ")\n";
    long long ago = 0;
    try {
      ago = std::stoll(r.Get("since_ms")) / 1000;
    } catch (...) {
    }
    std::string since;
    if (ago >= 0) {
      std::time_t t = std::time(nullptr) - ago;
      char buf[64];
      std::strftime(buf, sizeof buf, "%a %Y-%m-%d %H:%M:%S %Z", std::localtime(&t));
      since = std::string(" since ") + buf + "; " + std::to_string(ago) + "s ago";
    }
    out_ << "     Active: " << active << " (" << sub << ")" << since << "\n";
    if (r.Get("pid") != "0" && !r.Get("pid").empty())
      out_ << "   Main PID: " << r.Get("pid") << "\n";
    if (!r.Get("text").empty()) out_ << "     Status: \"" << r.Get("text") << "\"\n";
    if (!r.Get("last").empty() && active != "active")
      out_ << "    Process: " << r.Get("last") << "\n";
    if (active != "active" && rc == 0) rc = 3;
  }
  return rc;
}

int Ctl::ListUnits(const std::vector<std::string>& patterns) {
  control::Reply rep = Call({"list"});
  if (rep.code != 0) {
    err_ << "Failed to list units: " << rep.text << "\n";
    return 1;
  }
  struct Row {
    std::string unit, load, active, sub, desc;
  };
  std::vector<Row> rows;
  std::istringstream in(rep.text);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    size_t pos = 0;
    for (int i = 0; i < 4; ++i) {
      size_t tab = line.find('\t', pos);
      if (tab == std::string::npos) break;
      f.push_back(line.substr(pos, tab - pos));
      pos = tab + 1;
    }
    f.push_back(line.substr(std::min(pos, line.size())));
    if (f.size() < 5) continue;
    if (!patterns.empty() && std::none_of(patterns.begin(), patterns.end(), [&](const auto& p) {
          return fnmatch(p.c_str(), f[0].c_str(), 0) == 0;
        }))
      continue;
    Remote r;
    r.kv["state"] = f[1];
    r.kv["pid"] = f[2];
    auto [active, sub] = ActiveSub(r);
    bool inactive_entry = f[1] == "inactive";
    if (inactive_entry) {
      if (!all_) continue;
      rows.push_back({f[0], "not-run", "inactive", "dead", f[4]});
      continue;
    }
    if (!all_ && active == "inactive" && f[3] != "1") continue;
    rows.push_back({f[0], "loaded", active, sub, f[4]});
  }
  size_t w = 4;
  for (const auto& r : rows) w = std::max(w, r.unit.size());
  auto pad = [](const std::string& t, size_t n) {
    return t + std::string(n > t.size() ? n - t.size() : 0, ' ');
  };
  out_ << "  " << pad("UNIT", w) << " " << pad("LOAD", 7) << " " << pad("ACTIVE", 12) << " "
       << pad("SUB", 7) << " DESCRIPTION\n";
  for (const auto& r : rows)
    out_ << (r.active == "failed" ? "\u25cf " : "  ") << pad(r.unit, w) << " " << pad(r.load, 7)
         << " " << pad(r.active, 12) << " " << pad(r.sub, 7) << " " << r.desc << "\n";
  out_ << "\nLOAD   = Reflects whether the unit definition was properly loaded.\n"
       << "ACTIVE = The high-level unit activation state, i.e. generalization of SUB.\n"
       << "SUB    = The low-level unit activation state, values depend on unit type.\n"
       << rows.size() << " loaded units listed.\n";
  return 0;
}

int Ctl::Level(const std::string& verb) {
  std::vector<std::string> words;
  if (verb == "halt") words = {"runlevel", "0", "halt=HALT"};
  if (verb == "poweroff") words = {"runlevel", "0", "halt=POWEROFF"};
  if (verb == "reboot") words = {"runlevel", "6"};
  control::Reply rep = Call(words);
  if (rep.code != 0) {
    err_ << "Failed to " << verb << ": " << rep.text << "\n";
    return 1;
  }
  return 0;
}

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

int Ctl::CreateLink(const std::string& path, const std::string& target, const char* verb) {
  std::string host = H(path);
  if (IsSymlink(host)) {
    auto t = ReadLink(host);
    if (t && *t == target) return 0;
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
    Install in = InstallOf(tmpl);
    if (in.default_instance.empty()) {
      std::string dest = !in.wanted_by.empty()     ? in.wanted_by[0]
                         : !in.required_by.empty() ? in.required_by[0]
                                                   : "";
      if (dest.empty()) {
        err_ << kNoInstall;
        return 0;
      }
      err_ << "Failed to enable " << requested << ", destination unit " << dest
           << " is a non-template unit.\n";
      return 1;
    }
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
  for (const auto& alias : in.alias)
    rc |= CreateLink(std::string(kConfigDir) + "/" + alias, target, "enable");
  for (const auto& t : in.wanted_by)
    rc |= CreateLink(std::string(kConfigDir) + "/" + t + ".wants/" + u.id, target, "enable");
  for (const auto& t : in.required_by)
    rc |= CreateLink(std::string(kConfigDir) + "/" + t + ".requires/" + u.id, target, "enable");
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
  std::string file_name = BaseName(u.fragment_path);
  Install in;
  if (u.state == LoadState::kLoaded) {
    in = InstallOf(u);
    if (!parsed->IsTemplate()) names.insert(u.id);
    for (const auto& a : in.alias) names.insert(a);
  }
  auto matches = [&](const std::string& entry, const std::string& link) {
    auto t = ReadLink(link);
    if (!t || *t == "/dev/null") return false;
    if (names.count(entry)) return true;
    return parsed->IsTemplate() && BaseName(*t) == requested;  // every instance
  };
  std::vector<std::string> removed;
  std::string dir = kConfigDir;
  for (const auto& e : ListDir(H(dir)))
    if (IsSymlink(H(dir + "/" + e)) && matches(e, H(dir + "/" + e)))
      removed.push_back(dir + "/" + e);
  for (const auto& sub : ListDir(H(dir))) {
    if (!sub.ends_with(".wants") && !sub.ends_with(".requires")) continue;
    std::string d = dir + "/" + sub;
    for (const auto& e : ListDir(H(d)))
      if (IsSymlink(H(d + "/" + e)) && matches(e, H(d + "/" + e))) removed.push_back(d + "/" + e);
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
    auto t = ReadLink(H(p));
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
      if (IsSymlink(H(std::string(dir) + "/" + a))) linked = true;
    for (const auto& sub : ListDir(H(dir))) {
      if (!sub.ends_with(".wants") && !sub.ends_with(".requires")) continue;
      for (const auto& e : ListDir(H(std::string(dir) + "/" + sub))) {
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
    for (const auto& e : ListDir(H(dir))) {
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
    bool preset = s == "enabled" || s == "disabled" || s == "indirect";
    out_ << pad(n, w1) << " " << pad(s, w2) << " " << (preset ? "enabled" : "-") << "\n";
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
      ReadFile(H(p), &text);
      if (!first) out_ << "\n";
      first = false;
      out_ << "# " << p << "\n" << text;
      if (!text.empty() && text.back() != '\n') out_ << "\n";
    }
  }
  return rc;
}

std::string Ctl::Property(const LoadedUnit& u, const std::string& p) {
  auto last = [&](const char* s, const char* k, std::string dflt) {
    const Assignment* a = u.file.Last(s, k);
    return a && !a->value.empty() ? a->value : dflt;
  };
  auto joined = [&](const char* s, const char* k) {
    std::string out;
    for (const Assignment* a : u.file.List(s, k)) out += (out.empty() ? "" : " ") + a->value;
    return out;
  };
  auto span = [&](std::initializer_list<const char*> keys, Usec dflt) {
    Usec v = dflt;
    for (const auto& a : u.file.assignments())
      for (const char* k : keys)
        if (a.section == "Service" && a.key == k && !a.value.empty())
          if (auto t = ParseTimeSpan(a.value)) v = *t == 0 ? kUsecInfinity : *t;
    return FormatTimeSpan(v);
  };
  bool oneshot = last("Service", "Type", "") == "oneshot";
  if (p == "Id") return u.id;
  if (p == "Names") {
    std::string out;
    for (const auto& n : u.names) out += (out.empty() ? "" : " ") + n;
    return out;
  }
  if (p == "Description") return last("Unit", "Description", u.id);
  if (p == "LoadState")
    return u.state == LoadState::kLoaded   ? "loaded"
           : u.state == LoadState::kMasked ? "masked"
           : u.state == LoadState::kError  ? "bad-setting"
                                           : "not-found";
  if (p == "UnitFileState") return State(u.requested) == "alias" ? State(u.id) : State(u.requested);
  if (p == "FragmentPath") return u.fragment_path;
  if (p == "DropInPaths") {
    std::string out;
    for (const auto& d : u.dropin_paths) out += (out.empty() ? "" : " ") + d;
    return out;
  }
  if (p == "ActiveState") return "inactive";
  if (p == "SubState") return "dead";
  if (p == "Type") return last("Service", "Type", "simple");
  if (p == "Restart") return last("Service", "Restart", "no");
  if (p == "User" || p == "Group" || p == "PIDFile" || p == "KillMode" || p == "ExecStart") {
    std::string dflt = p == "KillMode" ? "control-group" : "";
    if (p == "ExecStart") return joined("Service", "ExecStart");
    return last("Service", p.c_str(), dflt);
  }
  if (p == "KillSignal") {
    auto s = ParseSignal(last("Service", "KillSignal", "TERM"));
    return std::to_string(s ? *s : 15);
  }
  if (p == "TimeoutStartUSec")
    return span({"TimeoutSec", "TimeoutStartSec"}, oneshot ? kUsecInfinity : 90 * kUsecPerSec);
  if (p == "TimeoutStopUSec") return span({"TimeoutSec", "TimeoutStopSec"}, 90 * kUsecPerSec);
  if (p == "RestartUSec") {
    auto t = ParseTimeSpan(last("Service", "RestartSec", "100ms"));
    return FormatTimeSpan(t ? *t : 100 * kUsecPerMsec);
  }
  if (p == "WantedBy" || p == "RequiredBy") return joined("Install", p.c_str());
  for (const char* k : {"After", "Before", "Wants", "Requires"})
    if (p == k) return joined("Unit", k);
  return "";
}

int Ctl::Show(const std::vector<std::string>& names) {
  static const char* kAll[] = {
      "Id",      "Names",       "Description",      "LoadState",       "ActiveState", "SubState",
      "MainPID", "StatusText",  "UnitFileState",    "FragmentPath",    "DropInPaths", "Type",
      "Restart", "RestartUSec", "TimeoutStartUSec", "TimeoutStopUSec", "ExecStart",   "User",
      "Group",   "PIDFile",     "KillMode",         "KillSignal",      "Wants",       "Requires",
      "After",   "Before",      "WantedBy",         "RequiredBy"};
  std::vector<std::string> props = properties_;
  if (props.empty()) props.assign(std::begin(kAll), std::end(kAll));
  UnitLoader loader = Loader();
  bool first = true;
  for (const auto& n : names) {
    LoadedUnit u = loader.Load(n);
    if (!first) out_ << "\n";
    first = false;
    Remote r;
    if (Online()) r = StatusOf(WithType(n));
    for (const auto& p : props) {
      std::string v = Property(u, p);
      if (Online() && r.code >= 0 && r.code != 4) {  // what ctinit knows of it now
        auto [active, sub] = ActiveSub(r);
        if (p == "ActiveState") v = active;
        if (p == "SubState") v = sub;
        if (p == "MainPID") v = active == "active" ? r.Get("pid") : "0";
        if (p == "StatusText") v = r.Get("text");
      }
      if (value_only_)
        out_ << v << "\n";
      else
        out_ << p << "=" << v << "\n";
    }
  }
  return 0;
}

int Ctl::Run(const std::vector<std::string>& args) {
  std::vector<std::string> pos;
  bool now = false, options_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (options_done || a.empty() || a[0] != '-') {
      pos.push_back(a);
    } else if (a == "--") {
      options_done = true;
    } else if (a.starts_with("--root=")) {
      root_ = a.substr(7);
      while (!root_.empty() && root_.back() == '/') root_.pop_back();
    } else if (a == "--root" && i + 1 < args.size()) {
      root_ = args[++i];
      while (!root_.empty() && root_.back() == '/') root_.pop_back();
    } else if (a == "-q" || a == "--quiet") {
      quiet_ = true;
    } else if (a == "-f" || a == "--force") {
      force_ = true;
    } else if (a == "--now") {
      now = true;
    } else if (a == "--value") {
      value_only_ = true;
    } else if ((a == "-p" || a == "--property") && i + 1 < args.size()) {
      std::string v = args[++i];
      for (size_t s = 0, c; s <= v.size(); s = c + 1) {
        c = std::min(v.find(',', s), v.size());
        if (c > s) properties_.push_back(v.substr(s, c - s));
      }
    } else if (a.starts_with("--property=") || (a.starts_with("-p") && a.size() > 2)) {
      std::string v = a.substr(a[1] == 'p' ? 2 : 11);
      for (size_t s = 0, c; s <= v.size(); s = c + 1) {
        c = std::min(v.find(',', s), v.size());
        if (c > s) properties_.push_back(v.substr(s, c - s));
      }
    } else if (a == "-a" || a == "--all") {
      all_ = true;
    } else if (a == "--no-pager" || a == "--no-reload" || a == "--system" || a == "--no-legend" ||
               a == "--full" || a == "-l" || a == "--no-ask-password" || a == "--no-block") {
      // nothing to do
    } else {
      err_ << "systemctl: unrecognized option '" << a << "'\n";
      return 1;
    }
  }
  if (pos.empty()) pos.push_back(Online() ? "list-units" : "");
  if (pos[0].empty()) {
    err_ << "systemctl: offline, a verb is needed (enable, disable, mask, unmask, is-enabled, "
            "list-unit-files, cat, show)\n";
    return 1;
  }
  std::string verb = pos[0];
  std::vector<std::string> units(pos.begin() + 1, pos.end());
  auto need_units = [&]() {
    if (!units.empty()) return true;
    err_ << "Too few arguments.\n";
    return false;
  };
  int rc = 0;
  if (Online()) {
    static const std::set<std::string> kJobs = {"start",       "stop",   "restart",
                                                "try-restart", "reload", "reload-or-restart"};
    if (kJobs.count(verb)) return need_units() ? Job(verb, units) : 1;
    if (verb == "is-active") return need_units() ? IsActive(units, false) : 1;
    if (verb == "is-failed") return need_units() ? IsActive(units, true) : 1;
    if (verb == "status") return need_units() ? Status(units) : Status({"multi-user.target"});
    if (verb == "list-units") return ListUnits(units);
    if (verb == "halt" || verb == "poweroff" || verb == "reboot") return Level(verb);
    if (verb == "exit") {
      control::Reply rep = Call({"exit", units.empty() ? "0" : units[0]});
      if (rep.code != 0) err_ << "Failed to exit: " << rep.text << "\n";
      return rep.code == 0 ? 0 : 1;
    }
    if (verb == "daemon-reload" || verb == "daemon-reexec") {
      control::Reply rep = Call({"daemon-reload"}, std::chrono::seconds(90));
      if (rep.code != 0) err_ << "Failed to reload daemon: " << rep.text << "\n";
      return rep.code == 0 ? 0 : 1;
    }
  }
  if (verb == "enable" || verb == "reenable") {
    if (!need_units()) return 1;
    std::set<std::string> seen;
    if (verb == "reenable")
      for (const auto& u : units) rc |= Disable(u, &seen);
    seen.clear();
    for (const auto& u : units) rc |= Enable(u, &seen);
  } else if (verb == "disable") {
    if (!need_units()) return 1;
    std::set<std::string> seen;
    for (const auto& u : units) rc |= Disable(u, &seen);
  } else if (verb == "mask") {
    if (!need_units()) return 1;
    for (const auto& u : units) rc |= Mask(u);
  } else if (verb == "unmask") {
    if (!need_units()) return 1;
    for (const auto& u : units) rc |= Unmask(u);
  } else if (verb == "is-enabled") {
    if (!need_units()) return 1;
    return IsEnabled(units);
  } else if (verb == "list-unit-files") {
    return ListUnitFiles(units);
  } else if (verb == "cat") {
    if (!need_units()) return 1;
    return Cat(units);
  } else if (verb == "show") {
    if (!need_units()) return 1;
    return Show(units);
  } else if (verb == "daemon-reload") {
    return 0;
  } else if (verb == "halt" || verb == "poweroff" || verb == "reboot") {
    err_ << "System has not been booted with ctinit as init system (PID 1). Can't operate.\n";
    return 1;
  } else {
    err_ << "System has not been booted with ctinit as init system (PID 1). Can't operate.\n"
         << "\"" << verb << "\" needs a running init; offline only enable, disable, mask, unmask, "
         << "is-enabled, list-unit-files, cat and show work.\n";
    return 1;
  }
  if (now && rc == 0 &&
      (verb == "enable" || verb == "reenable" || verb == "disable" || verb == "mask")) {
    if (!Online()) {
      err_ << "systemctl: --now: no init is running, nothing was started or stopped.\n";
    } else {
      // ctinit learns of the new links first, then the units are started or stopped.
      Call({"daemon-reload"}, std::chrono::seconds(90));
      rc = Job(verb == "disable" || verb == "mask" ? "stop" : "start", units);
    }
  }
  return rc;
}

}  // namespace

int Systemctl(const std::vector<std::string>& args, const std::string& root, std::ostream& out,
              std::ostream& err, ControlCall call) noexcept {
  try {
    Ctl ctl(root, out, err, std::move(call));
    return ctl.Run(args);
  } catch (const std::exception& e) {
    try {
      err << "systemctl: " << e.what() << "\n";
    } catch (...) {
    }
  } catch (...) {
  }
  return 1;
}

int SystemctlMain(int argc, char** argv, const std::string& root) {
  std::vector<std::string> args;
  bool other_root = false;
  for (int i = 1; i < argc; ++i) {
    args.emplace_back(argv[i]);
    other_root |= args.back().starts_with("--root");
  }
  ControlCall call;
  if (!other_root && (root.empty() || root == "/") && ::access(control::kSocketPath, F_OK) == 0 &&
      control::Call({"list"}, std::chrono::seconds(2)).code == 0) {
    call = [](const std::vector<std::string>& words, std::chrono::milliseconds timeout) {
      return control::Call(words, timeout);
    };
  }
  return Systemctl(args, root, std::cout, std::cerr, std::move(call));
}

}  // namespace ctinit::units
