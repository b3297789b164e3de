#include "openrc-shim/applets/start_stop_daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include "init/base/files.h"
#include "init/base/passwd.h"
#include "init/base/text.h"
#include "openrc-shim/applets/daemon_env.h"
#include "openrc-shim/applets/einfo.h"
#include "openrc-shim/applets/output_logger.h"
#include "openrc-shim/applets/ready_notify.h"
#include "openrc-shim/applets/retry.h"
#include "openrc-shim/applets/service_state.h"

extern char** environ;

namespace ctinit::openrc {
namespace {

using Options = StartStopDaemonOptions;

// " * start-stop-daemon: <message>" on stderr.
void Error(const std::string& message) { EError(std::string(kStartStopDaemon) + ": " + message); }

std::vector<pid_t> Running(const MatchSpec& spec) {
  return FindPids(ReadProcs("/proc"), spec, getpid());
}

// get_pid(): the pid in `pidfile`; 0 when the file does not exist; -1 (message printed) when it
// cannot be read or holds no pid.
pid_t PidFromFile(const std::string& pidfile) {
  std::ifstream in(pidfile);
  if (!in) {
    if (errno == ENOENT) return 0;
    Error("fopen " + Quoted(pidfile) + ": " + strerror(errno));
    return -1;
  }
  long pid = 0;
  if (!(in >> pid) || pid <= 0) {
    Error("no pid found in " + Quoted(pidfile));
    return -1;
  }
  return static_cast<pid_t>(pid);
}

// The processes `exec` with `argv` run by `cred`'s user (no pidfile involved).
MatchSpec ByCommand(const std::string& exec, const std::vector<std::string>& argv,
                    const std::optional<Credentials>& cred) {
  MatchSpec spec;
  spec.exec = exec;
  spec.argv = argv;
  spec.uid = cred ? cred->uid : 0;
  return spec;
}

// Sends `sig` to every match; the number signalled, 0 for none, -1 when a kill failed.
int SignalAll(const MatchSpec& spec, int sig, bool test, bool quiet) {
  int n = 0;
  for (pid_t p : Running(spec)) {
    if (test) {
      EInfo("Would send signal " + std::to_string(sig) + " to PID " + std::to_string(p));
      ++n;
      continue;
    }
    if (sig != 0 && !quiet) {
      VEInfo("Sending signal " + std::to_string(sig) + " to PID " + std::to_string(p));
    }
    if (kill(p, sig) == 0 || errno == ESRCH) {
      if (n != -1) ++n;
    } else {
      if (!quiet) {
        Error("failed to send signal " + std::to_string(sig) + " to PID " + std::to_string(p) +
              ": " + strerror(errno));
      }
      n = -1;
    }
  }
  return n;
}

// Waits up to `step`'s seconds (or for ever) for the matches to go; the number still running.
int WaitForExit(const RetryStep& step, const MatchSpec& spec, bool progress, bool* progressed) {
  int nrunning = 0;
  for (long sec = 0; step.kind == RetryStep::Kind::kForever || sec < step.value; ++sec) {
    for (int loop = 0; loop < 50; ++loop) {
      nrunning = static_cast<int>(Running(spec).size());
      if (nrunning == 0) return 0;
      timespec ts{0, 20 * 1000 * 1000};
      nanosleep(&ts, nullptr);
    }
    if (progress) {
      printf(".");
      fflush(stdout);
      *progressed = true;
    }
  }
  return nrunning;
}

// run_stop_schedule(): the number stopped, or -(number still running).
int RunSchedule(const RetrySchedule& schedule, const MatchSpec& spec, bool test, bool progress,
                bool quiet) {
  if (!(spec.pid > 0 || !spec.exec.empty() || spec.uid != 0 || !spec.argv.empty())) return 0;
  int tkilled = 0, nkilled = 0, nrunning = 0;
  bool progressed = false;
  size_t i = 0;
  while (i < schedule.size()) {
    const RetryStep& s = schedule[i];
    if (s.kind == RetryStep::Kind::kGoto) {
      i = static_cast<size_t>(s.value);
      continue;
    }
    if (s.kind == RetryStep::Kind::kSignal) {
      nrunning = 0;
      nkilled = SignalAll(spec, s.value, test, quiet);
      if (nkilled == 0) {
        if (tkilled == 0) {
          if (progressed) printf("\n");
          Error("no matching processes found");
        }
        return tkilled;
      }
      if (nkilled == -1) return 0;
      tkilled += nkilled;
    } else {
      if (s.kind == RetryStep::Kind::kTimeout && s.value < 1) break;
      nrunning = WaitForExit(s, spec, progress, &progressed);
      if (nrunning == 0) return tkilled;
    }
    ++i;
  }
  if (test || (tkilled > 0 && nrunning == 0)) return nkilled;
  if (progressed) printf("\n");
  if (!quiet) {
    Error(std::to_string(nrunning) +
          (nrunning == 1 ? " process refused to stop" : " process(es) refused to stop"));
  }
  return -nrunning;
}

std::string LookupPath(const std::string& exec, const std::string& chroot) {
  if (exec.empty()) return "";
  std::string root = chroot.empty() ? "" : chroot + "/";
  if (exec[0] == '/' || exec[0] == '.') return root + exec;
  const char* path = getenv("PATH");
  for (const auto& dir : text::Split(path ? path : "/bin:/sbin:/usr/bin:/usr/sbin", ':')) {
    std::string f = root + (dir.empty() ? "." : dir) + "/" + exec;
    if (files::Resolves(f)) return f;
  }
  return "";
}

// /run/openrc/daemons/<RC_SVCNAME>, where the daemon of the calling script is recorded; "" when
// no script (with a usable name) is calling.
std::string DaemonRecordDir() {
  const char* svc = getenv("RC_SVCNAME");
  if (svc == nullptr || *svc == '\0' || strchr(svc, '/') != nullptr) return "";
  return std::string("/run/openrc/daemons/") + svc;
}

void RecordDaemon(const Options& o, const std::string& exec, const std::vector<std::string>& argv) {
  std::string dir = DaemonRecordDir();
  if (dir.empty()) return;
  struct stat st;
  if (stat("/run/openrc/daemons", &st) != 0) return;
  mkdir(dir.c_str(), 0755);
  std::ofstream out(dir + "/001");
  out << "exec=" << exec << "\n";
  for (size_t i = 0; i < argv.size(); ++i) out << "argv_" << i << "=" << argv[i] << "\n";
  out << "name=" << o.name << "\n";
  out << "pidfile=" << o.pidfile << "\n";
}

// In the child: reports `message` to the parent through `errfd` and exits.
[[noreturn]] void ChildFail(int errfd, const std::string& message) {
  std::string m = std::string(kStartStopDaemon) + ": " + message;
  ssize_t w = write(errfd, m.data(), m.size());
  (void)w;
  _exit(1);
}

// Drops RC_* (but RC_SVCNAME and RC_SERVICE) and the rc helper dirs from PATH.
void DropRcEnvironment() {
  std::vector<std::string> drop;
  for (char** e = environ; e && *e; ++e) {
    std::string kv = *e;
    std::string k = kv.substr(0, kv.find('='));
    if (IsRcInternal(k)) drop.push_back(k);
  }
  for (const auto& k : drop) unsetenv(k.c_str());
  if (const char* p = getenv("PATH")) setenv("PATH", DaemonPath(p).c_str(), 1);
}

// The write end of a pipe to `sh -c command` (--stdout-logger, --stderr-logger): the logger
// reads the daemon's output on its stdin, its own output goes to `devnull`.
int PipeToLogger(const std::string& command, int devnull, int errfd) {
  std::string err;
  int fd = StartLogger(command, devnull, false, &err);
  if (fd < 0) ChildFail(errfd, err);
  return fd;
}

// stdin/stdout/stderr of the daemon: `devnull` when --background (or quiet), else the
// --stdin/--stdout/--stderr files or the loggers; every other descriptor but `errfd` and `keep`
// is closed.
void RedirectStdio(const Options& o, int devnull, int errfd, int keep) {
  auto open_log = [&](const std::string& path, const char* which) {
    if (path.empty()) return devnull;
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0660);
    if (fd < 0) {
      ChildFail(errfd, std::string("unable to open the logfile for ") + which + " " + Quoted(path) +
                           ": " + strerror(errno));
    }
    return fd;
  };
  int out_fd = open_log(o.stdout_path, "stdout");
  int err_fd = open_log(o.stderr_path, "stderr");
  const bool out_logger = o.stdout_path.empty() && !o.stdout_logger.empty();
  const bool err_logger = o.stderr_path.empty() && !o.stderr_logger.empty();
  if (out_logger) out_fd = PipeToLogger(o.stdout_logger, devnull, errfd);
  if (err_logger) err_fd = PipeToLogger(o.stderr_logger, devnull, errfd);
  bool quiet = EnvYes("EINFO_QUIET");
  if (!o.stdin_path.empty()) {
    int in_fd = open(o.stdin_path.c_str(), O_RDONLY);
    if (in_fd < 0) {
      ChildFail(errfd, "unable to open the input file for stdin " + Quoted(o.stdin_path) + ": " +
                           strerror(errno));
    }
    dup2(in_fd, 0);
  } else if (o.background && devnull >= 0) {
    dup2(devnull, 0);
  }
  if (o.background || !o.stdout_path.empty() || out_logger || quiet) dup2(out_fd, 1);
  if (o.background || !o.stderr_path.empty() || err_logger || quiet) dup2(err_fd, 2);
  for (int fd = 3; fd < 1024; ++fd) {
    if (fd != errfd && fd != keep) close(fd);
  }
}

void WritePidfile(const Options& o, int errfd) {
  FILE* f = fopen(o.pidfile.c_str(), "w");
  if (!f) ChildFail(errfd, "fopen " + Quoted(o.pidfile) + ": " + strerror(errno));
  fprintf(f, "%d\n", static_cast<int>(getpid()));
  fclose(f);
}

void SwitchUser(const Credentials& cred, int errfd) {
  if (setgroups(cred.groups.size(), cred.groups.data()) != 0 && cred.uid != 0) {
    ChildFail(errfd, "setgroups: " + std::string(strerror(errno)));
  }
  if (setgid(cred.gid) != 0)
    ChildFail(errfd, "unable to set groupid to " + std::to_string(cred.gid));
  if (setuid(cred.uid) != 0)
    ChildFail(errfd, "unable to set userid to " + std::to_string(cred.uid));
  setenv("HOME", cred.home.c_str(), 1);
  setenv("USER", cred.user_name.c_str(), 1);
}

// --capabilities and --secbits around the change of user (capability_iab.h), as OpenRC applies
// its IAB tuple and securebits after cap_setuid().
void SwitchUserWithCapabilities(const Options& o, const std::optional<Credentials>& cred,
                                int errfd) {
  const CapabilityIab iab = o.capabilities.value_or(CapabilityIab{});
  const bool with_caps = o.capabilities.has_value() || (o.secbits && *o.secbits != 0);
  if (with_caps) {
    if (int e = PrepareIabBeforeSetuid(iab, cred && cred->uid != 0, o.secbits && *o.secbits != 0))
      ChildFail(errfd, std::string("Could not set iab: ") + strerror(e));
  }
  if (cred) SwitchUser(*cred, errfd);
  if (!with_caps) return;
  std::optional<unsigned> secbits;
  if (o.secbits && *o.secbits != 0) secbits = o.secbits;
  const char* what = "";
  if (int e = ApplyIabAfterSetuid(iab, secbits, &what)) {
    ChildFail(errfd, std::string("Could not set ") + what + ": " + strerror(e));
  }
}

// The child after fork(): never returns. Failures go to `errfd` as text.
[[noreturn]] void Child(const Options& o, const std::string& exec,
                        const std::vector<std::string>& argv,
                        const std::optional<Credentials>& cred, int errfd, ReadyChannel* ready) {
  umask(o.umask);
  int devnull = open("/dev/null", O_RDWR);  // before chroot: the new root may have no /dev
  setsid();
  if (o.nice && setpriority(PRIO_PROCESS, 0, *o.nice) != 0) {
    ChildFail(errfd, "setpriority " + std::to_string(*o.nice) + ": " + strerror(errno));
  }
  if (!o.chroot.empty() && chroot(o.chroot.c_str()) != 0) {
    ChildFail(errfd, "chroot " + Quoted(o.chroot) + ": " + strerror(errno));
  }
  if (!o.chdir.empty() && chdir(o.chdir.c_str()) != 0) {
    ChildFail(errfd, "chdir " + Quoted(o.chdir) + ": " + strerror(errno));
  }
  if (o.make_pidfile && !o.pidfile.empty()) WritePidfile(o, errfd);
  SwitchUserWithCapabilities(o, cred, errfd);
  DropRcEnvironment();
  RedirectStdio(o, devnull, errfd, ready->ChildEnd());
  if (!ready->InstallInChild(&errfd)) {
    ChildFail(errfd, std::string("failed to initialize notify fd: ") + strerror(errno));
  }
  if (o.no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    ChildFail(errfd, std::string("prctl: ") + strerror(errno));
  }
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  signal(SIGPIPE, SIG_DFL);
  execvp(exec.c_str(), cargv.data());
  ChildFail(errfd, "failed to exec " + Quoted(exec) + ": " + strerror(errno));
}

// --test: what --start would do.
int ShowWouldStart(const Options& o, const std::optional<Credentials>& cred) {
  if (EnvYes("EINFO_QUIET")) return 0;
  std::string line = "Would start";
  for (const auto& a : o.args) line += " " + a;
  EInfo(line);
  if (cred && cred->uid != 0) EInfo("  as user id " + std::to_string(cred->uid));
  if (cred && cred->gid != 0) EInfo("  as group id " + std::to_string(cred->gid));
  if (!o.chroot.empty()) EInfo("  in root " + Quoted(o.chroot));
  if (!o.chdir.empty()) EInfo("  in dir " + Quoted(o.chdir));
  if (!o.name.empty()) EInfo("  with a process name of " + o.name);
  return 0;
}

// --env K=V sets, a bare --env K unsets (in this process: the child inherits it).
void ApplyEnvOptions(const Options& o) {
  for (const auto& kv : o.env) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos) {
      unsetenv(kv.c_str());
    } else {
      setenv(kv.substr(0, eq).c_str(), kv.substr(eq + 1).c_str(), 1);
    }
  }
}

