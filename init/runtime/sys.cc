#include "init/runtime/sys.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>

#include "init/base/capabilities.h"
#include "init/base/log.h"
#include "init/base/untrusted_file.h"

namespace ctinit::sys {

namespace {

std::vector<char*> CStrings(const std::vector<std::string>& v) {
  std::vector<char*> out;
  out.reserve(v.size() + 1);
  for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

int SpawnOnce(pid_t* pid, const std::vector<std::string>& argv, const std::vector<std::string>& env,
              const std::string& path = {}) {
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
  int rc = path.empty() ? posix_spawnp(pid, cargv[0], &fa, &attr, cargv.data(), cenv.data())
                        : posix_spawn(pid, path.c_str(), &fa, &attr, cargv.data(), cenv.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  return rc;
}

// Everything the forked child needs, prepared before fork() so the child only makes syscalls.
struct ChildPlan {
  std::vector<std::string> argv, env, sh_argv;
  std::vector<char*> cargv, cenv, csh;
  const ProcessContext* process;
  const SpawnOptions* opts;
  std::string file;  // absolute path to exec, or "" for a PATH search of argv[0]
  std::vector<std::string> path_dirs;
  // Entries of env ("NAME=" + room for the child's pid): index, length of "NAME=".
  std::vector<std::pair<size_t, size_t>> pid_envs;
};

// Writes `v` in decimal at `out` (NUL-terminated); no allocation (runs in the forked child).
void FormatPid(char* out, long v) {
  char tmp[24];
  int n = 0;
  do {
    tmp[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v > 0 && n < 23);
  while (n > 0) *out++ = tmp[--n];
  *out = '\0';
}

int OpenTarget(const StdioTarget& t, int fd) {
  int flags = 0;
  const char* p = nullptr;
  switch (t.kind) {
    case StdioTarget::Kind::kInherit:
      return 0;
    case StdioTarget::Kind::kNull:
      p = "/dev/null";
      flags = fd == 0 ? O_RDONLY : O_WRONLY;
      break;
    case StdioTarget::Kind::kConsole:
      p = "/dev/console";
      flags = fd == 0 ? O_RDONLY : O_WRONLY;
      break;
    case StdioTarget::Kind::kFile:
      p = t.path.c_str();
      flags = fd == 0 ? O_RDONLY : (O_WRONLY | O_CREAT);
      break;
    case StdioTarget::Kind::kTruncate:
      p = t.path.c_str();
      flags = fd == 0 ? O_RDONLY : (O_WRONLY | O_CREAT | O_TRUNC);
      break;
    case StdioTarget::Kind::kAppend:
      p = t.path.c_str();
      flags = fd == 0 ? O_RDONLY : (O_WRONLY | O_CREAT | O_APPEND);
      break;
  }
  int f = ::open(p, flags | O_NOCTTY, 0644);
  if (f < 0) {
    if (t.kind == StdioTarget::Kind::kConsole) return 0;  // no console: keep ctinit's
    return errno;
  }
  if (f != fd) {
    ::dup2(f, fd);
    ::close(f);
  }
  return 0;
}

// Closes every fd >= `first`: close_range(2) (Linux 5.9), else each fd up to the limit.
// Async-signal-safe (runs in the forked child).
void CloseFrom(int first) {
  if (::syscall(SYS_close_range, first, ~0U, 0) == 0) return;
  rlimit r{};
  long last = ::getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_max != RLIM_INFINITY
                  ? static_cast<long>(r.rlim_max)
                  : 1L << 20;
  for (long fd = first; fd < last; ++fd) ::close(static_cast<int>(fd));
}

// Passed fds become 3, 4, ... and the error pipe the next one (still close-on-exec); every
// other fd is closed, however high (PID 1 may hold fds above 1024). 0 or an errno.
int KeepOnlyPassedFds(const std::vector<int>& pass_fds, int* errfd) {
  // First everything (the error pipe too) moves out of the way of 3, 4, ...
  constexpr int kHigh = 600;
  int moved[64];
  const size_t npass = std::min<size_t>(pass_fds.size(), 64);
  if (npass > 0) {
    int e2 = ::fcntl(*errfd, F_DUPFD_CLOEXEC, kHigh + 64);
    if (e2 >= 0) *errfd = e2;
    for (size_t i = 0; i < npass; ++i) {
      moved[i] = ::fcntl(pass_fds[i], F_DUPFD, kHigh);
      if (moved[i] < 0) return errno;
    }
  }
  for (size_t i = 0; i < npass; ++i)
    if (::dup2(moved[i], 3 + static_cast<int>(i)) < 0) return errno;
  const int next = 3 + static_cast<int>(npass);
  if (*errfd != next) {
    if (::dup3(*errfd, next, O_CLOEXEC) < 0) return errno;
    *errfd = next;
  }
  CloseFrom(next + 1);
  return 0;
}

// The capability sets of this process (capget); false when the kernel refuses.
bool GetCapabilities(__user_cap_data_struct (&data)[2]) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  return ::syscall(SYS_capget, &header, data) == 0;
}

// Drops from the bounding set every capability not in `keep`. A container without
// CAP_SETPCAP cannot (EPERM): the set stays as it is (the runtime has said so). 0 or an errno.
int LimitBoundingSet(uint64_t keep) {
  for (int cap = 0; cap < 64; ++cap) {
    if (keep & caps::Bit(cap)) continue;
    if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0) continue;
    if (errno == EINVAL) return 0;  // past the kernel's last capability
    if (errno != EPERM) return errno;
  }
  return 0;
}

// Of `wanted`, the capabilities this process can pass on: in its bounding and permitted sets.
uint64_t Available(uint64_t wanted) {
  __user_cap_data_struct data[2]{};
  if (!GetCapabilities(data)) return 0;
  const uint64_t permitted = data[0].permitted | (uint64_t{data[1].permitted} << 32);
  uint64_t have = 0;
  for (int cap = 0; cap < 64; ++cap)
    if ((wanted & permitted & caps::Bit(cap)) && ::prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1)
      have |= caps::Bit(cap);
  return have;
}

// After setuid (with PR_SET_KEEPCAPS): `ambient` becomes the permitted, effective, inheritable
// and ambient sets of a process that is not root, so that they survive exec; a root process
// keeps its sets and only adds them to the inheritable and ambient ones. 0 or an errno.
int RaiseAmbient(uint64_t ambient, bool root) {
  __user_cap_data_struct data[2]{};
  if (!GetCapabilities(data)) return errno;
  for (int i = 0; i < 2; ++i) {
    auto part = static_cast<uint32_t>(ambient >> (32 * i));
    data[i].inheritable |= part;
    if (!root) data[i].permitted = data[i].effective = part;
  }
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  if (::syscall(SYS_capset, &header, data) != 0) return errno;
  for (int cap = 0; cap < 64; ++cap)
    if ((ambient & caps::Bit(cap)) && ::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0)
      return errno;
  return 0;
}

// The credentials and the privilege restrictions, which '+' steps (full_privileges) do
// without: the bounding set first, while still root; the ambient set is what of it is left,
// kept across setuid (PR_SET_KEEPCAPS) and raised after it; no_new_privs last. 0, or an errno
// with *stage set (StageName).
int BecomeTheUser(const ProcessContext& c, bool full_privileges, int* stage) {
  auto failed = [stage](int s) {
    *stage = s;
    return errno;
  };
  const bool restricted = !full_privileges;
  *stage = 14;
  if (restricted && c.capability_bounding_set)
    if (int e = LimitBoundingSet(*c.capability_bounding_set)) return e;
  const uint64_t ambient = restricted ? Available(c.ambient_capabilities) : 0;
  const bool as_user = c.credentials && restricted;
  const bool root = !as_user || c.credentials->uid == 0;
  if (ambient && !root && ::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) return failed(15);
  if (as_user) {
    const auto& cr = *c.credentials;
    if (::setgroups(cr.groups.size(), cr.groups.data()) != 0) return failed(6);
    if (::setgid(cr.gid) != 0) return failed(7);
    if (::setuid(cr.uid) != 0) return failed(8);
  }
  *stage = 15;
  if (ambient)
    if (int e = RaiseAmbient(ambient, root)) return e;
  if (restricted && c.no_new_privileges && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    return failed(16);
  return 0;
}

[[noreturn]] void Child(const ChildPlan& plan, int errfd) {
  auto fail = [&errfd](int e, int stage) {
    int msg[2] = {stage, e};
    // PID 1 may have stopped waiting (AwaitExec): its end of the pipe is then closed, and the
    // write must fail with EPIPE rather than kill us with SIGPIPE (exit 127 is what it reaps).
    ::signal(SIGPIPE, SIG_IGN);
    (void)!::write(errfd, msg, sizeof(msg));
    ::_exit(127);
  };
  ::setsid();
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &dfl, nullptr);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  const ProcessContext& c = *plan.process;
  const SpawnOptions& o = *plan.opts;
  if (c.ignore_sigpipe) ::signal(SIGPIPE, SIG_IGN);
  if (o.stdin_fd >= 0) {
    if (::dup2(o.stdin_fd, 0) < 0) fail(errno, 1);
  } else if (int e = OpenTarget(c.stdin_target, 0)) {
    fail(e, 1);
  }
  int out = o.stdout_fd >= 0 ? o.stdout_fd : o.output_fd;
  int err = o.stderr_fd >= 0 ? o.stderr_fd : o.output_fd;
  if (out >= 0) {
    if (::dup2(out, 1) < 0) fail(errno, 2);
  } else if (int e = OpenTarget(c.stdout_target, 1)) {
    fail(e, 2);
  }
  if (err >= 0) {
    if (::dup2(err, 2) < 0) fail(errno, 3);
  } else if (int e = OpenTarget(c.stderr_target, 2)) {
    fail(e, 3);
  }
  if (int e = KeepOnlyPassedFds(o.pass_fds, &errfd)) fail(e, 11);
  for (const auto& [index, offset] : plan.pid_envs)
    FormatPid(plan.cenv[index] + offset, ::getpid());
  for (const auto& l : c.rlimits) {
    rlimit r{l.soft, l.hard};
    if (::setrlimit(l.resource, &r) == 0) continue;
    // A container without CAP_SYS_RESOURCE cannot raise a hard limit (LimitNOFILE=65535 under
    // Docker): take what the container allows rather than fail the service.
    rlimit cur{};
    if (errno != EPERM || ::getrlimit(l.resource, &cur) != 0) fail(errno, 4);
    if (r.rlim_max > cur.rlim_max) r.rlim_max = cur.rlim_max;
    if (r.rlim_cur > r.rlim_max) r.rlim_cur = r.rlim_max;
    if (::setrlimit(l.resource, &r) != 0) fail(errno, 4);
  }
  if (c.nice) {
    errno = 0;
    if (::nice(*c.nice) == -1 && errno != 0) fail(errno, 5);
  }
  if (c.oom_score_adjust) {
    // Before the credentials: lowering it needs privileges the service user lacks.
    char text[24];
    int v = *c.oom_score_adjust;
    if (v < 0) text[0] = '-';
    FormatPid(text + (v < 0), v < 0 ? -static_cast<long>(v) : v);
    size_t n = strlen(text);
    int fd = ::open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    if (fd < 0 || ::write(fd, text, n) != static_cast<ssize_t>(n)) {
      if (errno != EACCES && errno != EPERM) fail(errno, 13);
    }
    if (fd >= 0) ::close(fd);
  }
  if (c.umask) ::umask(*c.umask);
  const char* dir = "/";
  bool optional_dir = false;
  if (!c.working_directory.empty()) {
    dir = c.working_directory.c_str();
    if (*dir == '-') {
      optional_dir = true;
      ++dir;
    }
  }
  if (!c.root_directory.empty() && ::chroot(c.root_directory.c_str()) != 0) fail(errno, 12);
  int stage = 0;
  if (int e = BecomeTheUser(c, o.full_privileges, &stage)) fail(e, stage);
  if (::chdir(dir) != 0) {
    if (!optional_dir) fail(errno, 9);
    if (::chdir("/") != 0) fail(errno, 9);
  }
  if (!plan.file.empty()) {
    ::execve(plan.file.c_str(), plan.cargv.data(), plan.cenv.data());
  } else {
    int first = ENOENT;
    for (const auto& d : plan.path_dirs) {
      ::execve(d.c_str(), plan.cargv.data(), plan.cenv.data());
      if (errno == ENOEXEC) break;
      if (errno != ENOENT && first == ENOENT) first = errno;
    }
    if (errno != ENOEXEC) errno = first;
  }
  if (errno == ENOEXEC) {
    ::execve("/bin/sh", plan.csh.data(), plan.cenv.data());
  }
  fail(errno, 10);
  ::_exit(127);
}

const char* StageName(int stage) {
  switch (stage) {
    case 1:
      return "cannot open stdin";
    case 2:
      return "cannot open stdout";
    case 3:
      return "cannot open stderr";
    case 4:
      return "cannot set a resource limit";
    case 5:
      return "cannot set nice";
    case 6:
      return "cannot set supplementary groups";
    case 7:
      return "cannot set group";
    case 8:
      return "cannot set user";
    case 9:
      return "cannot change directory";
    case 11:
      return "cannot pass the listening sockets";
    case 12:
      return "cannot change root directory";
    case 13:
      return "cannot set the OOM score adjustment";
    case 14:
      return "cannot limit the capability bounding set";
    case 15:
      return "cannot raise the ambient capabilities";
    case 16:
      return "cannot set no_new_privs";
    default:
      return "cannot execute";
  }
}

// How long PID 1 waits for a forked child to exec or report why it could not.
//
// The child opens the service's stdio files itself (after fork, as systemd does), so PID 1
// never opens them. But such a file may be a FIFO (StandardInput=file:/run/x.fifo,
// StandardOutput=append:...): the child's open() then waits for the other end, possibly for
// ever, and so would a blocking read of the exec-status pipe. The wait is therefore bounded:
// a child that has neither exec'd (the close-on-exec pipe closes: success) nor written its
// failure within kExecStatusWait is taken as started. Should it fail later, it finds the pipe
// closed (EPIPE, SIGPIPE ignored) and exits 127, which the reaper reports like any exit.
// The usual child execs in well under a millisecond, so the synchronous report stays the rule.
constexpr std::chrono::milliseconds kExecStatusWait{250};

// True with `msg` filled when the child reported a failure; false when it exec'd or is still
// busy after kExecStatusWait.
bool AwaitExec(int fd, int (&msg)[2]) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + kExecStatusWait;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    pollfd p{fd, POLLIN, 0};
    int rc = ::poll(&p, 1, std::max<int>(0, static_cast<int>(left.count())));
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0) return false;  // still not exec'd (or poll failed): taken as started
    ssize_t n = ::read(fd, msg, sizeof(msg));
    if (n < 0 && errno == EINTR) continue;
    return n == static_cast<ssize_t>(sizeof(msg));
  }
}

}  // namespace

