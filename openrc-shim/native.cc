#include "openrc-shim/native.h"

#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include "init/base/files.h"
#include "openrc-shim/depend.h"
#include "openrc-shim/graph.h"
#include "openrc-shim/lsb_header.h"
#include "openrc-shim/rc_sys.h"

namespace ctinit::openrc {

namespace fs = std::filesystem;

namespace {

using files::Under;

bool HasKeyword(const OpenrcDeps& d, const std::string& a, const std::string& b) {
  return std::any_of(d.keywords.begin(), d.keywords.end(),
                     [&](const std::string& k) { return k == a || k == b; });
}

void StackInto(const std::string& root, const std::string& name, std::set<std::string>* seen,
               std::set<std::string>* out, std::vector<Diagnostic>* diags) {
  if (!seen->insert(name).second) {
    diags->push_back({"/etc/runlevels/" + name, 0, "runlevel stack loop at \"" + name + "\"; cut"});
    return;
  }
  std::error_code ec;
  fs::path dir = Under(root, "/etc/runlevels/" + name);
  if (!fs::is_directory(dir, ec)) return;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string entry = e.path().filename().string();
    if (entry.empty() || entry[0] == '.') continue;
    std::error_code ec2;
    // A stacked runlevel: a directory entry (usually a symlink ../<level>).
    if (fs::is_directory(e.path(), ec2)) {
      StackInto(root, entry, seen, out, diags);
    } else {
      out->insert(entry);
    }
  }
}

}  // namespace

std::map<char, std::string> LevelMap(const std::map<char, std::string>& overrides) {
  std::map<char, std::string> m = {{'S', "single"},   {'1', "single"},  {'2', "nonetwork"},
                                   {'3', "default"},  {'4', "default"}, {'5', "default"},
                                   {'7', "default"},  {'8', "default"}, {'9', "default"},
                                   {'0', "shutdown"}, {'6', "reboot"}};
  for (const auto& [k, v] : overrides) m[k] = v;
  return m;
}

std::vector<std::string> RunlevelServices(const std::string& root, const std::string& name,
                                          std::vector<Diagnostic>* diags) {
  std::set<std::string> seen, out;
  StackInto(root, name == "reboot" ? "shutdown" : name, &seen, &out, diags);
  return {out.begin(), out.end()};
}

std::string FindImageTool(const std::string& root, const std::string& name,
                          const std::string& self_exe) {
  for (const char* dir : {"/sbin/", "/usr/sbin/", "/usr/bin/", "/bin/"}) {
    std::error_code ec;
    std::string p = dir + name;
    fs::path full = Under(root, p);
    if (!fs::exists(full, ec)) continue;
    // ctinit's own applet link (or hard link) is not OpenRC.
    std::error_code ec2;
    if (!self_exe.empty() && fs::equivalent(full, self_exe, ec2)) return "";
    return p;
  }
  return "";
}

std::string FindOpenrcRun(const std::string& root, const std::string& self_exe) {
  return FindImageTool(root, "openrc-run", self_exe);
}

bool UseNative(const std::string& root, const std::string& mode, const std::string& inittab) {
  if (mode == "native") return true;
  if (mode != "auto") return false;
  std::error_code ec;
  if (fs::exists(Under(root, inittab), ec)) return false;
  return fs::is_directory(Under(root, "/etc/runlevels"), ec);
}

namespace {

// LoadNative's steps, in order; each fills the members the later ones read.
class NativeLoader {
 public:
  NativeLoader(const NativeOptions& o, ScriptRunner& runner, ServiceSet* set)
      : o_(o), runner_(runner), set_(*set), levels_(LevelMap(o.levels)) {}

  void Run() {
    FindScripts();
    ReadRunlevels();
    ReadDependTree();
    BuildGraphs();
    ReportMaskedAndBroken();
    AddSpecs();
    AddDeptreeTask();
    // The default level: rc_default_runlevel is not read here (rc.conf is shell); "default".
    for (char c : std::string("3245789")) {
      if (levels_.count(c) && levels_[c] == "default") {
        set_.default_level = c;
        break;
      }
    }
  }

