#include "openrc-shim/applets/rc_depend.h"

#include <dirent.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <set>

#include "init/base/files.h"
#include "init/base/text.h"
#include "openrc-shim/applets/einfo.h"
#include "openrc-shim/applets/getopt_argv.h"
#include "openrc-shim/applets/service_state.h"
#include "openrc-shim/runner.h"

namespace ctinit::openrc {
namespace {

constexpr const char* kRcDepend = "rc-depend";

void Add(std::vector<std::string>* list, const std::string& name) {
  if (std::find(list->begin(), list->end(), name) == list->end()) list->push_back(name);
}

const std::vector<std::string>* Get(const DepTree& tree, const std::string& svc,
                                    const std::string& type) {
  auto s = tree.find(svc);
  if (s == tree.end()) return nullptr;
  auto t = s->second.find(type);
  return t == s->second.end() ? nullptr : &t->second;
}

// visit_service() of librc-depend.c.
struct Tracer {
  const DepTree& tree;
  const std::vector<std::string>& types;
  const std::string& caller;
  const FollowService& follow;
  std::vector<std::string> sorted{};
  std::set<std::string> visited{};

  void Visit(const std::string& svc, bool trace) {
    if (!visited.insert(svc).second) return;
    for (const auto& type : types) {
      const auto* deps = Get(tree, svc, type);
      if (deps == nullptr) continue;
      for (const auto& dep : *deps) {
        if (!trace || type == "iprovide") {
          Add(&sorted, dep);
          continue;
        }
        if (tree.count(dep) == 0) continue;
        const auto* providers = Get(tree, dep, "providedby");
        if (providers != nullptr && !providers->empty()) {
          for (const auto& p : *providers)
            if (tree.count(p) && follow(p, type)) Visit(p, true);
        } else if (follow(dep, type)) {
          Visit(dep, true);
        }
      }
    }
    // What provides for us (a virtual name) is visited too, when tracing.
    if (trace) {
      if (const auto* provided = Get(tree, svc, "iprovide")) {
        for (const auto& v : *provided) {
          const auto* providers = Get(tree, v, "providedby");
          if (providers != nullptr &&
              std::find(providers->begin(), providers->end(), svc) != providers->end())
            Visit(v, true);
        }
      }
    }
    const auto* providedby = Get(tree, svc, "providedby");
    if (svc != caller && (providedby == nullptr || providedby->empty())) Add(&sorted, svc);
  }
};

// The scripts of `initdir` (executable regular files whose name is no *.sh).
std::map<std::string, OpenrcDeps> ReadTree(const std::string& initdir, const std::string& root) {
  std::map<std::string, OpenrcDeps> services;
  DIR* d = opendir(initdir.c_str());
  if (d == nullptr) return services;
  std::vector<std::string> names;
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n.empty() || n[0] == '.' || (n.size() > 3 && n.compare(n.size() - 3, 3, ".sh") == 0))
      continue;
    names.push_back(n);
  }
  closedir(d);
  SpawnScriptRunner runner;
  DependOptions options;
  options.root = root;
  if (const char* sys = getenv("RC_SYS")) options.rc_sys = sys;
  for (const auto& n : names) {
    DependResult r = ExtractDepends(n, initdir + "/" + n, options, runner);
    if (r.loaded) services[n] = r.deps;
  }
  return services;
}

// valid_service(): the weak types follow only what the runlevel (or the boot runlevel) has, or
// what is started or hotplugged.
FollowService RunlevelFollow(const std::string& root, const std::string& runlevel) {
  const std::string svcdir = (root == "/" ? "" : root) + SvcDirFromEnv();
  const char* boot_env = getenv("RC_BOOTLEVEL");
  const std::string boot = boot_env != nullptr && *boot_env ? boot_env : "boot";
  const std::string levels = (root == "/" ? "" : root) + "/etc/runlevels/";
  return [svcdir, boot, levels, runlevel](const std::string& svc, const std::string& type) {
    if (runlevel.empty() || type == "ineed" || type == "needsme" || type == "iwant" ||
        type == "wantsme")
      return true;
    if (files::Exists(levels + runlevel + "/" + svc)) return true;
    if (runlevel == "sysinit") return false;
    if (runlevel == "shutdown" && type == "iafter") return false;
    if (runlevel != boot && files::Exists(levels + boot + "/" + svc)) return true;
    return (GetState(svcdir, svc) & (kStateStarted | kStateHotplugged)) != 0;
  };
}

}  // namespace

