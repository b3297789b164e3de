#include "openrc-shim/applets/start_stop_daemon.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>

#include "init/base/passwd.h"
#include "openrc-shim/applets/einfo.h"
#include "openrc-shim/applets/retry.h"

extern char** environ;

namespace ctinit::openrc {
namespace {

constexpr const char* kApplet = "start-stop-daemon";

struct OptDef {
  const char* name;
  char short_name;
  bool has_arg;
};

constexpr OptDef kOpts[] = {
    {"start", 'S', false},       {"stop", 'K', false},         {"exec", 'x', true},
    {"pidfile", 'p', true},      {"make-pidfile", 'm', false}, {"background", 'b', false},
    {"user", 'u', true},         {"chuid", 'c', true},         {"group", 'g', true},
    {"chdir", 'd', true},        {"chroot", 'r', true},        {"stdout", '1', true},
    {"stderr", '2', true},       {"retry", 'R', true},         {"signal", 's', true},
    {"wait", 'w', true},         {"name", 'n', true},          {"startas", 'a', true},
    {"interpreted", 'i', false}, {"umask", 'k', true},         {"oknodo", 'o', false},
    {"test", 't', false},        {"nicelevel", 'N', true},     {"env", 'e', true},
    {"progress", 'P', false},    {"quiet", 'q', false},        {"verbose", 'v', false},
    {"nocolor", 'C', false},     {"help", 'h', false},
};

std::string Q(const std::string& s) { return "`" + s + "'"; }

bool ParseUnsigned(const std::string& s, unsigned* out) {
  if (s.empty() || s[0] == '-') return false;
  char* end = nullptr;
  errno = 0;
  unsigned long v = strtoul(s.c_str(), &end, 10);
  if (end == s.c_str() || errno != 0 || v > 0xffffffffUL) return false;
  *out = static_cast<unsigned>(v);
  return true;
}

bool Apply(StartStopDaemonOptions* o, char opt, const std::string& v, std::string* error) {
  switch (opt) {
    case 'S':
      o->start = true;
      break;
    case 'K':
      o->stop = true;
      break;
    case 'x':
      o->exec = v;
      break;
    case 'p':
      o->pidfile = v;
      break;
    case 'm':
      o->make_pidfile = true;
      break;
    case 'b':
      o->background = true;
      break;
    case 'c':
      o->warnings.push_back(
          "WARNING: -c/--chuid is deprecated and will be removed in the future, please use "
          "-u/--user instead");
      [[fallthrough]];
    case 'u':
      o->user = v;
      break;
    case 'g':
      o->group = v;
      break;
    case 'd':
      o->chdir = v;
      break;
    case 'r':
      o->chroot = v;
      break;
    case '1':
      o->stdout_path = v;
      break;
    case '2':
      o->stderr_path = v;
      break;
    case 'R':
      o->retry = v;
      break;
    case 's': {
      std::string err;
      auto sig = ParseSignal(v, &err);
      if (!sig) {
        *error = std::string(kApplet) + ": " + err;
        return false;
      }
      o->signal = *sig;
      break;
    }
    case 'w':
      if (!ParseUnsigned(v, &o->wait_ms)) {
        *error = std::string(kApplet) + ": " + Q(v) + " not a number";
        return false;
      }
      break;
    case 'n':
      o->name = v;
      break;
    case 'a':
      o->warnings.push_back(
          "WARNING: -a/--startas is deprecated and will be removed in the future, please use "
          "-x/--exec or -n/--name instead");
      o->startas = v;
      break;
    case 'i':
      o->interpreted = true;
      break;
    case 'k': {
      char* end = nullptr;
      long m = strtol(v.c_str(), &end, 8);
      if (v.empty() || *end != '\0' || m < 0 || m > 0777) {
        *error = std::string(kApplet) + ": invalid mode " + Q(v);
        return false;
      }
      o->umask = static_cast<mode_t>(m);
      break;
    }
    case 'o':
      o->warnings.push_back("WARNING: -o/--oknodo is deprecated and will be removed in the future");
      o->oknodo = true;
      break;
    case 't':
      o->test = true;
      break;
    case 'N': {
      char* end = nullptr;
      long n = strtol(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0') {
        *error = std::string(kApplet) + ": invalid nice level " + Q(v);
        return false;
      }
      o->nice = static_cast<int>(n);
      break;
    }
    case 'e':
      o->env.push_back(v);
      break;
    case 'P':
      o->progress = true;
      break;
    case 'q':
      o->quiet = true;
      break;
    case 'v':
      o->verbose = true;
      break;
    case 'C':
      break;
    case 'h':
      *error = std::string("Usage: ") + kApplet +
               " [options] [--] [arguments]; see start-stop-daemon(8)";
      return false;
    default:
      break;
  }
  return true;
}

const OptDef* FindShort(char c) {
  for (const auto& d : kOpts)
    if (d.short_name == c) return &d;
  return nullptr;
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep)) out.push_back(cur);
  return out;
}