 private:
  // 1. The scripts (name -> path inside the image; the first directory wins).
  void FindScripts() {
    for (const char* dir : {"/etc/init.d", "/usr/local/etc/init.d"}) {
      std::error_code ec;
      for (const auto& e : fs::directory_iterator(Under(o_.root, dir), ec)) {
        std::string name = e.path().filename().string();
        if (name.empty() || name[0] == '.' || scripts_.count(name)) continue;
        scripts_[name] = std::string(dir) + "/" + name;
      }
    }
  }

  // 2. The runlevels in use and their services.
  void ReadRunlevels() {
    names_ = {"sysinit", "boot"};
    for (const auto& [lvl, name] : levels_) names_.insert(name);
    for (const auto& n : names_) {
      members_[n] = RunlevelServices(o_.root, n, &set_.diagnostics);
      wanted_.insert(members_[n].begin(), members_[n].end());
    }
  }

  // 3. depend() of every OpenRC script (the whole tree: need/want may pull in any of them).
  void ReadDependTree() {
    DependOptions dopt;
    dopt.root = o_.root;
    dopt.rc_sys = o_.rc_sys;
    for (const auto& [name, path] : scripts_) {
      // Read once here (never a FIFO: PID 1 reads it); ExtractDepends runs only OpenRC ones.
      std::string full = Under(o_.root, path), text;
      bool script = IsExecutableFile(full) && ReadInitScript(full, &text);
      if (!script || !IsOpenrcShebang(FirstLineOf(text))) {
        AddPlainScript(name, path, script ? &text : nullptr);
        continue;
      }
      auto r = ExtractDepends(name, full, dopt, runner_);
      for (auto& d : r.diagnostics) {
        d.file = path;
        set_.diagnostics.push_back(std::move(d));
      }
      if (r.loaded) {
        tree_[name] = std::move(r.deps);
      } else if (wanted_.count(name)) {
        set_.inactive.emplace_back(name, "skipped: its depend() could not be read (" + path + ")");
      }
    }
    for (const auto& name : wanted_) {
      if (scripts_.count(name)) continue;
      set_.diagnostics.push_back({"/etc/runlevels", 0,
                                  "\"" + name + "\" is in a runlevel but /etc/init.d/" + name +
                                      " does not exist; skipped"});
      set_.inactive.emplace_back(name, "skipped: /etc/init.d/" + name + " does not exist");
    }
  }

  static bool IsExecutableFile(const std::string& full) {
    struct stat st {};
    return ::stat(full.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111);
  }

  // A plain /etc/init.d script (not openrc-run). As Debian's OpenRC (gendepends.sh with
  // lsb2rcconf) does: one with an LSB header joins the tree with the header's dependencies
  // (lsb_header.h) and is run with `start` / `stop`; one without is not a service at all, which
  // matters only when a runlevel lists it (one line, skipped).
  // `text`: the script's, when it is an executable file.
  void AddPlainScript(const std::string& name, const std::string& path, const std::string* text) {
    bool readable = text && name.find(".dpkg") == std::string::npos;
    if (readable && HasLsbHeader(*text)) {
      tree_[name] = LsbHeaderDeps(name, *text, Facilities());
      plain_scripts_.insert(name);
      return;
    }
    if (!wanted_.count(name)) return;
    std::string why = readable ? "neither an OpenRC script nor one with an LSB header"
                               : "not an executable script";
    set_.diagnostics.push_back(
        {path, 1, "\"" + name + "\" is in a runlevel but is " + why + "; skipped"});
    set_.inactive.emplace_back(name, "skipped: " + why + " (" + path + ")");
  }

  // The LSB facilities: the image's insserv.conf (+ insserv.conf.d), else OpenRC's names.
  const LsbFacilities& Facilities() {
    if (facilities_) return *facilities_;
    LsbFacilities f;
    std::string text;
    bool found = false;
    if (files::ReadFile(Under(o_.root, "/etc/insserv.conf"), &text)) {
      ParseInsservConf(text, &f);
      found = true;
    }
    std::error_code ec;
    std::vector<fs::path> extra;
    for (const auto& e : fs::directory_iterator(Under(o_.root, "/etc/insserv.conf.d"), ec))
      extra.push_back(e.path());
    std::sort(extra.begin(), extra.end());
    for (const auto& file : extra) {
      if (files::ReadFile(file.string(), &text)) {
        ParseInsservConf(text, &f);
        found = true;
      }
    }
    facilities_ = found ? std::move(f) : DefaultLsbFacilities();
    return *facilities_;
  }

