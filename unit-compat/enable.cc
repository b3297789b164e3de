// Enablement: the units a boot starts and their runlevels (see enable.h).
#include "unit-compat/enable.h"

#include <dirent.h>
#include <fnmatch.h>

#include <algorithm>
#include <functional>

#include "init/base/files.h"
#include "unit-compat/values.h"

namespace ctinit::units {

namespace {

struct LevelRoot {
  char level;
  const char* target;
};
constexpr LevelRoot kLevels[] = {{'0', "poweroff.target"},   {'1', "rescue.target"},
                                 {'2', "multi-user.target"}, {'3', "multi-user.target"},
                                 {'4', "multi-user.target"}, {'5', "graphical.target"},
                                 {'6', "reboot.target"}};
constexpr std::string_view kLevelOrder = "0123456S";

// The special targets an image may lack (systemd 252's files, without documentation lines).
constexpr std::pair<std::string_view, std::string_view> kBuiltins[] = {
    {"graphical.target",
     "[Unit]\nDescription=Graphical Interface\nRequires=multi-user.target\n"
     "After=multi-user.target\n"},
    {"multi-user.target",
     "[Unit]\nDescription=Multi-User System\nRequires=basic.target\nAfter=basic.target\n"},
    {"basic.target",
     "[Unit]\nDescription=Basic System\nRequires=sysinit.target\n"
     "Wants=sockets.target timers.target paths.target slices.target\n"
     "After=sysinit.target sockets.target paths.target slices.target\n"},
    {"sysinit.target",
     "[Unit]\nDescription=System Initialization\nDefaultDependencies=no\n"
     "Wants=local-fs.target swap.target\nAfter=local-fs.target swap.target\n"},
    {"rescue.target",
     "[Unit]\nDescription=Rescue Mode\nRequires=sysinit.target rescue.service\n"
     "After=sysinit.target rescue.service\n"},
    {"poweroff.target", "[Unit]\nDescription=System Power Off\nDefaultDependencies=no\n"},
    {"reboot.target", "[Unit]\nDescription=Reboot\nDefaultDependencies=no\n"},
    {"local-fs.target", "[Unit]\nDescription=Local File Systems\nDefaultDependencies=no\n"},
    {"swap.target", "[Unit]\nDescription=Swaps\n"},
    {"sockets.target", "[Unit]\nDescription=Socket Units\n"},
    {"timers.target", "[Unit]\nDescription=Timer Units\nDefaultDependencies=no\n"},
    {"paths.target", "[Unit]\nDescription=Path Units\n"},
    {"slices.target", "[Unit]\nDescription=Slice Units\n"},
    // Targets packages order themselves against (LSB facilities, sysv_script.h). In a container
    // the runtime has set up the network, file systems and clock before ctinit starts: they
    // are reached at once.
    {"network-pre.target", "[Unit]\nDescription=Preparation for Network\n"},
    {"network.target", "[Unit]\nDescription=Network\nAfter=network-pre.target\n"},
    {"network-online.target", "[Unit]\nDescription=Network is Online\nAfter=network.target\n"},
    {"nss-lookup.target", "[Unit]\nDescription=Host and Network Name Lookups\n"},
    {"nss-user-lookup.target", "[Unit]\nDescription=User and Group Name Lookups\n"},
    {"remote-fs-pre.target", "[Unit]\nDescription=Preparation for Remote File Systems\n"},
    {"remote-fs.target",
     "[Unit]\nDescription=Remote File Systems\nDefaultDependencies=no\n"
     "After=remote-fs-pre.target\n"},
    {"local-fs-pre.target",
     "[Unit]\nDescription=Preparation for Local File Systems\nDefaultDependencies=no\n"},
    {"time-set.target", "[Unit]\nDescription=System Time Set\nDefaultDependencies=no\n"},
    {"time-sync.target",
     "[Unit]\nDescription=System Time Synchronized\nDefaultDependencies=no\n"
     "After=time-set.target\n"},
    {"rpcbind.target", "[Unit]\nDescription=RPC Port Mapper\n"},
    // systemd's syslog.socket listens on /run/systemd/journal/syslog, where journald forwards
    // what arrives on /dev/log. There is no journald here: the socket is /dev/log itself.
    // rsyslog (imuxsock) then finds /dev/log among the sockets passed to it and uses it
    // (/run/systemd/journal/syslog does not exist, so /dev/log is its system socket).
    {"syslog.socket",
     "[Unit]\nDescription=Syslog Socket\nDefaultDependencies=no\nBefore=sockets.target\n"
     "[Socket]\nListenDatagram=/dev/log\nSocketMode=0666\n"},
};

constexpr std::string_view kUnsupportedTypes[] = {"mount", "swap",      "device", "path",
                                                  "timer", "automount", "slice",  "scope"};

bool DefaultDependencies(const LoadedUnit& u) {
  const Assignment* a = u.file.Last("Unit", "DefaultDependencies");
  if (!a || a->value.empty()) return true;
  return ParseBoolean(a->value).value_or(true);
}

enum class Why { kSkipped, kUnsupported, kMissing };

class Walker {
 public:
  Walker(const std::string& root, const EnableOptions& opts, Enablement* out)
      : root_(root), opts_(opts), loader_(root, opts.search_path), out_(out) {
    while (!root_.empty() && root_.back() == '/') root_.pop_back();
    host_ = HostSpecifiers(root_.empty() ? "/" : root_);
  }