// Forks the child; the child's pid, or -1 (message printed) when the fork or the child's set-up
// failed (the child has then been reaped).
pid_t Spawn(const Options& o, const std::string& exec, const std::vector<std::string>& argv,
            const std::optional<Credentials>& cred, ReadyChannel* ready) {
  int pfd[2];
  if (pipe2(pfd, O_CLOEXEC) != 0) {
    Error(std::string("pipe2: ") + strerror(errno));
    return -1;
  }
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) {
    Error(std::string("fork: ") + strerror(errno));
    return -1;
  }
  if (pid == 0) {
    close(pfd[0]);
    Child(o, exec, argv, cred, pfd[1], ready);
  }
  close(pfd[1]);
  std::string err;
  char buf[512];
  for (;;) {
    ssize_t n = read(pfd[0], buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    err.append(buf, static_cast<size_t>(n));
  }
  close(pfd[0]);
  if (err.empty()) return pid;
  int st;
  waitpid(pid, &st, 0);
  EError(err);
  return -1;
}

// Without --background: the child is expected to fork the daemon and exit 0.
bool WaitForLauncher(pid_t pid, const std::string& exec) {
  int st = 0;
  while (waitpid(pid, &st, 0) < 0) {
    if (errno != EINTR) {
      EError("waitpid " + std::to_string(pid) + ": " + strerror(errno));
      return false;
    }
  }
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    Error("failed to start " + Quoted(exec));
    return false;
  }
  return true;
}