  // 4. One graph per runlevel; their diagnostics once each.
  void BuildGraphs() {
    for (const auto& n : names_) {
      GraphInput in;
      in.services = tree_;
      in.start = members_[n];
      in.rc_sys = o_.rc_sys;
      in.strict_need = o_.strict_need;
      Graph& g = graphs_[n] = BuildGraph(in);
      masked_.insert(g.masked.begin(), g.masked.end());
      broken_.insert(g.broken.begin(), g.broken.end());
      for (auto& d : g.diagnostics) {
        bool dup = std::any_of(set_.diagnostics.begin(), set_.diagnostics.end(),
                               [&](const Diagnostic& x) { return x.message == d.message; });
        // A runlevel entry that is no service was reported above, with its reason.
        bool said = std::any_of(set_.inactive.begin(), set_.inactive.end(), [&](const auto& i) {
          return d.message.rfind("runlevel names \"" + i.first + "\",", 0) == 0;
        });
        if (!dup && !said) set_.diagnostics.push_back(d);
      }
    }
  }

  void ReportMaskedAndBroken() {
    const std::string mask = MaskKeyword(o_.rc_sys);
    for (const auto& m : masked_) {
      set_.diagnostics.push_back(
          {scripts_.count(m) ? scripts_[m] : m, 0,
           "\"" + m + "\" is masked for " + o_.rc_sys + " (keyword " + mask + "); not started"});
      set_.inactive.emplace_back(m, "masked: keyword " + mask);
    }
    for (const auto& b : broken_) {
      if (masked_.count(b)) continue;
      set_.inactive.emplace_back(b, "broken: a need is missing (openrc.strict_need)");
    }
  }

  std::set<std::string> StartedIn(const std::string& runlevel) {
    std::set<std::string> out;
    for (const auto& wave : graphs_[runlevel].start_waves) out.insert(wave.begin(), wave.end());
    return out;
  }

  // 5. The specs, in a stable order: sysinit, boot, then by name.
  void AddSpecs() {
    sysinit_ = StartedIn("sysinit");
    boot_ = StartedIn("boot");
    openrc_run_ = FindOpenrcRun(o_.root, o_.self_exe);
    script_env_ = OpenrcScriptEnv(o_.root, o_.rc_sys, o_.environ);
    std::vector<std::string> order;
    for (const auto& wave : graphs_["sysinit"].start_waves)
      order.insert(order.end(), wave.begin(), wave.end());
    for (const auto& wave : graphs_["boot"].start_waves)
      for (const auto& s : wave)
        if (!sysinit_.count(s)) order.push_back(s);
    std::set<std::string> in_levels;
    for (const auto& [lvl, name] : levels_) {
      auto s = StartedIn(name);
      in_levels.insert(s.begin(), s.end());
    }
    for (const auto& s : in_levels)
      if (!sysinit_.count(s) && !boot_.count(s)) order.push_back(s);
    for (const auto& name : order) set_.services.push_back(ScriptSpec(name));
  }

  Command ScriptCommand(const std::string& name, const char* verb) {
    Command c;
    if (plain_scripts_.count(name)) {
      // The script itself, through the lsb-run applet that records OpenRC's state for it.
      if (o_.self_exe.empty()) {
        c.argv = {scripts_[name], verb};
      } else {
        c.path = o_.self_exe;
        c.argv = {"lsb-run", scripts_[name], verb};
      }
      c.text = scripts_[name] + " " + verb;
      return c;
    }
    if (openrc_run_.empty()) {
      c.path = o_.self_exe;
      c.argv = {"openrc-run", scripts_[name], verb};
    } else {
      c.argv = {openrc_run_, scripts_[name], verb};
    }
    c.text = "openrc-run " + scripts_[name] + " " + verb;
    return c;
  }