  void Run();

 private:
  struct Node {
    EnabledUnit unit;
    bool removed = false;
  };

  std::string Resolve(const UnitRef& ref);
  // Each leaves the unit out (with the reason) and returns true when it cannot be used.
  bool LeftOutByName(const UnitRef& ref, const std::optional<UnitName>& parsed);
  bool LeftOutByState(const UnitRef& ref, const LoadedUnit& u);
  static bool HasBuiltin(const std::string& name);
  static LoadedUnit BuiltinUnit(const std::string& name);
  void LeaveOut(const UnitRef& ref, const std::string& name, Why why, const std::string& msg);
  void AddDeps(Node& n);
  std::vector<std::string> Closure(const std::string& start);
  std::string LevelRootName(char level);
  void AssignLevels();
  void DiscoverTheRest();
  void DropUnitsRequiringMissing();
  // A required unit that was left out as missing, or removed for what it requires.
  bool CannotStart(const UnitRef& r);

  std::string root_;
  const EnableOptions& opts_;
  UnitLoader loader_;
  Enablement* out_;
  std::map<char, std::string> host_;
  std::map<std::string, std::string, std::less<>> alias_;  // requested name -> id ("": left out)
  std::map<std::string, Node, std::less<>> nodes_;
  std::vector<std::string> order_;
  std::map<std::string, Why> why_;
  bool quiet_ = false;
};

void Walker::LeaveOut(const UnitRef& ref, const std::string& name, Why why,
                      const std::string& msg) {
  alias_[ref.name] = "";
  if (why_.count(name)) return;
  why_[name] = why;
  out_->left_out[name] = msg;
  if (quiet_) return;  // nobody asked for it
  std::string file = ref.file.empty() ? name : ref.file;
  out_->diagnostics.push_back({file, ref.line, name + ": " + msg});
}

std::string Walker::Resolve(const UnitRef& ref) {
  if (auto it = alias_.find(ref.name); it != alias_.end()) return it->second;
  auto parsed = ParseUnitName(ref.name);
  if (LeftOutByName(ref, parsed)) return "";
  LoadedUnit u = loader_.Load(ref.name);
  bool builtin = false;
  if (u.state == LoadState::kNotFound && ref.name == "default.target") {
    std::string id = Resolve({"multi-user.target", ref.file, ref.line});
    alias_[ref.name] = id;
    return id;
  }
  if (u.state == LoadState::kNotFound && (parsed->type == "target" || HasBuiltin(ref.name))) {
    u = BuiltinUnit(ref.name);
    builtin = true;
  }
  if (!quiet_)
    for (const auto& d : u.diagnostics) out_->diagnostics.push_back(d.ToDiagnostic());
  if (LeftOutByState(ref, u)) return "";
  if (u.id != ref.name) {
    if (auto pat = MatchSkipList(u.id, opts_.skip)) {
      LeaveOut(ref, u.id, Why::kSkipped,
               "skipped: matches \"" + *pat + "\" in the skip list (not useful in a container)");
      alias_[ref.name] = "";
      return "";
    }
    if (auto it = nodes_.find(u.id); it != nodes_.end()) {
      alias_[ref.name] = u.id;
      return u.id;
    }
  }
  std::string id = u.id;
  alias_[ref.name] = id;
  alias_[id] = id;
  Node& n = nodes_[id];
  n.unit.name = id;
  n.unit.builtin = builtin;
  n.unit.unit = std::move(u);
  order_.push_back(id);
  AddDeps(n);
  return id;
}

bool Walker::LeftOutByName(const UnitRef& ref, const std::optional<UnitName>& parsed) {
  if (!parsed) {
    LeaveOut(ref, ref.name, Why::kMissing, "invalid unit name, not started");
    return true;
  }
  if (auto pat = MatchSkipList(ref.name, opts_.skip)) {
    LeaveOut(ref, ref.name, Why::kSkipped,
             "skipped: matches \"" + *pat + "\" in the skip list (not useful in a container)");
    return true;
  }
  for (auto t : kUnsupportedTypes)
    if (parsed->type == t) {
      LeaveOut(ref, ref.name, Why::kUnsupported,
               "skipped: ." + parsed->type + " units are not supported by ctinit");
      return true;
    }
  if (parsed->IsTemplate()) {
    LeaveOut(ref, ref.name, Why::kMissing,
             "a template cannot be started without an instance name, not started");
    return true;
  }
  return false;
}

bool Walker::LeftOutByState(const UnitRef& ref, const LoadedUnit& u) {
  const char* why = u.state == LoadState::kNotFound ? "unit not found, not started"
                    : u.state == LoadState::kMasked ? "unit is masked, not started"
                    : u.state != LoadState::kLoaded ? "unit failed to load, not started"
                                                    : nullptr;
  if (why) LeaveOut(ref, ref.name, Why::kMissing, why);
  return why != nullptr;
}

bool Walker::HasBuiltin(const std::string& name) {
  for (const auto& b : kBuiltins)
    if (b.first == name) return true;
  return false;
}

// A unit the image lacks (see enable.h): ctinit's built-in text, or an empty target.
LoadedUnit Walker::BuiltinUnit(const std::string& name) {
  LoadedUnit u;
  u.requested = u.id = name;
  u.names = {name};
  u.state = LoadState::kLoaded;
  auto type = ParseUnitName(name);
  for (const auto& [builtin_name, text] : kBuiltins)
    if (builtin_name == name) {
      std::vector<UnitDiagnostic> ignored;
      u.file.Parse(text, "<built-in " + name + ">", DefaultSchema(type ? type->type : "target"),
                   &ignored);
    }
  return u;
}

void Walker::AddDeps(Node& n) {
  const LoadedUnit& u = n.unit.unit;
  auto ctx = u.Specifiers(host_);
  auto from_file = [&](const char* key, auto add) {
    for (const Assignment* a : u.file.List("Unit", key)) {
      auto words = SplitWords(a->value, kExtractUnquote | kExtractRelax);
      if (!words) continue;
      for (const auto& w : *words) {
        std::string err;
        auto name = ExpandSpecifiers(w, ctx, &err);
        if (!name) {
          out_->diagnostics.push_back(
              {a->file, a->line, std::string("[Unit] ") + key + ": " + err + ", ignoring"});
          continue;
        }
        add(UnitRef{*name, a->file, a->line});
      }
    }
  };
  auto add_wants = [&](UnitRef r) { n.unit.wants.push_back(std::move(r)); };
  auto add_requires = [&](UnitRef r) { n.unit.required.push_back(std::move(r)); };
  from_file("Wants", add_wants);
  from_file("Requires", add_requires);
  from_file("BindsTo", add_requires);
  from_file("Requisite", [&](UnitRef r) { n.unit.requisite.push_back(r.name); });
  std::vector<std::string> dir_names = u.names;
  if (auto p = ParseUnitName(u.id); p && p->IsInstance()) dir_names.push_back(p->TemplateName());
  for (const auto& name : dir_names)
    for (const auto& dir : opts_.search_path)
      for (const char* kind : {".wants", ".requires"}) {
        std::string d = dir + "/" + name + kind;
        for (const auto& entry : files::ListDir(root_ + d)) {
          UnitRef r{entry, d + "/" + entry, 0};
          (kind[1] == 'w' ? n.unit.wants : n.unit.required).push_back(std::move(r));
        }
      }
  auto type = ParseUnitName(u.id);
  if (type && type->type == "service" && DefaultDependencies(u))
    n.unit.required.push_back({"sysinit.target", "", 0});  // implicit
}

std::vector<std::string> Walker::Closure(const std::string& start) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  std::vector<std::string> stack;
  auto push = [&](const std::string& id) {
    if (!id.empty() && seen.insert(id).second) {
      out.push_back(id);
      stack.push_back(id);
    }
  };
  push(start);
  while (!stack.empty()) {
    std::string id = stack.back();
    stack.pop_back();
    // Copies: Resolve() may insert into nodes_ (std::map keeps references valid, but be plain).
    std::vector<UnitRef> deps = nodes_[id].unit.wants;
    const auto& req = nodes_[id].unit.required;
    deps.insert(deps.end(), req.begin(), req.end());
    for (const auto& d : deps) push(Resolve(d));
  }
  return out;
}

std::string Walker::LevelRootName(char level) {
  std::string rl = std::string("runlevel") + level + ".target";
  if (loader_.Load(rl).state == LoadState::kLoaded) return rl;
  return RunlevelTarget(level);
}

void Walker::Run() {
  AssignLevels();
  for (const auto& id : Closure(Resolve({"sysinit.target", "", 0}))) nodes_[id].unit.sysinit = true;
  DiscoverTheRest();
  DropUnitsRequiringMissing();
  for (const auto& id : order_) {
    Node& n = nodes_[id];
    if (n.removed) continue;
    std::string sorted;
    for (char c : kLevelOrder)
      if (n.unit.levels.find(c) != std::string::npos) sorted += c;
    n.unit.levels = sorted;
    out_->units.push_back(std::move(n.unit));
  }
}

// Each level's target's closure gets that level; the default target's level is the default.
void Walker::AssignLevels() {
  std::string def = Resolve({"default.target", "", 0});
  out_->default_target = def;
  std::map<char, std::vector<std::string>> closures;
  if (!def.empty()) Closure(def);  // discovery order starts with the default target
  std::map<char, std::string> level_root;
  for (const auto& lr : kLevels) {
    std::string root = Resolve({LevelRootName(lr.level), "", 0});
    if (root.empty()) continue;
    level_root[lr.level] = root;
    closures[lr.level] = Closure(root);
  }
  if (!def.empty()) {
    for (char pref : std::string_view("3512406"))
      if (level_root.count(pref) && level_root[pref] == def) {
        out_->default_level = pref;
        break;
      }
    if (!out_->default_level) {  // a custom default target: a root for levels 2-5
      auto c = Closure(def);
      for (char l : std::string_view("2345"))
        closures[l].insert(closures[l].end(), c.begin(), c.end());
      out_->default_level = '3';
    }
  }
  if (closures.count('1')) closures['S'] = closures['1'];
  for (auto& [level, ids] : closures)
    for (const auto& id : ids) {
      auto& lv = nodes_[id].unit.levels;
      if (lv.find(level) == std::string::npos) lv += level;
    }
}

// Every other unit file is known too, started only on request (systemctl start, a socket),
// without levels. Problems with units nobody asked for are not reported.
void Walker::DiscoverTheRest() {
  quiet_ = true;
  for (const auto& dir : opts_.search_path)
    for (const auto& entry : files::ListDir(root_ + dir)) {
      auto parsed = ParseUnitName(entry);
      if (!parsed || parsed->IsTemplate() || alias_.count(entry)) continue;
      if (parsed->type != "service" && parsed->type != "socket" && parsed->type != "target")
        continue;
      Closure(Resolve({entry, dir + "/" + entry, 0}));
    }
  quiet_ = false;
}

// A unit requiring a unit that cannot be started cannot start either (transitively).
void Walker::DropUnitsRequiringMissing() {
  for (bool changed = true; changed;) {
    changed = false;
    for (const auto& id : order_) {
      Node& n = nodes_[id];
      if (n.removed) continue;
      for (const auto& r : n.unit.required) {
        if (!CannotStart(r)) continue;
        n.removed = true;
        changed = true;
        why_[id] = Why::kMissing;
        out_->left_out[id] = "requires " + r.name + ", which cannot be started";
        out_->diagnostics.push_back(
            {r.file.empty() ? id : r.file, r.line,
             id + ": not started: it requires " + r.name + ", which cannot be started"});
        break;
      }
    }
  }
}

bool Walker::CannotStart(const UnitRef& r) {
  auto a = alias_.find(r.name);
  std::string target = a != alias_.end() ? a->second : r.name;
  if (target.empty()) {
    auto w = why_.find(r.name);
    return w != why_.end() && w->second == Why::kMissing;
  }
  auto t = nodes_.find(target);
  return t != nodes_.end() && t->second.removed;
}

}  // namespace

