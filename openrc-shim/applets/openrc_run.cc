#include "openrc-shim/applets/openrc_run.h"

#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <optional>
#include <sstream>

#include "init/base/files.h"
#include "openrc-shim/applets/einfo.h"
#include "openrc-shim/applets/service_state.h"
#include "openrc-shim/applets/supervise_daemon.h"
#include "openrc-shim/depend.h"
#include "openrc-shim/native.h"
#include "openrc-shim/rc_sys.h"
#include "openrc-shim/runner.h"

extern char** environ;

namespace ctinit::openrc {
namespace fs = std::filesystem;

namespace {

struct Context {
  std::string svc;     // foo
  std::string script;  // /etc/init.d/foo
  std::string self;    // the ctinit binary
  std::string svcdir = kSvcDir;
  bool deps = true;
};

bool InTransition(const Context& c) {
  return files::Resolves(c.svcdir + "/rc.starting") || files::Resolves(c.svcdir + "/rc.stopping");
}

void SetDefault(const char* k, const std::string& v) { setenv(k, v.c_str(), 0); }

void SetupEnv(const Context& c) {
  const bool have_level = getenv("RC_RUNLEVEL") != nullptr;
  if (!have_level) {
    std::string level = CurrentRunlevel(c.svcdir);
    setenv("RC_RUNLEVEL", level.c_str(), 1);
    if (level == "shutdown" || level == "reboot" || level == "single") {
      SetDefault("RC_GOINGDOWN", "YES");
    }
    if (level == "reboot") SetDefault("RC_REBOOT", "YES");
  }
  SetDefault("RC_BOOTLEVEL", "boot");
  SetDefault("RC_DEFAULTLEVEL", "default");
  if (getenv("RC_SYS") == nullptr) {
    setenv("RC_SYS", DetectRcSys(ProbeSystem("/")).c_str(), 1);
  }
  utsname u{};
  SetDefault("RC_UNAME", uname(&u) == 0 ? u.sysname : "Linux");
  SetDefault("RC_LIBEXECDIR", "/lib/rc");
  // What OpenRC 0.63's env_config() adds for system services; the shim stands in for 0.63.
  SetDefault("RC_CACHEDIR", "/var/cache/rc");
  SetDefault("RC_VERSION", "0.63");
  setenv("RC_SVCDIR", c.svcdir.c_str(), 1);
  SetDefault("RC_TMPDIR", c.svcdir + "/tmp");
  setenv("RC_SVCNAME", c.svc.c_str(), 1);
  setenv("SVCNAME", c.svc.c_str(), 1);
  setenv("RC_SERVICE", c.script.c_str(), 1);
  setenv("EINFO_LOG", c.svc.c_str(), 1);
  std::string pid = std::to_string(getpid());
  setenv("RC_OPENRC_PID", pid.c_str(), 1);
  setenv("RC_RUNSCRIPT_PID", pid.c_str(), 1);
  setenv("RC_CTINIT", c.self.c_str(), 1);
  const char* path = getenv("PATH");
  setenv("PATH", ScriptPath(path ? path : "").c_str(), 1);
}

std::string Shell() {
  for (const char* p : {"/bin/bash", "/usr/bin/bash", "/bin/sh"}) {
    if (access(p, X_OK) == 0) return p;
  }
  return "/bin/sh";
}

// Runs `argv` and waits for it; the exit code (128+N for a signal, 127 when it cannot run).
int RunAndWait(const std::vector<std::string>& argv) {
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) {
    EError(std::string("fork: ") + strerror(errno));
    return 1;
  }
  if (pid == 0) {
    signal(SIGPIPE, SIG_DFL);
    execv(cargv[0], cargv.data());
    fprintf(stderr, " * cannot execute %s: %s\n", cargv[0], strerror(errno));
    _exit(127);
  }
  int st = 0;
  while (waitpid(pid, &st, 0) < 0) {
    if (errno != EINTR) return 1;
  }
  if (WIFEXITED(st)) return WEXITSTATUS(st);
  if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
  return 1;
}

int RunShell(const Context& c, const std::string& command) {
  setenv("RC_CMD", command.c_str(), 1);
  return RunAndWait({Shell(), "-c", kOpenrcRunSh, "openrc-run", c.script, command});
}

bool InLevel(const std::string& level, const std::string& svc) {
  struct stat st;
  return lstat(("/etc/runlevels/" + level + "/" + svc).c_str(), &st) == 0;
}

// Starts the stopped need/want services of c.svc. False (message printed) if a need fails.
bool StartDeps(const Context& c) {
  SpawnScriptRunner runner;
  DependOptions opt;
  opt.rc_sys = getenv("RC_SYS") ? getenv("RC_SYS") : "";
  opt.path = kScriptPathPrefix;
  DependResult r = ExtractDepends(c.svc, c.script, opt, runner);
  if (!r.loaded) return true;  // its own start will report the problem
  std::string dir = fs::path(c.script).parent_path().string();
  std::string mask = MaskKeyword(opt.rc_sys);
  auto masked = [&](const std::string& dep) {
    if (mask.empty()) return false;
    DependResult d = ExtractDepends(dep, dir + "/" + dep, opt, runner);
    const auto& k = d.deps.keywords;
    std::string old = "no" + mask.substr(1);
    return std::find(k.begin(), k.end(), mask) != k.end() ||
           std::find(k.begin(), k.end(), old) != k.end();
  };
  auto start = [&](const std::string& dep, bool need) {
    std::string script = dir + "/" + dep;
    if (!files::Resolves(script)) {
      if (need)
        EWarn("WARNING: " + c.svc + " needs non-existent service " + dep + "; starting it anyway");
      return true;
    }
    if (!(GetState(c.svcdir, dep) & kStateStopped) || masked(dep)) return true;
    int rc = RunAndWait({c.self, "openrc-run", script, "start"});
    if (need && rc != 0 && !(GetState(c.svcdir, dep) & kStateStarted)) {
      EError("ERROR: cannot start " + c.svc + " as " + dep + " would not start");
      return false;
    }
    return true;
  };
  for (const auto& d : r.deps.need) {
    if (!start(d, true)) return false;
  }
  for (const auto& d : r.deps.want) start(d, false);
  return true;
}

// The service's exclusive lock for one start or stop, released when this goes out of scope.
// When it is taken, says why as openrc-run does (someone else is starting or stopping it).
class ServiceLock {
 public:
  ServiceLock(const Context& c, int state, bool starting) : fd_(LockService(c.svcdir, c.svc)) {
    if (fd_ >= 0) return;
    if (errno != EWOULDBLOCK) {
      EError(c.svc + ": failed to acquire lock: " + strerror(errno));
    } else if (state & kStateStopping) {
      EWarn("WARNING: " + c.svc + (starting ? " is stopping" : " is already stopping"));
    } else if (starting) {
      EWarn("WARNING: " + c.svc + " is already starting");
    } else {
      EError("ERROR: " + c.svc + " stopped by something else");
    }
  }
  ~ServiceLock() {
    if (fd_ >= 0) close(fd_);
  }
  ServiceLock(const ServiceLock&) = delete;
  ServiceLock& operator=(const ServiceLock&) = delete;
  bool held() const { return fd_ >= 0; }