  // The numeric levels `name` is kept in: sysinit services in all but shutdown/reboot, boot
  // services also not in single, the others where their runlevel starts them.
  std::string NumericLevels(const std::string& name, bool is_sysinit, bool is_boot) {
    std::string out;
    for (const auto& [lvl, rl] : levels_) {
      bool keep;
      if (is_sysinit) {
        keep = rl != "shutdown" && rl != "reboot";
      } else if (is_boot) {
        keep = rl != "shutdown" && rl != "reboot" && rl != "single";
      } else {
        keep = StartedIn(rl).count(name) > 0;
      }
      if (is_sysinit || is_boot) keep = keep || StartedIn(rl).count(name) > 0;
      if (keep) out += lvl;
    }
    return out;
  }

  ServiceSpec ScriptSpec(const std::string& name) {
    ServiceSpec spec;
    spec.name = name;
    spec.origin = scripts_[name];
    spec.kind = Kind::kScripted;
    spec.utmp = false;
    spec.action_label = "openrc";
    spec.command = ScriptCommand(name, "start");
    spec.stop = {ScriptCommand(name, "stop")};
    // OpenRC bounds no stop script; the level's kill_wait (0 when openrc-shutdown asked) must
    // not cut them short. The shutdown budget still caps every wait.
    spec.stop_timeout = kStopTimeout;
    spec.process.env = script_env_.set;
    spec.process.unset_env = script_env_.unset;
    bool is_sysinit = sysinit_.count(name) > 0, is_boot = !is_sysinit && boot_.count(name) > 0;
    spec.trigger = is_sysinit ? Trigger::kSysInit : is_boot ? Trigger::kBoot : Trigger::kRunlevel;
    spec.levels = NumericLevels(name, is_sysinit, is_boot);
    std::set<std::string> after;
    for (auto& [rl, g] : graphs_) {
      auto it = g.start_after.find(name);
      if (it != g.start_after.end()) after.insert(it->second.begin(), it->second.end());
    }
    AfterPreviousInShutdown(name, &after);
    spec.after.assign(after.begin(), after.end());
    const auto& deps = tree_[name];
    for (const auto& n : deps.need)
      if (tree_.count(n) && !masked_.count(n)) spec.needs.push_back(n);
    spec.stop_on_level_change = !HasKeyword(deps, "-stop", "nostop");
    spec.stop_on_shutdown = !HasKeyword(deps, "-shutdown", "noshutdown");
    return spec;
  }

  // OpenRC starts a runlevel's scripts one after another (rc_parallel=NO, its default); ctinit
  // starts independent ones together, but not in the shutdown runlevel: there killprocs
  // (kill_all: killall5 -TERM) would terminate the scripts running beside it (savecache).
  // So each of its scripts starts after the one before it in OpenRC's order.
  void AfterPreviousInShutdown(const std::string& name, std::set<std::string>* after) {
    auto g = graphs_.find("shutdown");
    if (g == graphs_.end()) return;
    std::string previous;
    for (const auto& wave : g->second.start_waves) {
      for (const auto& s : wave) {
        if (s == name) {
          if (!previous.empty()) after->insert(previous);
          return;
        }
        previous = s;
      }
    }
  }

  // With the image's own OpenRC: its deptree cache once, before any script runs, as `openrc
  // sysinit` does; else the first openrc-run of each parallel start would regenerate it
  // (librc rewrites /run/openrc/deptree in place, so they could read each other's half).
  void AddDeptreeTask() {
    if (openrc_run_.empty()) return;
    std::string rc_update = FindImageTool(o_.root, "rc-update", o_.self_exe);
    if (rc_update.empty()) return;
    ServiceSpec t;
    t.name = kDeptreeTask;
    t.origin = rc_update + " -u (ctinit: OpenRC's dependency cache)";
    t.trigger = Trigger::kSysInit;
    t.kind = Kind::kTask;
    t.blocking = true;
    t.utmp = false;
    t.action_label = "openrc";
    t.report_states = false;
    t.start_timeout = std::chrono::seconds(30);
    t.command.argv = {rc_update, "-u"};
    t.command.text = rc_update + " -u";
    set_.services.insert(set_.services.begin(), std::move(t));
  }