std::string ReadFile(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool Exists(const std::string& p) {
  struct stat st;
  return !p.empty() && stat(p.c_str(), &st) == 0;
}

// get_pid(): the pid in `pidfile`; 0 when the file does not exist; -1 (message printed) when it
// cannot be read or holds no pid.
pid_t PidFromFile(const std::string& pidfile) {
  std::ifstream in(pidfile);
  if (!in) {
    if (errno == ENOENT) return 0;
    EError(std::string(kApplet) + ": fopen " + Q(pidfile) + ": " + strerror(errno));
    return -1;
  }
  long pid = 0;
  if (!(in >> pid) || pid <= 0) {
    EError(std::string(kApplet) + ": no pid found in " + Q(pidfile));
    return -1;
  }
  return static_cast<pid_t>(pid);
}

// Sends `sig` to every match; the number signalled, 0 for none, -1 when a kill failed.
int DoStop(const MatchSpec& spec, int sig, bool test, bool quiet) {
  auto pids = FindPids(ReadProcs("/proc"), spec, getpid());
  int n = 0;
  for (pid_t p : pids) {
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
        EError(std::string(kApplet) + ": failed to send signal " + std::to_string(sig) +
               " to PID " + std::to_string(p) + ": " + strerror(errno));
      }
      n = -1;
    }
  }
  return n;
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
      nkilled = DoStop(spec, s.value, test, quiet);
      if (nkilled == 0) {
        if (tkilled == 0) {
          if (progressed) printf("\n");
          EError(std::string(kApplet) + ": no matching processes found");
        }
        return tkilled;
      }
      if (nkilled == -1) return 0;
      tkilled += nkilled;
    } else {
      if (s.kind == RetryStep::Kind::kTimeout && s.value < 1) break;
      for (long sec = 0; s.kind == RetryStep::Kind::kForever || sec < s.value; ++sec) {
        for (int loop = 0; loop < 50; ++loop) {
          nrunning = static_cast<int>(FindPids(ReadProcs("/proc"), spec, getpid()).size());
          if (nrunning == 0) return tkilled;
          timespec ts{0, 20 * 1000 * 1000};
          nanosleep(&ts, nullptr);
        }
        if (progress) {
          printf(".");
          fflush(stdout);
          progressed = true;
        }
      }
    }
    ++i;
  }
  if (test || (tkilled > 0 && nrunning == 0)) return nkilled;
  if (progressed) printf("\n");
  if (!quiet) {
    EError(std::string(kApplet) + ": " + std::to_string(nrunning) +
           (nrunning == 1 ? " process refused to stop" : " process(es) refused to stop"));
  }
  return -nrunning;
}