// --wait MS (or SSD_STARTWAIT): sleeps, then checks that the daemon still runs.
bool SurvivesStartWait(const Options& o, pid_t pid, const std::string& exec,
                       const std::vector<std::string>& argv,
                       const std::optional<Credentials>& cred) {
  unsigned wait_ms = o.wait_ms;
  if (wait_ms == 0) {
    if (const char* w = getenv("SSD_STARTWAIT")) ParseUnsigned(w, &wait_ms);
  }
  if (wait_ms == 0) return true;
  timespec ts{static_cast<time_t>(wait_ms / 1000), static_cast<long>(wait_ms % 1000) * 1000000};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
  bool alive = false;
  if (o.background) {
    int st;
    alive = waitpid(pid, &st, WNOHANG) == 0;
  } else if (!o.pidfile.empty()) {
    MatchSpec check;
    check.pid = PidFromFile(o.pidfile);
    if (check.pid <= 0) {
      Error("did not create a valid pid in " + Quoted(o.pidfile));
      return false;
    }
    alive = !Running(check).empty();
  } else {
    alive = !Running(ByCommand(exec, argv, cred)).empty();
  }
  if (!alive) Error(exec + " died");
  return alive;
}

// --capabilities / --secbits: what this container cannot apply is refused here, in one line,
// before anything is started.
bool CapabilitiesApplicable(const Options& o) {
  const OwnCapabilitySets own = ReadOwnCapabilitySets();
  if (o.capabilities) {
    std::string why = CheckIab(*o.capabilities, own);
    if (!why.empty()) {
      Error("--capabilities: " + why);
      return false;
    }
  }
  if (o.secbits && *o.secbits != 0 && !own.setpcap) {
    Error("--secbits: cannot set securebits without cap_setpcap");
    return false;
  }
  return true;
}

