#include "init/sys.h"

#include <dirent.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <map>

namespace ctinit::sys {

namespace {

std::vector<char*> CStrings(const std::vector<std::string>& v) {
  std::vector<char*> out;
  out.reserve(v.size() + 1);
  for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

int SpawnOnce(pid_t* pid, const std::vector<std::string>& argv,
              const std::vector<std::string>& env) {
  posix_spawnattr_t attr;
  posix_spawn_file_actions_t fa;
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_init(&fa);
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawn_file_actions_addclosefrom_np(&fa, 3);
  posix_spawn_file_actions_addchdir_np(&fa, "/");
  auto cargv = CStrings(argv);
  auto cenv = CStrings(env);
  int rc = posix_spawnp(pid, cargv[0], &fa, &attr, cargv.data(), cenv.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  return rc;
}

}  // namespace

pid_t Spawn(const std::vector<std::string>& argv, const std::string& text,
            const std::vector<std::string>& env, std::string* err) noexcept {
  try {
    if (argv.empty()) {
      *err = "empty command";
      return -1;
    }
    pid_t pid = -1;
    int rc = SpawnOnce(&pid, argv, env);
    if (rc == ENOEXEC) rc = SpawnOnce(&pid, {"/bin/sh", "-c", "exec " + text}, env);
    if (rc != 0) {
      *err = "cannot execute \"" + argv[0] + "\": " + strerror(rc);
      return -1;
    }
    return pid;
  } catch (...) {
    *err = "cannot execute \"" + (argv.empty() ? std::string() : argv[0]) + "\": out of memory";
    return -1;
  }
}

void Kill(pid_t pid, int sig) noexcept { ::kill(pid, sig); }

std::optional<Reaped> ReapOne() noexcept {
  int status = 0;
  pid_t pid;
  do {
    pid = ::waitpid(-1, &status, WNOHANG);
  } while (pid < 0 && errno == EINTR);
  if (pid <= 0) return std::nullopt;
  return Reaped{pid, status};
}

bool NoChildren() noexcept {
  siginfo_t info{};
  int rc = ::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT);
  return rc < 0 && errno == ECHILD;
}

std::vector<pid_t> LiveProcesses(pid_t descendants_of) noexcept {
  std::vector<pid_t> out;
  try {
    std::map<pid_t, pid_t> parent;
    DIR* d = ::opendir("/proc");
    if (!d) return out;
    const pid_t self = ::getpid();
    while (dirent* e = ::readdir(d)) {
      char* end = nullptr;
      long pid = strtol(e->d_name, &end, 10);
      if (*end != '\0' || pid <= 0 || pid == self) continue;
      std::ifstream stat(std::string("/proc/") + e->d_name + "/stat");
      std::string line;
      if (!std::getline(stat, line)) continue;
      // pid (comm) state ppid ...: comm may contain anything, so parse after the last ')'.
      auto rp = line.rfind(')');
      if (rp == std::string::npos || rp + 4 > line.size()) continue;
      char state = 0;
      int ppid = 0, pgrp = 0, session = 0, tty = 0, tpgid = 0;
      unsigned flags = 0;
      if (sscanf(line.c_str() + rp + 2, "%c %d %d %d %d %d %u", &state, &ppid, &pgrp, &session,
                 &tty, &tpgid, &flags) != 7)
        continue;
      constexpr unsigned kPfKthread = 0x00200000;  // kernel threads are never ours to signal
      if (state == 'Z' || state == 'X' || (flags & kPfKthread)) continue;
      parent[static_cast<pid_t>(pid)] = ppid;
    }
    ::closedir(d);
    for (auto [pid, ppid] : parent) {
      if (descendants_of == 0) {
        out.push_back(pid);
        continue;
      }
      // Walk up the ancestry; bounded by the table size against loops in a racing /proc.
      pid_t p = ppid;
      for (size_t hops = 0; hops <= parent.size() && p > 0; ++hops) {
        if (p == descendants_of) {
          out.push_back(pid);
          break;
        }
        auto it = parent.find(p);
        if (it == parent.end()) break;
        p = it->second;
      }
    }
  } catch (...) {
  }
  return out;
}

std::string DescribeStatus(int status) {
  if (WIFEXITED(status)) return "exited " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const char* name = sigabbrev_np(WTERMSIG(status));
    return std::string("killed by SIG") + (name ? name : std::to_string(WTERMSIG(status)).c_str());
  }
  return "status " + std::to_string(status);
}

int ExitCodeOf(int status) noexcept {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 255;
}

}  // namespace ctinit::sys