std::string LookupPath(const std::string& exec, const std::string& chroot) {
  if (exec.empty()) return "";
  std::string root = chroot.empty() ? "" : chroot + "/";
  if (exec[0] == '/' || exec[0] == '.') return root + exec;
  const char* path = getenv("PATH");
  for (const auto& dir : Split(path ? path : "/bin:/sbin:/usr/bin:/usr/sbin", ':')) {
    std::string f = root + (dir.empty() ? "." : dir) + "/" + exec;
    if (Exists(f)) return f;
  }
  return "";
}

void RecordDaemon(const StartStopDaemonOptions& o, const std::string& exec,
                  const std::vector<std::string>& argv) {
  const char* svc = getenv("RC_SVCNAME");
  if (svc == nullptr || *svc == '\0' || strchr(svc, '/') != nullptr) return;
  std::string dir = std::string("/run/openrc/daemons/") + svc;
  struct stat st;
  if (stat("/run/openrc/daemons", &st) != 0) return;
  mkdir(dir.c_str(), 0755);
  std::ofstream out(dir + "/001");
  out << "exec=" << exec << "\n";
  for (size_t i = 0; i < argv.size(); ++i) out << "argv_" << i << "=" << argv[i] << "\n";
  out << "name=" << o.name << "\n";
  out << "pidfile=" << o.pidfile << "\n";
}

// The child after fork(): never returns. Failures go to `errfd` as text.
[[noreturn]] void Child(const StartStopDaemonOptions& o, const std::string& exec,
                        const std::vector<std::string>& argv,
                        const std::optional<Credentials>& cred, int errfd) {
  auto fail = [&](const std::string& msg) {
    std::string m = std::string(kApplet) + ": " + msg;
    ssize_t w = write(errfd, m.data(), m.size());
    (void)w;
    _exit(1);
  };
  umask(o.umask);
  int devnull = open("/dev/null", O_RDWR);
  setsid();
  if (o.nice && setpriority(PRIO_PROCESS, 0, *o.nice) != 0) {
    fail("setpriority " + std::to_string(*o.nice) + ": " + strerror(errno));
  }
  if (!o.chroot.empty() && chroot(o.chroot.c_str()) != 0) {
    fail("chroot " + Q(o.chroot) + ": " + strerror(errno));
  }
  if (!o.chdir.empty() && chdir(o.chdir.c_str()) != 0) {
    fail("chdir " + Q(o.chdir) + ": " + strerror(errno));
  }
  if (o.make_pidfile && !o.pidfile.empty()) {
    FILE* f = fopen(o.pidfile.c_str(), "w");
    if (!f) fail("fopen " + Q(o.pidfile) + ": " + strerror(errno));
    fprintf(f, "%d\n", static_cast<int>(getpid()));
    fclose(f);
  }
  if (cred) {
    if (setgroups(cred->groups.size(), cred->groups.data()) != 0 && cred->uid != 0) {
      fail("setgroups: " + std::string(strerror(errno)));
    }
    if (setgid(cred->gid) != 0) fail("unable to set groupid to " + std::to_string(cred->gid));
    if (setuid(cred->uid) != 0) fail("unable to set userid to " + std::to_string(cred->uid));
    setenv("HOME", cred->home.c_str(), 1);
    setenv("USER", cred->user_name.c_str(), 1);
  }
  // Drop RC_* (but RC_SVCNAME and RC_SERVICE) and the rc helper dirs from PATH.
  std::vector<std::string> drop;
  for (char** e = environ; e && *e; ++e) {
    std::string kv = *e;
    std::string k = kv.substr(0, kv.find('='));
    if (k.rfind("RC_", 0) == 0 && k != "RC_SVCNAME" && k != "RC_SERVICE") drop.push_back(k);
  }
  for (const auto& k : drop) unsetenv(k.c_str());
  if (const char* p = getenv("PATH")) {
    std::string np;
    for (const auto& d : Split(p, ':')) {
      if (d.empty() || d == "/lib/rc/bin" || d == "/lib/rc/sbin") continue;
      np += (np.empty() ? "" : ":") + d;
    }
    setenv("PATH", np.c_str(), 1);
  }
  int out_fd = devnull, err_fd = devnull;
  if (!o.stdout_path.empty()) {
    out_fd = open(o.stdout_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0660);
    if (out_fd < 0) {
      fail("unable to open the logfile for stdout " + Q(o.stdout_path) + ": " + strerror(errno));
    }
  }
  if (!o.stderr_path.empty()) {
    err_fd = open(o.stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0660);
    if (err_fd < 0) {
      fail("unable to open the logfile for stderr " + Q(o.stderr_path) + ": " + strerror(errno));
    }
  }
  bool quiet = EnvYes("EINFO_QUIET");
  if (o.background && devnull >= 0) dup2(devnull, 0);
  if (o.background || !o.stdout_path.empty() || quiet) dup2(out_fd, 1);
  if (o.background || !o.stderr_path.empty() || quiet) dup2(err_fd, 2);
  for (int fd = 3; fd < 1024; ++fd) {
    if (fd != errfd) close(fd);
  }
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  signal(SIGPIPE, SIG_DFL);
  execvp(exec.c_str(), cargv.data());
  fail("failed to exec " + Q(exec) + ": " + strerror(errno));
  _exit(1);
}

