#include "openrc-shim/applets/rc_tools.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <set>

#include "init/base/files.h"
#include "openrc-shim/applets/einfo.h"
#include "openrc-shim/applets/service_state.h"
#include "openrc-shim/applets/supervise_daemon.h"

namespace ctinit::openrc {
namespace fs = std::filesystem;

namespace {

const char* const kReserved[] = {"sysinit", "boot", "default", "single", "shutdown", "nonetwork"};

std::string Rooted(const std::string& root, const std::string& p) {
  if (root.empty() || root == "/") return p;
  return root + p;
}

std::string SvcDir(const std::string& root) { return Rooted(root, kSvcDir); }

bool IsDir(const std::string& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::vector<std::string> List(const std::string& dir, bool dirs_only) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (dirs_only && !e.is_directory(ec)) continue;
    out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> Levels(const std::string& root) {
  return List(Rooted(root, "/etc/runlevels"), true);
}

// Services directly in LEVEL (symlinks to scripts; stacked levels are symlinks to dirs).
std::vector<std::string> InLevel(const std::string& root, const std::string& level) {
  std::vector<std::string> out;
  std::string dir = Rooted(root, "/etc/runlevels/" + level);
  for (const auto& n : List(dir, false)) {
    if (!IsDir(dir + "/" + n)) out.push_back(n);
  }
  return out;
}

std::vector<std::string> Stacked(const std::string& root, const std::string& level) {
  std::vector<std::string> out;
  std::string dir = Rooted(root, "/etc/runlevels/" + level);
  for (const auto& n : List(dir, false)) {
    if (IsDir(dir + "/" + n)) out.push_back(n);
  }
  return out;
}

std::vector<std::string> AllScripts(const std::string& root) {
  std::set<std::string> s;
  for (const char* d : {"/etc/init.d", "/usr/local/etc/init.d"}) {
    for (const auto& n : List(Rooted(root, d), false)) {
      if (n.size() > 3 && n.compare(n.size() - 3, 3, ".sh") == 0) continue;
      s.insert(n);
    }
  }
  return {s.begin(), s.end()};
}

std::string CurrentOrDefault(const std::string& root) {
  std::string svcdir = SvcDir(root);
  if (!files::Exists(svcdir + "/softlevel")) return "default";
  return CurrentRunlevel(svcdir);
}

void PrintService(const std::string& svc, const std::string& state) {
  printf(" %-60s [  %s  ]\n", svc.c_str(), state.c_str());
}

std::string StateOf(const std::string& root, const std::string& svc) {
  return StateName(GetState(SvcDir(root), svc));
}

// A runlevel directory: there already, or created for a name OpenRC reserves. False (message
// printed) otherwise.
bool EnsureLevel(const std::string& levels_dir, const std::string& level) {
  if (IsDir(levels_dir + "/" + level)) return true;
  if (std::find(std::begin(kReserved), std::end(kReserved), level) != std::end(kReserved)) {
    std::error_code ec;
    fs::create_directories(levels_dir + "/" + level, ec);
    if (!ec) return true;
  }
  EError("rc-update: runlevel `" + level + "' does not exist");
  return false;
}

// symlink(target, link), or false with "rc-update: LINK: why".
bool Link(const std::string& target, const std::string& link) {
  if (symlink(target.c_str(), link.c_str()) == 0) return true;
  EError("rc-update: " + link + ": " + strerror(errno));
  return false;
}

// rc-update show [LEVEL…]: each service and the levels it is in (-v: also those in none).
int UpdateShow(const std::string& root, const std::vector<std::string>& words, bool verbose) {
  const std::string levels_dir = Rooted(root, "/etc/runlevels");
  std::vector<std::string> levels(words.begin() + (words.empty() ? 0 : 1), words.end());
  if (levels.empty()) levels = Levels(root);
  std::vector<std::string> services = verbose ? AllScripts(root) : std::vector<std::string>{};
  std::set<std::string> seen(services.begin(), services.end());
  for (const auto& l : levels)
    for (const auto& s : InLevel(root, l)) seen.insert(s);
  for (const auto& s : seen) {
    std::string in;
    for (const auto& l : levels) {
      if (files::Exists(levels_dir + "/" + l + "/" + s)) in += " " + l;
    }
    if (in.empty() && !verbose) continue;
    printf(" %20s |%s\n", s.c_str(), in.c_str());
  }
  return 0;
}

// rc-update -s add|del LEVEL TARGET…: stacks LEVEL into each TARGET, or unstacks it.
int UpdateStack(const std::string& root, const std::string& action,
                const std::vector<std::string>& words) {
  if (words.size() < 3) {
    EError("rc-update: no runlevel specified to stack into");
    return 1;
  }
  const std::string levels_dir = Rooted(root, "/etc/runlevels");
  const std::string& level = words[1];
  int rc = 0;
  for (size_t i = 2; i < words.size(); ++i) {
    const std::string& target = words[i];
    std::string link = levels_dir + "/" + target + "/" + level;
    if (action == "add") {
      if (!IsDir(levels_dir + "/" + level)) {
        EError("rc-update: runlevel `" + level + "' does not exist");
        rc = 1;
      } else if (!EnsureLevel(levels_dir, target) || !Link("../" + level, link)) {
        rc = 1;
      } else {
        EInfo("runlevel " + level + " added to runlevel " + target);
      }
    } else if (unlink(link.c_str()) != 0) {
      EError("rc-update: runlevel " + level + " is not stacked in " + target);
      rc = 1;
    } else {
      EInfo("runlevel " + level + " removed from runlevel " + target);
    }
  }
  return rc;
}

// rc-update add SVC [LEVEL…].
int UpdateAdd(const std::string& root, const std::string& svc, std::vector<std::string> levels) {
  const std::string levels_dir = Rooted(root, "/etc/runlevels");
  std::string script = ResolveService(svc, root);
  if (script.empty() || svc.find('/') != std::string::npos) {
    EError("rc-update: service `" + svc + "' does not exist");
    return 1;
  }
  if (levels.empty()) levels.push_back(CurrentOrDefault(root));
  int rc = 0;
  for (const auto& l : levels) {
    std::string link = levels_dir + "/" + l + "/" + svc;
    if (!EnsureLevel(levels_dir, l)) {
      rc = 1;
    } else if (files::Exists(link)) {
      EWarn("rc-update: " + svc + " already installed in runlevel `" + l + "'; skipping");
    } else if (l == "boot" && script.rfind("/etc/init.d/", 0) != 0) {
      EError("rc-update: " + svc + ": only /etc/init.d scripts can be added to boot");
      rc = 1;
    } else if (!Link("/etc/init.d/" + svc, link)) {
      rc = 1;
    } else {
      EInfo("service " + svc + " added to runlevel " + l);
    }
  }
  return rc;
}

// rc-update del SVC [LEVEL…] (all: from every level).
int UpdateDelete(const std::string& root, const std::string& svc, std::vector<std::string> levels,
                 bool all) {
  const std::string levels_dir = Rooted(root, "/etc/runlevels");
  if (all) {
    levels = Levels(root);
  } else if (levels.empty()) {
    levels.push_back(CurrentOrDefault(root));
  }
  int rc = 0;
  bool removed = false;
  for (const auto& l : levels) {
    std::string link = levels_dir + "/" + l + "/" + svc;
    if (!files::Exists(link) || IsDir(link)) {
      if (!all) {
        EError("rc-update: service `" + svc + "' is not in the runlevel `" + l + "'");
        rc = 1;
      }
    } else if (unlink(link.c_str()) != 0) {
      EError("rc-update: " + link + ": " + strerror(errno));
      rc = 1;
    } else {
      removed = true;
      EInfo("service " + svc + " removed from runlevel " + l);
    }
  }
  if (all && !removed) {
    EError("rc-update: service `" + svc + "' is not in any runlevel");
    rc = 1;
  }
  return rc;
}

// rc-status's modes: the option letter, 0 for the default (current runlevel + manual).
struct StatusFlag {
  const char* short_name;
  const char* long_name;
  char mode;  // 0: accepted, no effect
};
constexpr StatusFlag kStatusFlags[] = {
    {"-a", "--all", 'a'},         {"-l", "--list", 'l'},   {"-r", "--runlevel", 'r'},
    {"-s", "--servicelist", 's'}, {"-u", "--unused", 'u'}, {"-m", "--manual", 'm'},
    {"-c", "--crashed", 'c'},     {"-q", "--quiet", 0},    {"-C", "--nocolor", 0},
};

// rc-status -c: the crashed services; 1 when there are none.
int StatusCrashed(const std::string& svcdir) {
  bool any = false;
  for (const auto& s : ServicesIn(svcdir, "started")) {
    if (GetState(svcdir, s) & kStateCrashed) {
      printf("%s\n", s.c_str());
      any = true;
    }
  }
  return any ? 0 : 1;
}

// "Runlevel: L" and the services of L and the levels stacked into it; adds them to *shown.
void StatusLevels(const std::string& root, const std::vector<std::string>& levels,
                  std::set<std::string>* shown) {
  for (const auto& l : levels) {
    printf("Runlevel: %s\n", l.c_str());
    std::vector<std::string> stack = {l};
    for (size_t i = 0; i < stack.size() && i < 16; ++i)
      for (const auto& st : Stacked(root, stack[i])) stack.push_back(st);
    for (const auto& lv : stack) {
      for (const auto& s : InLevel(root, lv)) {
        shown->insert(s);
        PrintService(s, StateOf(root, s));
      }
    }
  }
}

// The running services not shown yet ("Dynamic Runlevel: manual"); with -a/-m only those in no
// runlevel at all.
void StatusManual(const std::string& root, char mode, const std::set<std::string>& shown,
                  const std::set<std::string>& assigned) {
  const std::string svcdir = SvcDir(root);
  std::vector<std::string> manual;
  for (const char* d : {"started", "starting", "inactive", "stopping"}) {
    for (const auto& s : ServicesIn(svcdir, d)) {
      if (!shown.count(s) && (mode == 'a' || mode == 'm' ? !assigned.count(s) : true) &&
          std::find(manual.begin(), manual.end(), s) == manual.end()) {
        manual.push_back(s);
      }
    }
  }
  std::sort(manual.begin(), manual.end());
  if (mode != 'm') printf("Dynamic Runlevel: manual\n");
  for (const auto& s : manual) PrintService(s, StateOf(root, s));
}

// rc-service's -I/-N/-s/-S/-c: run the command only when the service's state has (or, negated,
// has not) the bit.
struct ServiceCondition {
  const char* short_name;
  const char* long_name;
  int state;
  bool negated;

  bool Holds(int s) const { return ((s & state) != 0) != negated; }
};
constexpr ServiceCondition kConditions[] = {
    {"-I", "--ifinactive", kStateInactive, false}, {"-N", "--ifnotstarted", kStateStarted, true},
    {"-s", "--ifstarted", kStateStarted, false},   {"-S", "--ifstopped", kStateStopped, false},
    {"-c", "--ifcrashed", kStateCrashed, false},
};

const ServiceCondition* FindCondition(const std::string& option) {
  for (const auto& c : kConditions)
    if (option == c.short_name || option == c.long_name) return &c;
  return nullptr;
}

// Runs this binary's applet argv[0] in place of this process; returns only when that fails
// (message printed).
void ExecSelf(std::vector<std::string> argv) {
  std::string self = SelfExe();
  if (self.empty()) self = "/sbin/ctinit";
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  fflush(stdout);
  execv(self.c_str(), cargv.data());
  EError("rc-service: cannot execute " + self + ": " + strerror(errno));
}

}  // namespace

std::string ResolveService(const std::string& svc, const std::string& root) noexcept {
  try {
    if (svc.empty() || svc.find('/') != std::string::npos) {
      if (!svc.empty() && svc[0] == '/' && files::Exists(svc)) return svc;
      return "";
    }
    for (const char* st : {"started", "inactive"}) {
      std::string link = SvcDir(root) + "/" + st + "/" + svc;
      std::error_code ec;
      if (fs::is_symlink(link, ec)) {
        std::string target = fs::read_symlink(link, ec).string();
        if (!ec && files::Exists(Rooted(root, target))) return target;
      }
    }
    for (const char* d : {"/etc/init.d/", "/usr/local/etc/init.d/"}) {
      if (files::Exists(Rooted(root, d + svc))) return d + svc;
    }
  } catch (...) {
  }
  return "";
}

int RcUpdateMain(const std::vector<std::string>& args, const std::string& root) noexcept {
  try {
    bool stack = false, all = false, verbose = false;
    std::vector<std::string> words;
    for (const auto& a : args) {
      if (a == "-s" || a == "--stack") {
        stack = true;
      } else if (a == "-a" || a == "--all") {
        all = true;
      } else if (a == "-u" || a == "--update") {
        return 0;
      } else if (a == "-v" || a == "--verbose") {
        verbose = true;
      } else if (a == "-q" || a == "--quiet") {
        setenv("EINFO_QUIET", "YES", 1);
      } else if (!a.empty() && a[0] == '-') {
        EError("rc-update: unknown option " + a);
        return 1;
      } else {
        words.push_back(a);
      }
    }
    std::string action = words.empty() ? "show" : words[0];
    if (action == "delete") action = "del";
    if (action == "show") return UpdateShow(root, words, verbose);
    if (action != "add" && action != "del") {
      EError("rc-update: unknown command `" + action + "'");
      return 1;
    }
    if (words.size() < 2) {
      EError("rc-update: no service specified");
      return 1;
    }
    if (stack) return UpdateStack(root, action, words);
    std::vector<std::string> levels(words.begin() + 2, words.end());
    if (action == "add") return UpdateAdd(root, words[1], levels);
    return UpdateDelete(root, words[1], levels, all);
  } catch (...) {
    EError("rc-update: out of memory");
  }
  return 1;
}

int RcStatusMain(const std::vector<std::string>& args, const std::string& root) noexcept {
  try {
    char mode = 0;
    std::vector<std::string> levels;
    for (const auto& a : args) {
      auto flag =
          std::find_if(std::begin(kStatusFlags), std::end(kStatusFlags),
                       [&](const StatusFlag& f) { return a == f.short_name || a == f.long_name; });
      if (flag != std::end(kStatusFlags)) {
        if (flag->mode != 0) mode = flag->mode;
      } else if (!a.empty() && a[0] == '-') {
        EError("rc-status: unknown option " + a);
        return 1;
      } else {
        levels.push_back(a);
      }
    }
    const std::string svcdir = SvcDir(root);
    SyncSupervisedState(svcdir);
    const std::string current = CurrentRunlevel(svcdir);
    if (mode == 'r') {
      printf("%s\n", current.c_str());
      return 0;
    }
    if (mode == 'l') {
      for (const auto& l : Levels(root)) printf("%s\n", l.c_str());
      return 0;
    }
    if (mode == 'c') return StatusCrashed(svcdir);
    std::set<std::string> assigned;
    for (const auto& l : Levels(root))
      for (const auto& s : InLevel(root, l)) assigned.insert(s);
    if (mode == 's' || mode == 'u') {
      for (const auto& s : AllScripts(root))
        if (mode == 's' || !assigned.count(s)) PrintService(s, StateOf(root, s));
      return 0;
    }
    if (levels.empty()) levels = mode == 'a' ? Levels(root) : std::vector<std::string>{current};
    std::set<std::string> shown;
    if (mode != 'm') StatusLevels(root, levels, &shown);
    StatusManual(root, mode, shown, assigned);
    return 0;
  } catch (...) {
    EError("rc-status: out of memory");
  }
  return 1;
}

int RcServiceMain(const std::vector<std::string>& args, const std::string& root) noexcept {
  try {
    const ServiceCondition* cond = nullptr;
    bool if_exists = false;
    size_t i = 0;
    for (; i < args.size(); ++i) {
      const std::string& a = args[i];
      if (a.empty() || a[0] != '-') break;
      if (a == "-e" || a == "--exists") {
        if (i + 1 >= args.size()) return 1;
        return ResolveService(args[i + 1], root).empty() ? 1 : 0;
      } else if (a == "-l" || a == "--list") {
        for (const auto& s : AllScripts(root)) printf("%s\n", s.c_str());
        return 0;
      } else if (a == "-r" || a == "--resolve") {
        if (i + 1 >= args.size()) return 1;
        std::string p = ResolveService(args[i + 1], root);
        if (p.empty()) return 1;
        printf("%s\n", p.c_str());
        return 0;
      } else if (a == "-i" || a == "--ifexists") {
        if_exists = true;
      } else if (const ServiceCondition* c = FindCondition(a)) {
        cond = c;
      } else if (a == "-D" || a == "--nodeps") {
        setenv("RC_NODEPS", "yes", 1);
      } else if (!SetOutputOption(a)) {
        EError("rc-service: unknown option " + a);
        return 1;
      }
    }
    if (i >= args.size()) {
      EError("rc-service: service not specified");
      return 1;
    }
    const std::string svc = args[i++];
    std::string script = ResolveService(svc, root);
    if (script.empty()) {
      if (if_exists) return 0;
      EError("service `" + svc + "' does not exist");
      return 1;
    }
    SyncSupervisedState(SvcDir(root));
    int state = GetState(SvcDir(root), BaseName(script));
    if (cond != nullptr && !cond->Holds(state)) return 1;
    std::vector<std::string> argv = {"openrc-run", Rooted(root, script)};
    argv.insert(argv.end(), args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
    ExecSelf(argv);
  } catch (...) {
    EError("rc-service: out of memory");
  }
  return 1;
}

}  // namespace ctinit::openrc