DepTree BuildDepTree(const std::map<std::string, OpenrcDeps>& services) {
  DepTree tree;
  const std::pair<const char*, std::vector<std::string> OpenrcDeps::*> forward[] = {
      {"ineed", &OpenrcDeps::need},       {"iuse", &OpenrcDeps::use},
      {"iwant", &OpenrcDeps::want},       {"iafter", &OpenrcDeps::after},
      {"ibefore", &OpenrcDeps::before},   {"iprovide", &OpenrcDeps::provide},
      {"keyword", &OpenrcDeps::keywords},
  };
  const std::map<std::string, std::string> reverse = {
      {"ineed", "needsme"},  {"iuse", "usesme"},    {"iwant", "wantsme"},
      {"iafter", "ibefore"}, {"ibefore", "iafter"}, {"iprovide", "providedby"}};
  for (const auto& entry : services) tree[entry.first];
  for (const auto& entry : services) {
    const std::string& svc = entry.first;
    for (const auto& f : forward) {
      for (const auto& dep : entry.second.*(f.second)) {
        Add(&tree[svc][f.first], dep);
        auto r = reverse.find(f.first);
        // A reverse entry for a name that is neither a service nor provided makes no node
        // (librc only warns about a missing need), except providedby, which makes the virtual
        // name's node.
        if (r == reverse.end()) continue;
        if (tree.count(dep) || r->second == "providedby") Add(&tree[dep][r->second], svc);
      }
    }
  }
  return tree;
}

std::vector<std::string> TraceDepends(const DepTree& tree, const std::vector<std::string>& services,
                                      const std::vector<std::string>& types, bool trace,
                                      const std::string& caller, const FollowService& follow,
                                      std::vector<std::string>* unknown) {
  Tracer tracer{tree, types, caller, follow};
  for (const auto& svc : services) {
    if (tree.count(svc) == 0) {
      unknown->push_back(svc);
      continue;
    }
    tracer.Visit(svc, trace);
  }
  return tracer.sorted;
}

int RcDependMain(const std::vector<std::string>& args, const std::string& initdir,
                 const std::string& root) noexcept {
  try {
    static const option kLong[] = {{"starting", no_argument, nullptr, 'a'},
                                   {"stopping", no_argument, nullptr, 'o'},
                                   {"type", required_argument, nullptr, 't'},
                                   {"notrace", no_argument, nullptr, 'T'},
                                   {"strict", no_argument, nullptr, 's'},
                                   {"update", no_argument, nullptr, 'u'},
                                   {"deptree-file", required_argument, nullptr, 'F'},
                                   {"help", no_argument, nullptr, 'h'},
                                   {"quiet", no_argument, nullptr, 'q'},
                                   {"verbose", no_argument, nullptr, 'v'},
                                   {"nocolor", no_argument, nullptr, 'C'},
                                   {nullptr, 0, nullptr, 0}};
    GetoptArgv argv(kRcDepend, args);
    std::vector<std::string> types;
    bool trace = true, update = false;
    for (int c;
         (c = getopt_long(argv.argc(), argv.argv(), "aot:suTF:hqvC", kLong, nullptr)) != -1;) {
      if (c == 't') {
        for (const auto& t : text::Split(optarg, ','))
          if (!t.empty()) types.push_back(t);
      } else if (c == 'T') {
        trace = false;
      } else if (c == 'u') {
        update = true;
      } else if (c == 'F') {
        EError(std::string(kRcDepend) + ": -F/--deptree-file: ctinit's shim keeps no deptree file");
        return 1;
      } else if (c == 'h' || c == '?') {
        fprintf(c == 'h' ? stdout : stderr,
                "Usage: rc-depend [-t TYPES] [-T] [-a] [-o] [-s] [-u] SERVICE…\n");
        return c == 'h' ? 0 : 1;
      }
    }
    std::vector<std::string> wanted;
    for (int i = optind; i < argv.argc(); ++i) wanted.push_back(argv.argv()[i]);
    if (wanted.empty()) {
      if (update) return 0;
      EError(std::string(kRcDepend) + ": no services specified");
      return 1;
    }
    if (types.empty()) types = {"ineed", "iuse"};
    DepTree tree = BuildDepTree(ReadTree(initdir, root));
    const char* level = getenv("RC_RUNLEVEL");
    std::string runlevel = level != nullptr && *level
                               ? level
                               : CurrentRunlevel((root == "/" ? "" : root) + SvcDirFromEnv());
    const char* caller = getenv("RC_SVCNAME");
    std::vector<std::string> unknown;
    auto out = TraceDepends(tree, wanted, types, trace, caller ? caller : "",
                            RunlevelFollow(root, runlevel), &unknown);
    for (const auto& u : unknown) EError("no dependency info for service `" + u + "'");
    if (unknown.size() == wanted.size()) {
      EError(std::string(kRcDepend) + ": no services specified");
      return 1;
    }
    if (!out.empty()) printf("%s\n", text::Join(out, " ").c_str());
    return 0;
  } catch (...) {
    EError(std::string(kRcDepend) + ": out of memory");
  }
  return 1;
}

int RcAbortMain(const std::vector<std::string>&) noexcept {
  const char* p = getenv("RC_PID");
  char* end = nullptr;
  long pid = p != nullptr ? strtol(p, &end, 10) : 0;
  if (p != nullptr && *p != '\0' && *end == '\0' && pid > 1) {
    std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
    std::string name;
    if (std::getline(comm, name) && name == "openrc") {
      if (kill(static_cast<pid_t>(pid), SIGUSR1) == 0) return 0;
      EError("rc-abort: failed to signal parent " + std::to_string(pid) + ": " + strerror(errno));
      return 1;
    }
  }
  EError(
      "rc-abort: not supported under ctinit: no openrc process (RC_PID) is changing the "
      "runlevel");
  return 1;
}

}  // namespace ctinit::openrc