int Start(const StartStopDaemonOptions& o, const std::string& exec,
          const std::vector<std::string>& argv, const std::optional<Credentials>& cred) {
  std::string exec_file = LookupPath(exec, o.chroot);
  if (!Exists(exec_file)) {
    EError(std::string(kApplet) + ": " + (exec_file.empty() ? exec : exec_file) +
           " does not exist");
    return 1;
  }
  if (o.retry) EWarn("using --retry with --start has no effect, use --wait instead");
  MatchSpec spec;
  if (!o.pidfile.empty()) {
    spec.pid = PidFromFile(o.pidfile);
    if (spec.pid <= 0) spec.pid = -1;  // a missing/bad pidfile matches nothing
  } else {
    spec.exec = exec;
    spec.argv = argv;
    spec.uid = cred ? cred->uid : 0;
  }
  if (spec.pid != -1 && !FindPids(ReadProcs("/proc"), spec, getpid()).empty()) {
    EError(std::string(kApplet) + ": " + exec + " is already running");
    return 1;
  }
  if (o.test) {
    if (EnvYes("EINFO_QUIET")) return 0;
    std::string line = "Would start";
    for (const auto& a : o.args) line += " " + a;
    EInfo(line);
    if (cred && cred->uid != 0) EInfo("  as user id " + std::to_string(cred->uid));
    if (cred && cred->gid != 0) EInfo("  as group id " + std::to_string(cred->gid));
    if (!o.chroot.empty()) EInfo("  in root " + Q(o.chroot));
    if (!o.chdir.empty()) EInfo("  in dir " + Q(o.chdir));
    if (!o.name.empty()) EInfo("  with a process name of " + o.name);
    return 0;
  }
  VEInfo("Detaching to start " + Q(exec));
  if (!o.pidfile.empty()) unlink(o.pidfile.c_str());
  for (const auto& kv : o.env) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos) {
      unsetenv(kv.c_str());
    } else {
      setenv(kv.substr(0, eq).c_str(), kv.substr(eq + 1).c_str(), 1);
    }
  }
  int pfd[2];
  if (pipe2(pfd, O_CLOEXEC) != 0) {
    EError(std::string(kApplet) + ": pipe2: " + strerror(errno));
    return 1;
  }
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) {
    EError(std::string(kApplet) + ": fork: " + strerror(errno));
    return 1;
  }
  if (pid == 0) {
    close(pfd[0]);
    Child(o, exec, argv, cred, pfd[1]);
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
  if (!err.empty()) {
    int st;
    waitpid(pid, &st, 0);
    EError(err);
    return 1;
  }
  if (!o.background) {
    int st = 0;
    while (waitpid(pid, &st, 0) < 0) {
      if (errno != EINTR) {
        EError("waitpid " + std::to_string(pid) + ": " + strerror(errno));
        return 1;
      }
    }
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
      EError(std::string(kApplet) + ": failed to start " + Q(exec));
      return 1;
    }
  }
  unsigned wait_ms = o.wait_ms;
  if (wait_ms == 0) {
    if (const char* w = getenv("SSD_STARTWAIT")) ParseUnsigned(w, &wait_ms);
  }
  if (wait_ms > 0) {
    timespec ts{static_cast<time_t>(wait_ms / 1000), static_cast<long>(wait_ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
    bool alive = false;
    if (o.background) {
      int st;
      alive = waitpid(pid, &st, WNOHANG) == 0;
    } else {
      MatchSpec check;
      if (!o.pidfile.empty()) {
        check.pid = PidFromFile(o.pidfile);
        if (check.pid <= 0) {
          EError(std::string(kApplet) + ": did not create a valid pid in " + Q(o.pidfile));
          return 1;
        }
      } else {
        check.exec = exec;
        check.argv = argv;
        check.uid = cred ? cred->uid : 0;
      }
      alive = !FindPids(ReadProcs("/proc"), check, getpid()).empty();
    }
    if (!alive) {
      EError(std::string(kApplet) + ": " + exec + " died");
      return 1;
    }
  }
  RecordDaemon(o, exec, argv);
  return 0;
}

int Stop(const StartStopDaemonOptions& o, const std::string& exec,
         const std::vector<std::string>& argv, const std::optional<Credentials>& cred) {
  int sig = o.signal == -1 ? SIGTERM : o.signal;
  bool oknodo = o.oknodo || !o.stop;
  std::string err;
  std::optional<std::string> sched = o.retry;
  if (!sched && (o.test || oknodo)) sched = "0";
  auto schedule = ParseRetry(sched, sig, &err);
  if (!schedule) {
    EError(std::string(kApplet) + ": " + err);
    return 1;
  }
  MatchSpec spec;
  if (!o.pidfile.empty()) {
    spec.pid = PidFromFile(o.pidfile);
    if (spec.pid < 0) return 1;
  }
  if (spec.pid <= 0) {
    spec.pid = 0;
    spec.exec = exec;
    spec.argv = argv;
    spec.uid = cred ? cred->uid : 0;
  }
  int n = RunSchedule(*schedule, spec, o.test, o.progress, o.quiet);
  if (n < 0) return 1;
  if (o.test || oknodo) return n > 0 ? 0 : 1;
  if (!o.pidfile.empty() && Exists(o.pidfile)) unlink(o.pidfile.c_str());
  if (const char* svc = getenv("RC_SVCNAME"); svc && *svc && !strchr(svc, '/')) {
    std::string f = std::string("/run/openrc/daemons/") + svc + "/001";
    unlink(f.c_str());
  }
  return 0;
}

}  // namespace