 private:
  int fd_;
};

int DoStart(const Context& c) {
  int state = GetState(c.svcdir, c.svc);
  if (state & kStateStarted) {
    EWarn("WARNING: " + c.svc + " has already been started");
    return 0;
  }
  if (state & kStateInactive) EWarn("WARNING: " + c.svc + " has already started, but is inactive");
  ServiceLock lock(c, state, /*starting=*/true);
  if (!lock.held()) return 1;
  std::string err;
  if (!Mark(c.svcdir, c.svc, kStateStarting, c.script, &err)) EError(err);
  const bool transition = InTransition(c);
  if (c.deps && !transition && !StartDeps(c)) {
    Mark(c.svcdir, c.svc, kStateStopped, c.script, &err);
    return 1;
  }
  int rc = RunShell(c, "start");
  int now = GetState(c.svcdir, c.svc);
  if (rc == 0) {
    if (now & kStateInactive) {
      EWarn("WARNING: " + c.svc + " has started, but is inactive");
    } else if (!Mark(c.svcdir, c.svc, kStateStarted, c.script, &err)) {
      EError(err);
    }
    return 0;
  }
  EError("ERROR: " + c.svc + " failed to start");
  if (now & (kStateStarting | kStateStarted)) Mark(c.svcdir, c.svc, kStateStopped, c.script, &err);
  if (transition) Mark(c.svcdir, c.svc, kStateFailed, c.script, &err);
  return 1;
}

// 0 stopped, 1 failed, 2 was already stopped.
int DoStop(const Context& c) {
  int state = GetState(c.svcdir, c.svc);
  if (state & kStateStopped) {
    EWarn("WARNING: " + c.svc + " is already stopped");
    return 2;
  }
  ServiceLock lock(c, state, /*starting=*/false);
  if (!lock.held()) return 1;
  std::string err;
  Mark(c.svcdir, c.svc, kStateStopping, c.script, &err);
  if (!files::Resolves(c.svcdir + "/rc.stopping")) {
    if (InLevel("sysinit", c.svc)) {
      EWarn("WARNING: you are stopping a sysinit service");
    } else if (InLevel("boot", c.svc)) {
      EWarn("WARNING: you are stopping a boot service");
    }
  }
  int rc = RunShell(c, "stop");
  if (rc == 0) {
    Mark(c.svcdir, c.svc, kStateStopped, c.script, &err);
    return 0;
  }
  if (GetState(c.svcdir, c.svc) & kStateStopping) {
    Mark(c.svcdir, c.svc, (state & kStateInactive) ? kStateInactive : kStateStarted, c.script,
         &err);
  }
  EError("ERROR: " + c.svc + " failed to stop");
  return 1;
}

std::string AbsoluteScript(const std::string& arg) {
  std::string p = arg;
  if (p.empty() || p[0] != '/') {
    std::error_code ec;
    p = (fs::current_path(ec) / p).string();
  }
  return fs::path(p).lexically_normal().string();
}

// openrc-run's own options and the commands after the script.
struct RunArgs {
  std::vector<std::string> commands;
  bool if_started = false, if_stopped = false;
};

// False (message printed) for an unknown option.
bool ParseRunArgs(const std::vector<std::string>& argv, Context* c, RunArgs* out) {
  for (size_t i = 2; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a == "-D" || a == "--nodeps") {
      c->deps = false;
    } else if (a == "-s" || a == "--ifstarted") {
      out->if_started = true;
    } else if (a == "-S" || a == "--ifstopped") {
      out->if_stopped = true;
    } else if (SetOutputOption(a)) {
      continue;
    } else if (!a.empty() && a[0] == '-') {
      EError("openrc-run: unknown option " + a);
      return false;
    } else {
      out->commands.push_back(a);
    }
  }
  return true;
}