  const NativeOptions& o_;
  ScriptRunner& runner_;
  ServiceSet& set_;
  std::map<char, std::string> levels_;
  std::map<std::string, std::string> scripts_;  // name -> path inside the image
  std::set<std::string> names_;                 // the runlevels in use
  std::map<std::string, std::vector<std::string>> members_;
  std::set<std::string> wanted_;         // in some runlevel
  std::set<std::string> plain_scripts_;  // LSB scripts (run with start / stop)
  std::optional<LsbFacilities> facilities_;
  std::map<std::string, OpenrcDeps> tree_;
  std::map<std::string, Graph> graphs_;
  std::set<std::string> masked_, broken_, sysinit_, boot_;
  std::string openrc_run_;
  ScriptEnvironment script_env_;
};

}  // namespace

ServiceSet LoadNative(const NativeOptions& o, ScriptRunner& runner) noexcept {
  ServiceSet set;
  try {
    NativeLoader(o, runner, &set).Run();
  } catch (const std::exception& e) {
    set.diagnostics.push_back({"/etc/runlevels", 0, std::string("cannot load: ") + e.what()});
  }
  return set;
}

std::string SoftlevelName(const std::string& runlevel) {
  return runlevel == "reboot" ? "shutdown" : runlevel;
}

bool GoingDown(const std::string& runlevel) {
  return runlevel == "shutdown" || runlevel == "reboot" || runlevel == "single";
}

std::vector<std::string> RunlevelEnv(const std::string& runlevel) {
  std::vector<std::string> env = {"RC_RUNLEVEL=" + SoftlevelName(runlevel)};
  if (GoingDown(runlevel)) env.push_back("RC_GOINGDOWN=YES");
  if (runlevel == "reboot") env.push_back("RC_REBOOT=YES");
  return env;
}

namespace {

// `NAME=value`, `NAME="value"`, `NAME='value'`, optionally after `export ` (the simple forms of
// rc.conf and /etc/profile.env lines; anything else is not a plain assignment).
std::optional<std::pair<std::string, std::string>> Assignment(std::string line) {
  size_t b = line.find_first_not_of(" \t");
  if (b == std::string::npos || line[b] == '#') return std::nullopt;
  line = line.substr(b);
  if (line.rfind("export ", 0) == 0) line = line.substr(7);
  size_t eq = line.find('=');
  if (eq == std::string::npos || eq == 0) return std::nullopt;
  std::string key = line.substr(0, eq), value = line.substr(eq + 1);
  for (char c : key)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return std::nullopt;
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t' || value.back() == '\r'))
    value.pop_back();
  if (value.size() >= 2 && (value[0] == '"' || value[0] == '\'') && value.back() == value[0])
    value = value.substr(1, value.size() - 2);
  return std::make_pair(key, value);
}

std::string FirstLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

}  // namespace

std::string ScriptPath(const std::string& path) noexcept {
  try {
    std::string out = kScriptPathPrefix;
    std::vector<std::string> seen;
    std::istringstream pre(kScriptPathPrefix);
    for (std::string d; std::getline(pre, d, ':');) seen.push_back(d);
    std::istringstream in(path);
    for (std::string d; std::getline(in, d, ':');) {
      if (d.empty() || std::find(seen.begin(), seen.end(), d) != seen.end()) continue;
      seen.push_back(d);
      out += ":" + d;
    }
    return out;
  } catch (...) {
  }
  return kScriptPathPrefix;
}