bool ParseStartStopDaemonArgs(const std::vector<std::string>& args, StartStopDaemonOptions* o,
                              std::string* error) {
  size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      ++i;
      break;
    }
    if (a.size() > 2 && a[0] == '-' && a[1] == '-') {
      std::string name = a.substr(2), value;
      bool has_value = false;
      if (size_t eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
        has_value = true;
      }
      const OptDef* def = nullptr;
      for (const auto& d : kOpts)
        if (name == d.name) def = &d;
      if (def == nullptr) {
        *error = std::string(kApplet) + ": unrecognized option '--" + name + "'";
        return false;
      }
      if (def->has_arg && !has_value) {
        if (i + 1 >= args.size()) {
          *error = std::string(kApplet) + ": option '--" + name + "' requires an argument";
          return false;
        }
        value = args[++i];
      } else if (!def->has_arg && has_value) {
        *error = std::string(kApplet) + ": option '--" + name + "' doesn't allow an argument";
        return false;
      }
      if (!Apply(o, def->short_name, value, error)) return false;
    } else if (a.size() > 1 && a[0] == '-') {
      for (size_t j = 1; j < a.size(); ++j) {
        const OptDef* def = FindShort(a[j]);
        if (def == nullptr) {
          *error = std::string(kApplet) + ": invalid option -- '" + a[j] + "'";
          return false;
        }
        std::string value;
        if (def->has_arg) {
          if (j + 1 < a.size()) {
            value = a.substr(j + 1);
          } else if (i + 1 < args.size()) {
            value = args[++i];
          } else {
            *error = std::string(kApplet) + ": option requires an argument -- '" + a[j] + "'";
            return false;
          }
          if (!Apply(o, def->short_name, value, error)) return false;
          break;
        }
        if (!Apply(o, def->short_name, value, error)) return false;
      }
    } else {
      o->args.push_back(a);
    }
  }
  for (; i < args.size(); ++i) o->args.push_back(args[i]);

  const std::string app = std::string(kApplet) + ": ";
  if (o->stop || o->signal != -1) {
    if (o->args.empty() && o->exec.empty() && o->startas.empty() && o->pidfile.empty() &&
        o->name.empty() && o->user.empty()) {
      *error = app + "--stop needs --exec, --pidfile, --name or --user";
      return false;
    }
    if (o->background) {
      *error = app + "--background is only relevant with --start";
      return false;
    }
    if (o->make_pidfile) {
      *error = app + "--make-pidfile is only relevant with --start";
      return false;
    }
    if (!o->stdout_path.empty() || !o->stderr_path.empty()) {
      *error = app + "--stdout and --stderr are only relevant with --start";
      return false;
    }
    if (o->wait_ms)
      o->warnings.push_back("using --wait with --stop has no effect, use --retry instead");
  } else if (o->start) {
    if (o->exec.empty() && o->startas.empty() && o->args.empty() && o->name.empty()) {
      *error = app + "nothing to start";
      return false;
    }
    if (o->make_pidfile && o->pidfile.empty()) {
      *error = app + "--make-pidfile is only relevant with --pidfile";
      return false;
    }
    if ((!o->stdout_path.empty() || !o->stderr_path.empty()) && !o->background) {
      *error = app + "--stdout and --stderr are only relevant with --background";
      return false;
    }
  } else {
    *error = app + "need one of --start, --stop or --signal";
    return false;
  }
  if (o->retry) {
    std::string err;
    if (!ParseRetry(o->retry, o->signal == -1 ? SIGTERM : o->signal, &err)) {
      *error = app + err;
      return false;
    }
  }
  return true;
}

