#include "openrc-shim/applets/kill_all.h"

#include <dirent.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "openrc-shim/applets/einfo.h"
#include "openrc-shim/applets/getopt_argv.h"

namespace ctinit::openrc {
namespace {

// The parent pid of `pid` from /proc/PID/status, -1 when it cannot be read.
pid_t ReadParent(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("PPid:", 0) == 0) return static_cast<pid_t>(atol(line.c_str() + 5));
  }
  return -1;
}

std::vector<ProcessInfo> ReadProcesses() {
  std::vector<ProcessInfo> out;
  DIR* d = opendir("/proc");
  if (d == nullptr) return out;
  while (dirent* e = readdir(d)) {
    pid_t pid = static_cast<pid_t>(atol(e->d_name));
    if (pid <= 0) continue;
    ProcessInfo p;
    p.pid = pid;
    p.ppid = ReadParent(pid);
    p.sid = getsid(pid);
    out.push_back(p);
  }
  closedir(d);
  return out;
}

// A user process: its parent chain ends (pid 0) without passing pid 2 (kthreadd). A process
// that vanished or whose status is unreadable counts as a kernel thread: never killed by mistake.
bool IsUserProcess(pid_t pid, const std::map<pid_t, pid_t>& parent) {
  for (int depth = 0; pid > 0 && depth < 4096; ++depth) {
    if (pid == 2) return false;
    auto it = parent.find(pid);
    if (it == parent.end() || it->second < 0) return false;
    pid = it->second;
  }
  return true;
}

bool ParseOmit(const std::string& value, std::set<pid_t>* omit) {
  std::string token;
  for (size_t i = 0; i <= value.size(); ++i) {
    if (i < value.size() && value[i] != ',' && value[i] != ';' && value[i] != ':') {
      token += value[i];
      continue;
    }
    long pid = atol(token.c_str());
    if (pid <= 0) {
      EError("Invalid omit pid value " + token);
      return false;
    }
    omit->insert(static_cast<pid_t>(pid));
    token.clear();
  }
  return true;
}

bool EnsureProc() {
  if (access("/proc/version", F_OK) == 0) return true;
  mount("proc", "/proc", "proc", 0, nullptr);
  return access("/proc/version", F_OK) == 0;
}

const option kKillAllOptions[] = {{"dry-run", 0, nullptr, 'd'}, {"omit", 1, nullptr, 'o'},
                                  {"quiet", 0, nullptr, 'q'},   {"verbose", 0, nullptr, 'v'},
                                  {"nocolor", 0, nullptr, 'C'}, {"help", 0, nullptr, 'h'},
                                  {nullptr, 0, nullptr, 0}};

}  // namespace

std::vector<pid_t> KillAllTargets(const std::vector<ProcessInfo>& procs, pid_t own_sid,
                                  const std::set<pid_t>& omit) {
  std::map<pid_t, pid_t> parent;
  for (const auto& p : procs) parent[p.pid] = p.ppid;
  std::vector<pid_t> out;
  for (const auto& p : procs) {
    if (p.pid == 1 || omit.count(p.pid) || p.sid == own_sid) continue;
    if (!IsUserProcess(p.pid, parent)) continue;
    out.push_back(p.pid);
  }
  return out;
}

int KillAllMain(const std::vector<std::string>& args) noexcept {
  try {
    unsetenv("EINFO_QUIET");  // as OpenRC: quiet only when told so here
    GetoptArgv av("kill_all", args);
    bool dry_run = false;
    std::set<pid_t> omit = {1};
    int opt;
    while ((opt = getopt_long(av.argc(), av.argv(), "do:qvCh", kKillAllOptions, nullptr)) != -1) {
      if (opt == 'd') {
        dry_run = true;
      } else if (opt == 'o') {
        if (!ParseOmit(optarg, &omit)) return 1;
      } else if (opt == 'h') {
        printf("Usage: kill_all [options] [signal number]\n");
        return 0;
      } else if (opt != 'q' && opt != 'v' && opt != 'C') {
        return 1;
      }
    }
    int sig = SIGKILL;
    if (optind < av.argc()) {
      sig = atoi(av.argv()[optind]);
      if (sig <= 0 || sig > 31) {
        EError(std::string("Invalid signal ") + av.argv()[optind]);
        return 1;
      }
    }
    if (!EnsureProc()) {
      EError("Unable to mount /proc file system");
      return 1;
    }
    if (!dry_run) kill(-1, SIGSTOP);
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_SETMASK, &all, &old);
    for (pid_t pid : KillAllTargets(ReadProcesses(), getsid(0), omit)) {
      if (dry_run) {
        EInfo("Would send signal " + std::to_string(sig) + " to process " + std::to_string(pid));
      } else {
        kill(pid, sig);
      }
    }
    sigprocmask(SIG_SETMASK, &old, nullptr);
    if (!dry_run) kill(-1, SIGCONT);
    return 0;
  } catch (...) {
  }
  return 1;
}

}  // namespace ctinit::openrc