std::string RunlevelTarget(char level) {
  if (level == 'S' || level == 's') return "rescue.target";
  for (const auto& lr : kLevels)
    if (lr.level == level) return lr.target;
  return "";
}

std::string TargetRunlevels(std::string_view target) {
  std::string out;
  for (const auto& lr : kLevels)
    if (target == lr.target) out += lr.level;
  if (target == "rescue.target") out += 'S';
  return out;
}

std::vector<std::string> DefaultSkipList() {
  return {"systemd-*",
          "udev*",
          "dbus-org.freedesktop.*",
          "getty@*",
          "serial-getty@*",
          "container-getty@*",
          "console-getty.service",
          "autovt@*",
          "getty-static.service",
          "rescue.service",
          "emergency.service",
          "debug-shell.service",
          "plymouth*",
          "kmod-static-nodes.service",
          "modprobe@*",
          "keyboard-setup.service",
          "console-setup.service",
          "setvtrgb.service",
          "cryptdisks*",
          "lvm2-*",
          "blk-availability.service",
          "ifupdown-pre.service",
          "networking.service",
          "NetworkManager*",
          "wpa_supplicant*",
          "ModemManager*",
          "e2scrub*",
          "fstrim*",
          "apparmor.service",
          "hwclock.service"};
}

std::optional<std::string> MatchSkipList(std::string_view name,
                                         const std::vector<std::string>& patterns) {
  std::string n(name);
  for (const auto& p : patterns)
    if (fnmatch(p.c_str(), n.c_str(), 0) == 0) return p;
  return std::nullopt;
}

const EnabledUnit* Enablement::Find(std::string_view name) const {
  for (const auto& u : units)
    if (u.name == name ||
        std::find(u.unit.names.begin(), u.unit.names.end(), name) != u.unit.names.end())
      return &u;
  return nullptr;
}

Enablement ComputeEnablement(const std::string& root, const EnableOptions& options) noexcept {
  Enablement out;
  try {
    Walker w(root, options, &out);
    w.Run();
  } catch (const std::exception& e) {
    out.diagnostics.push_back({root, 0, std::string("unit enablement failed: ") + e.what()});
  } catch (...) {
    out.diagnostics.push_back({root, 0, "unit enablement failed"});
  }
  return out;
}

}  // namespace ctinit::units