// The name the notify socket is made for: the calling script's service.
std::string NotifyName() {
  const char* svc = getenv("RC_SVCNAME");
  return svc != nullptr && *svc != '\0' && strchr(svc, '/') == nullptr ? svc : kStartStopDaemon;
}

int Start(const Options& o, const std::string& exec, const std::vector<std::string>& argv,
          const std::optional<Credentials>& cred) {
  std::string exec_file = LookupPath(exec, o.chroot);
  if (!files::Resolves(exec_file)) {
    Error((exec_file.empty() ? exec : exec_file) + " does not exist");
    return 1;
  }
  if (o.retry) EWarn("using --retry with --start has no effect, use --wait instead");
  MatchSpec spec;
  if (!o.pidfile.empty()) {
    spec.pid = PidFromFile(o.pidfile);
    if (spec.pid <= 0) spec.pid = -1;  // a missing/bad pidfile matches nothing
  } else {
    spec = ByCommand(exec, argv, cred);
  }
  if (spec.pid != -1 && !Running(spec).empty()) {
    Error(exec + " is already running");
    return 1;
  }
  if (o.test) return ShowWouldStart(o, cred);
  if (!CapabilitiesApplicable(o)) return 1;
  VEInfo("Detaching to start " + Quoted(exec));
  if (!o.pidfile.empty()) unlink(o.pidfile.c_str());
  ApplyEnvOptions(o);
  ReadyChannel ready;
  std::string err;
  if (!ready.Open(o.notify, o.notify_fd, SvcDirFromEnv(), NotifyName(), &err)) {
    Error(err);
    return 1;
  }
  pid_t pid = Spawn(o, exec, argv, cred, &ready);
  if (pid < 0) return 1;
  if (!o.background && !WaitForLauncher(pid, exec)) return 1;
  if (o.notify != Options::Notify::kNone) {
    // OpenRC waits for the word instead of --wait.
    if (!ready.Wait()) {
      Error(exec + " did not report that it is ready");
      return 1;
    }
  } else if (!SurvivesStartWait(o, pid, exec, argv, cred)) {
    return 1;
  }
  RecordDaemon(o, exec, argv);
  return 0;
}