std::vector<pid_t> FindPids(const std::vector<ProcInfo>& procs, const MatchSpec& spec,
                            pid_t self) noexcept {
  std::vector<pid_t> out;
  try {
    std::string base = BaseName(spec.exec);
    std::string base15 = base.substr(0, 15);
    for (const auto& p : procs) {
      if (p.pid == self || p.zombie) continue;
      if (spec.pid > 0) {
        if (p.pid == spec.pid) out.push_back(p.pid);
        continue;
      }
      if (spec.pid < 0) continue;
      if (spec.uid != 0 && p.uid != spec.uid) continue;
      if (!spec.exec.empty()) {
        bool exe_match = !p.exe.empty() && p.exe == spec.exec;
        bool comm_match = p.comm == base || p.comm == base15;
        if (!exe_match && !comm_match) continue;
      }
      if (!spec.argv.empty()) {
        if (p.cmdline.size() < spec.argv.size()) continue;
        if (!std::equal(spec.argv.begin(), spec.argv.end(), p.cmdline.begin())) continue;
      }
      out.push_back(p.pid);
    }
  } catch (...) {
  }
  return out;
}

std::vector<ProcInfo> ReadProcs(const std::string& proc_root) noexcept {
  std::vector<ProcInfo> out;
  try {
    DIR* d = opendir(proc_root.c_str());
    if (d == nullptr) return out;
    while (dirent* e = readdir(d)) {
      char* end = nullptr;
      long pid = strtol(e->d_name, &end, 10);
      if (pid <= 0 || *end != '\0') continue;
      std::string base = proc_root + "/" + e->d_name;
      ProcInfo p;
      p.pid = static_cast<pid_t>(pid);
      std::string stat = ReadFile(base + "/stat");
      size_t lp = stat.find('('), rp = stat.rfind(')');
      if (lp == std::string::npos || rp == std::string::npos || rp < lp) continue;
      p.comm = stat.substr(lp + 1, rp - lp - 1);
      p.zombie = rp + 2 < stat.size() && stat[rp + 2] == 'Z';
      struct stat st;
      if (::stat(base.c_str(), &st) == 0) p.uid = st.st_uid;
      char buf[4096];
      ssize_t n = readlink((base + "/exe").c_str(), buf, sizeof(buf) - 1);
      if (n > 0) {
        p.exe.assign(buf, static_cast<size_t>(n));
        const std::string deleted = " (deleted)";
        if (p.exe.size() > deleted.size() &&
            p.exe.compare(p.exe.size() - deleted.size(), deleted.size(), deleted) == 0) {
          p.exe.resize(p.exe.size() - deleted.size());
        }
      }
      std::string cmd = ReadFile(base + "/cmdline");
      size_t pos = 0;
      while (pos < cmd.size()) {
        size_t z = cmd.find('\0', pos);
        if (z == std::string::npos) z = cmd.size();
        p.cmdline.push_back(cmd.substr(pos, z - pos));
        pos = z + 1;
      }
      out.push_back(std::move(p));
    }
    closedir(d);
  } catch (...) {
  }
  return out;
}