// Runs one command; its exit code. Sets *stop when the commands after it must not run.
int RunCommand(const Context& c, const std::string& cmd, bool* stop) {
  setenv("RC_CMD", cmd.c_str(), 1);
  if (cmd == "start") return DoStart(c);
  if (cmd == "stop") return DoStop(c) == 1 ? 1 : 0;
  if (cmd == "restart" || cmd == "condrestart" || cmd == "conditionalrestart") {
    int state = GetState(c.svcdir, c.svc);
    if (cmd != "restart" && !(state & kStateStarted)) return 0;
    if (!(state & kStateStopped) && DoStop(c) == 1) {
      *stop = true;
      return 1;
    }
    return DoStart(c);
  }
  if (cmd == "zap") {
    EInfo("Manually resetting " + c.svc + " to stopped state");
    std::string err;
    if (Mark(c.svcdir, c.svc, kStateStopped, c.script, &err)) return 0;
    EError("rc_service_mark: " + err);
    return 1;
  }
  return RunShell(c, cmd);
}

}  // namespace

int OpenrcRunMain(const std::vector<std::string>& argv) noexcept {
  try {
    if (argv.size() < 2 || access(argv[1].c_str(), F_OK) != 0) {
      fprintf(stderr, "openrc-run should not be run directly\n");
      return 1;
    }
    Context c;
    c.script = AbsoluteScript(argv[1]);
    c.svc = BaseName(c.script);
    c.self = SelfExe();
    if (c.self.empty()) c.self = "/sbin/ctinit";
    RunArgs a;
    if (!ParseRunArgs(argv, &c, &a)) return 1;
    if (a.commands.empty()) {
      fprintf(stderr, "Usage: %s [options] command...\n", c.script.c_str());
      return 1;
    }
    std::string err;
    if (!EnsureSvcDir(c.svcdir, &err)) {
      EError(err);
      return 1;
    }
    SyncSupervisedState(c.svcdir);
    if (a.if_started && !(GetState(c.svcdir, c.svc) & kStateStarted)) return 1;
    if (a.if_stopped && !(GetState(c.svcdir, c.svc) & kStateStopped)) return 1;
    if (EnvYes("RC_NODEPS")) c.deps = false;
    if (chdir("/") != 0) EError(std::string("chdir: ") + strerror(errno));
    SetupEnv(c);
    signal(SIGPIPE, SIG_IGN);
    int result = 0;
    for (const auto& cmd : a.commands) {
      bool stop = cmd == "start" || cmd == "stop" || cmd == "restart";
      int rc = RunCommand(c, cmd, &stop);
      if (rc != 0) {
        result = rc;
        if (stop) return rc;
      }
    }
    return result;
  } catch (...) {
    EError("openrc-run: out of memory");
  }
  return 1;
}

int MarkServiceMain(const std::string& applet, const std::vector<std::string>& args) noexcept {
  try {
    static const struct {
      const char* name;
      int state;
    } kMarks[] = {{"mark_service_started", kStateStarted},
                  {"mark_service_starting", kStateStarting},
                  {"mark_service_stopping", kStateStopping},
                  {"mark_service_stopped", kStateStopped},
                  {"mark_service_inactive", kStateInactive},
                  {"mark_service_failed", kStateFailed},
                  {"mark_service_hotplugged", kStateHotplugged},
                  {"mark_service_wasinactive", kStateWasInactive}};
    int state = -1;
    for (const auto& m : kMarks)
      if (applet == m.name) state = m.state;
    const char* env_svc = getenv("RC_SVCNAME");
    std::string svc = !args.empty() ? args[0] : (env_svc ? env_svc : "");
    if (state < 0 || svc.empty()) {
      EError(applet + ": no service specified");
      return 1;
    }
    const std::string svcdir = SvcDirFromEnv();
    std::string script = "/etc/init.d/" + svc;
    const char* self = getenv("RC_SERVICE");
    if (env_svc && svc == env_svc && self && *self) script = self;
    std::string err;
    if (!EnsureSvcDir(svcdir, &err) || !Mark(svcdir, svc, state, script, &err)) {
      EError(applet + ": " + err);
      return 1;
    }
    return 0;
  } catch (...) {
  }
  return 1;
}

}  // namespace ctinit::openrc