int Stop(const Options& o, const std::string& exec, const std::vector<std::string>& argv,
         const std::optional<Credentials>& cred) {
  int sig = o.signal == -1 ? SIGTERM : o.signal;
  bool oknodo = o.oknodo || !o.stop;
  std::string err;
  std::optional<std::string> sched = o.retry;
  if (!sched && (o.test || oknodo)) sched = "0";
  auto schedule = ParseRetry(sched, sig, &err);
  if (!schedule) {
    Error(err);
    return 1;
  }
  MatchSpec spec;
  if (!o.pidfile.empty()) {
    spec.pid = PidFromFile(o.pidfile);
    if (spec.pid < 0) return 1;
  }
  if (spec.pid <= 0) spec = ByCommand(exec, argv, cred);
  int n = RunSchedule(*schedule, spec, o.test, o.progress, o.quiet);
  if (n < 0) return 1;
  if (o.test || oknodo) return n > 0 ? 0 : 1;
  if (!o.pidfile.empty() && files::Resolves(o.pidfile)) unlink(o.pidfile.c_str());
  if (std::string dir = DaemonRecordDir(); !dir.empty()) unlink((dir + "/001").c_str());
  return 0;
}

// The daemon's executable, process name and argv as OpenRC derives them from --exec, --name,
// --startas and the arguments.
void DeriveCommand(const Options& o, std::string* exec, std::string* name,
                   std::vector<std::string>* argv) {
  *exec = o.exec;
  *name = o.name;
  *argv = o.args;
  if (exec->empty()) {
    *exec = o.startas;
  } else if (name->empty()) {
    *name = o.startas;
  }
  if (exec->empty()) {
    *exec = argv->empty() ? *name : (*argv)[0];
    if (!name->empty() && o.start) {
      if (argv->empty()) {
        argv->push_back(*name);
      } else {
        (*argv)[0] = *name;
      }
    }
  } else if (!name->empty()) {
    argv->insert(argv->begin(), *name);
  } else {
    argv->insert(argv->begin(), *exec);
  }
}