ScriptEnvironment OpenrcScriptEnv(const std::string& root, const std::string& rc_sys,
                                  const std::vector<std::string>& environ) {
  ScriptEnvironment out;
  // env_filter(): OpenRC's allow-list plus rc_env_allow from rc.conf ("*" = keep everything).
  std::set<std::string> allow = {"EERROR_QUIET", "EINFO_QUIET", "IN_BACKGROUND", "IN_DRYRUN",
                                 "IN_HOTPLUG",   "RC_DEBUG",    "RC_NODEPS",     "LANG",
                                 "LC_MESSAGES",  "TERM",        "EINFO_COLOR",   "EINFO_VERBOSE"};
  bool keep_all = false;
  {
    std::ifstream in(Under(root, "/etc/rc.conf"));
    for (std::string line; std::getline(in, line);) {
      auto a = Assignment(line);
      if (!a || a->first != "rc_env_allow") continue;
      std::istringstream words(a->second);
      for (std::string w; words >> w;) {
        if (w == "*") keep_all = true;
        allow.insert(w);
      }
    }
  }
  std::map<std::string, std::string> kept;
  std::vector<std::string> names;
  for (const auto& kv : environ) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos) continue;
    names.push_back(kv.substr(0, eq));
    if (keep_all || allow.count(names.back())) kept[names.back()] = kv.substr(eq + 1);
  }
  // What PID 1 adds for sysvinit's sake is not OpenRC's either.
  for (const char* n : {"SHELL", "RUNLEVEL", "PREVLEVEL", "CONSOLE", "INIT_VERSION"})
    names.push_back(n);
  if (!keep_all) {
    std::set<std::string> seen;
    for (const auto& n : names)
      if (!allow.count(n) && n.rfind("RC_", 0) != 0 && seen.insert(n).second)
        out.unset.push_back(n);
    // Then anything missing from /etc/profile.env.
    std::ifstream in(Under(root, "/etc/profile.env"));
    for (std::string line; std::getline(in, line);) {
      auto a = Assignment(line);
      if (a && !kept.count(a->first)) kept[a->first] = a->second;
    }
  }
  // env_config(): PATH prefixed with OpenRC's, and the fixed RC_* variables.
  std::string path = ScriptPath(kept.count("PATH") ? kept["PATH"] : "");
  kept.erase("PATH");
  for (const auto& [k, v] : kept)
    if (!allow.count(k) || keep_all) out.set.push_back(k + "=" + v);
  out.set.push_back("PATH=" + path);
  std::string version = FirstLine(Under(root, "/lib/rc/version"));
  if (!version.empty()) out.set.push_back("RC_VERSION=" + version);
  out.set.push_back("RC_LIBEXECDIR=/lib/rc");
  out.set.push_back("RC_SVCDIR=/run/openrc");
  out.set.push_back("RC_TMPDIR=/run/openrc/tmp");
  out.set.push_back("RC_BOOTLEVEL=boot");
  out.set.push_back("RC_DEFAULTLEVEL=default");
  if (!rc_sys.empty()) out.set.push_back("RC_SYS=" + rc_sys);
  utsname u{};
  out.set.push_back(std::string("RC_UNAME=") + (::uname(&u) == 0 ? u.sysname : "Linux"));
  return out;
}

void PrepareState(const std::string& root) noexcept {
  std::error_code ec;
  fs::path dir = Under(root, "/run/openrc");
  if (fs::is_directory(dir, ec)) {
    for (const auto& e : fs::directory_iterator(dir, ec)) fs::remove_all(e.path(), ec);
  }
  fs::create_directories(dir, ec);
  for (const char* sub : {"starting", "started", "stopping", "inactive", "wasinactive", "failed",
                          "hotplugged", "daemons", "options", "exclusive", "scheduled", "tmp"}) {
    fs::create_directories(dir / sub, ec);
  }
  ::chmod(dir.c_str(), 0755);
}

void SetSoftlevel(const std::string& root, const std::string& name, bool transition) noexcept {
  std::error_code ec;
  fs::path dir = Under(root, "/run/openrc");
  if (!fs::is_directory(dir, ec)) PrepareState(root);
  {
    // `openrc reboot` runs the shutdown runlevel: softlevel (and so RC_RUNLEVEL) says
    // "shutdown"; RC_REBOOT=YES comes from the environment (LevelEnv).
    std::ofstream out(dir / "softlevel.new", std::ios::trunc);
    out << SoftlevelName(name);
  }
  fs::rename(dir / "softlevel.new", dir / "softlevel", ec);
  bool down = GoingDown(name);
  if (transition) {
    fs::create_directories(dir / (down ? "rc.stopping" : "rc.starting"), ec);
    fs::create_directories(dir / "rc.starting", ec);
  } else {
    fs::remove_all(dir / "rc.starting", ec);
    fs::remove_all(dir / "rc.stopping", ec);
  }
}

}  // namespace ctinit::openrc