bool Plain(const ProcessContext& p, const SpawnOptions& o) {
  return (!p.credentials || o.full_privileges) && p.root_directory.empty() &&
         p.working_directory.empty() && !p.umask && !p.nice && !p.oom_score_adjust &&
         ((!p.capability_bounding_set && !p.ambient_capabilities && !p.no_new_privileges) ||
          o.full_privileges) &&
         !p.ignore_sigpipe && p.rlimits.empty() && o.pass_fds.empty() && o.pid_env.empty() &&
         o.output_fd < 0 && p.stdin_target.kind == StdioTarget::Kind::kInherit &&
         p.stdout_target.kind == StdioTarget::Kind::kInherit &&
         p.stderr_target.kind == StdioTarget::Kind::kInherit && o.stdout_fd < 0 &&
         o.stderr_fd < 0 && o.stdin_fd < 0;
}

pid_t Spawn(const std::vector<std::string>& argv, const std::string& text,
            const std::vector<std::string>& env, const ProcessContext& process,
            const SpawnOptions& opts, std::string* err) noexcept {
  try {
    if (argv.empty()) {
      *err = "empty command";
      return -1;
    }
    const std::string& shown = opts.path.empty() ? argv[0] : opts.path;
    if (Plain(process, opts)) {
      pid_t pid = -1;
      int rc = SpawnOnce(&pid, argv, env, opts.path);
      if (rc == ENOEXEC) rc = SpawnOnce(&pid, {"/bin/sh", "-c", "exec " + text}, env);
      if (rc != 0) {
        *err = "cannot execute \"" + shown + "\": " + strerror(rc);
        return -1;
      }
      return pid;
    }
    ChildPlan plan;
    plan.argv = argv;
    plan.env = env;
    plan.sh_argv = {"/bin/sh", "-c", "exec " + text};
    std::vector<std::string> pid_names = opts.pid_env;
    if (!opts.pass_fds.empty()) pid_names.push_back("LISTEN_PID");
    for (const auto& name : pid_names) {
      std::string key = name + "=";
      std::erase_if(plan.env, [&](const std::string& e) { return e.rfind(key, 0) == 0; });
      plan.env.push_back(key + std::string(20, ' '));
      plan.pid_envs.emplace_back(plan.env.size() - 1, key.size());
    }
    plan.cargv = CStrings(plan.argv);
    plan.cenv = CStrings(plan.env);
    plan.csh = CStrings(plan.sh_argv);
    plan.process = &process;
    plan.opts = &opts;
    if (!opts.path.empty()) {
      plan.file = opts.path;
    } else if (argv[0].find('/') != std::string::npos) {
      plan.file = argv[0];
    } else {
      std::string path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
      for (const auto& e : env)
        if (e.rfind("PATH=", 0) == 0) path = e.substr(5);
      size_t pos = 0;
      while (pos <= path.size()) {
        size_t colon = path.find(':', pos);
        if (colon == std::string::npos) colon = path.size();
        std::string d = path.substr(pos, colon - pos);
        plan.path_dirs.push_back((d.empty() ? "." : d) + "/" + argv[0]);
        pos = colon + 1;
      }
    }
    int pipefd[2];
    if (::pipe2(pipefd, O_CLOEXEC) != 0) {
      *err = std::string("pipe: ") + strerror(errno);
      return -1;
    }
    pid_t pid = ::fork();
    if (pid == 0) {
      ::close(pipefd[0]);
      Child(plan, pipefd[1]);
    }
    ::close(pipefd[1]);
    if (pid < 0) {
      ::close(pipefd[0]);
      *err = std::string("fork: ") + strerror(errno);
      return -1;
    }
    int msg[2] = {0, 0};
    bool failed = AwaitExec(pipefd[0], msg);
    ::close(pipefd[0]);
    if (failed) {
      // The child failed before exec and exits 127 at once: the reaper collects it (as a
      // service pid nobody knows, i.e. like an orphan).
      *err = std::string(StageName(msg[0])) + " for \"" + shown + "\": " + strerror(msg[1]);
      return -1;
    }
    return pid;
  } catch (...) {
    *err = "cannot execute \"" + (argv.empty() ? std::string() : argv[0]) + "\": out of memory";
    return -1;
  }
}

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