// --user USER[:GROUP] / --group: false (message printed) when the image does not know them.
bool ResolveCredentials(const Options& o, std::optional<Credentials>* cred) {
  if (o.user.empty() && o.group.empty()) return true;
  std::string user = o.user.empty() ? "0" : o.user, group = o.group;
  if (group.empty() && user.find(':') != std::string::npos) {
    group = user.substr(user.find(':') + 1);
    user = user.substr(0, user.find(':'));
  }
  std::string err;
  *cred = passwd::Resolve("/", user, group, {}, &err);
  if (*cred) return true;
  if (err.rfind("unknown user", 0) == 0) {
    Error("user " + Quoted(user) + " not found");
  } else {
    Error("group " + Quoted(group) + " not found");
  }
  return false;
}

}  // namespace

int StartStopDaemonMain(const std::vector<std::string>& args) noexcept {
  try {
    Options o;
    std::string error;
    if (!ParseStartStopDaemonArgs(args, &o, &error)) {
      EError(error);
      return 1;
    }
    if (o.quiet) setenv("EINFO_QUIET", "YES", 1);
    if (o.verbose) setenv("EINFO_VERBOSE", "YES", 1);
    for (const auto& w : o.warnings) EWarn(w);
    std::string exec, name;
    std::vector<std::string> argv;
    DeriveCommand(o, &exec, &name, &argv);
    std::optional<Credentials> cred;
    if (!ResolveCredentials(o, &cred)) return 1;
    signal(SIGPIPE, SIG_IGN);
    if (o.stop || o.signal != -1) {
      // Match: --exec X with only its own name as argv, as OpenRC's margv.
      std::vector<std::string> match_argv = argv;
      if (!o.start && exec.empty() && name.empty() && argv.empty()) match_argv.clear();
      if (o.exec.empty() && o.startas.empty() && argv.empty()) {
        // --name only: the comm test alone
        return Stop(o, name, {}, cred);
      }
      return Stop(o, exec, match_argv, cred);
    }
    return Start(o, exec, argv, cred);
  } catch (...) {
    Error("out of memory");
  }
  return 1;
}

}  // namespace ctinit::openrc