int StartStopDaemonMain(const std::vector<std::string>& args) noexcept {
  try {
    StartStopDaemonOptions o;
    std::string error;
    if (!ParseStartStopDaemonArgs(args, &o, &error)) {
      EError(error);
      return 1;
    }
    if (o.quiet) setenv("EINFO_QUIET", "YES", 1);
    if (o.verbose) setenv("EINFO_VERBOSE", "YES", 1);
    for (const auto& w : o.warnings) EWarn(w);

    // exec / argv as OpenRC derives them.
    std::string exec = o.exec, name = o.name;
    std::vector<std::string> argv = o.args;
    if (exec.empty()) {
      exec = o.startas;
    } else if (name.empty()) {
      name = o.startas;
    }
    if (exec.empty()) {
      exec = argv.empty() ? name : argv[0];
      if (!name.empty() && o.start) {
        if (argv.empty()) {
          argv.push_back(name);
        } else {
          argv[0] = name;
        }
      }
    } else if (!name.empty()) {
      argv.insert(argv.begin(), name);
    } else {
      argv.insert(argv.begin(), exec);
    }

    std::optional<Credentials> cred;
    if (!o.user.empty() || !o.group.empty()) {
      std::string user = o.user.empty() ? "0" : o.user, group = o.group;
      if (group.empty() && user.find(':') != std::string::npos) {
        group = user.substr(user.find(':') + 1);
        user = user.substr(0, user.find(':'));
      }
      std::string err;
      cred = passwd::Resolve("/", user, group, {}, &err);
      if (!cred) {
        if (err.rfind("unknown user", 0) == 0) {
          EError(std::string(kApplet) + ": user " + Q(user) + " not found");
        } else {
          EError(std::string(kApplet) + ": group " + Q(group) + " not found");
        }
        return 1;
      }
    }
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
    EError(std::string(kApplet) + ": out of memory");
  }
  return 1;
}

}  // namespace ctinit::openrc