OwnCapabilities ReadOwnCapabilities() noexcept {
  OwnCapabilities own;
  own.bounding = Available(~uint64_t{0});
  __user_cap_data_struct data[2]{};
  own.can_limit = GetCapabilities(data) && (data[0].effective & caps::Bit(CAP_SETPCAP)) != 0;
  return own;
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

std::vector<ProcInfo> ProcessTable() noexcept {
  std::vector<ProcInfo> out;
  try {
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
      out.push_back({static_cast<pid_t>(pid), ppid, pgrp, session});
    }
    ::closedir(d);
  } catch (...) {
  }
  return out;
}

std::vector<pid_t> LiveProcesses(pid_t descendants_of) noexcept {
  std::vector<pid_t> out;
  try {
    std::map<pid_t, pid_t> parent;
    for (const auto& p : ProcessTable()) parent[p.pid] = p.ppid;
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

std::optional<pid_t> ReadPidFile(const std::string& path, uid_t* owner) noexcept {
  try {
    // The file is often in a directory the service's user owns: it may be anything. Like
    // systemd, a symlink is refused, and so is anything but a small regular file.
    std::string text, err;
    if (!files::ReadUntrustedFile(
            path, {.max_bytes = kMaxPidFileBytes, .follow_links = false, .owner = owner}, &text,
            &err)) {
      // Polled every 100 ms while a daemon starts: say it once per path and reason.
      static std::string last_warning;
      std::string warning = path + ": " + err;
      if (err != strerror(ENOENT) && warning != last_warning)
        log::Warn("pid file {}, ignoring it", warning);
      last_warning = warning;
      return std::nullopt;
    }
    size_t i = text.find_first_not_of(" \t\r\n");
    long long v = 0;
    if (i == std::string::npos || sscanf(text.c_str() + i, "%lld", &v) != 1 || v <= 1 ||
        v > (1LL << 30))
      return std::nullopt;
    return static_cast<pid_t>(v);
  } catch (...) {
    return std::nullopt;
  }
}

std::optional<pid_t> PickDaemon(const std::vector<ProcInfo>& table, pid_t launcher, pid_t self,
                                const std::function<bool(pid_t)>& carries_token) noexcept {
  try {
    std::set<pid_t> alive;
    for (const auto& p : table) alive.insert(p.pid);
    std::optional<pid_t> found;
    for (const auto& p : table) {
      if (p.pid == launcher || p.ppid != self) continue;  // not re-parented to us
      bool launchers = p.pgid == launcher || p.sid == launcher;
      // Forked twice: its session's leader (the launcher's child) is gone too, and it does not
      // lead a session of its own as every process ctinit starts does.
      bool orphaned_session = p.sid != p.pid && p.sid != self && !alive.count(p.sid);
      // daemon(3): a session of its own, as ctinit's own children; only the token tells.
      bool own_session = p.sid == p.pid;
      bool candidate = launchers;
      if (!candidate && (orphaned_session || own_session))
        candidate = carries_token ? carries_token(p.pid) : orphaned_session;
      if (!candidate) continue;
      if (found) return std::nullopt;  // two candidates: no guess
      found = p.pid;
    }
    return found;
  } catch (...) {
    return std::nullopt;
  }
}

namespace {

// Whether the initial environment of `pid` holds the entry `token` (its first 256 KiB).
bool EnvironHolds(pid_t pid, const std::string& token) {
  constexpr size_t kMaxEnviron = 256 * 1024;
  std::ifstream f("/proc/" + std::to_string(pid) + "/environ", std::ios::binary);
  std::string env(kMaxEnviron, '\0');
  f.read(env.data(), static_cast<std::streamsize>(env.size()));
  env.resize(static_cast<size_t>(f.gcount()));
  for (size_t at = 0; at < env.size();) {
    size_t end = env.find('\0', at);
    if (end == std::string::npos) break;  // cut short: not a whole entry
    if (env.compare(at, end - at, token) == 0) return true;
    at = end + 1;
  }
  return false;
}

}  // namespace

std::optional<pid_t> GuessDaemon(pid_t launcher, pid_t self, const std::string& token) noexcept {
  try {
    std::function<bool(pid_t)> carries;
    if (!token.empty()) carries = [&token](pid_t pid) { return EnvironHolds(pid, token); };
    return PickDaemon(ProcessTable(), launcher, self, carries);
  } catch (...) {
    return std::nullopt;
  }
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
