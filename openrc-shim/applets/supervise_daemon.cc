#include "openrc-shim/applets/supervise_daemon.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "init/base/capabilities.h"
#include "init/base/passwd.h"
#include "openrc-shim/applets/capability_iab.h"
#include "openrc-shim/applets/daemon_env.h"
#include "openrc-shim/applets/einfo.h"
#include "openrc-shim/applets/healthcheck.h"
#include "openrc-shim/applets/output_logger.h"
#include "openrc-shim/applets/retry.h"
#include "openrc-shim/applets/service_state.h"
#include "openrc-shim/applets/start_stop_daemon_args.h"

extern char** environ;

namespace ctinit::openrc {
namespace {

constexpr const char* kApplet = "supervise-daemon";

// OpenRC's supervise-daemon defaults (OpenRC 0.63 man/supervise-daemon.8): no respawn delay, at
// most 10 respawns within 12 s.
constexpr long kDefaultRespawnMax = 10;
constexpr long kDefaultRespawnPeriod = 12;

// Seconds and counts; the bound keeps `seconds * 1000` (the request is in milliseconds) and the
// request's int fields from overflowing (found by tests/fuzz/fuzz_supervise).
constexpr long kMaxNumber = 1000000000;

bool ParseNumber(const std::string& s, long* out) {
  if (s.empty()) return false;
  char* end = nullptr;
  long v = strtol(s.c_str(), &end, 10);
  if (*end != '\0' || v < 0 || v > kMaxNumber) return false;
  *out = v;
  return true;
}

bool IsFile(const std::string& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0;
}

std::string Lookup(const std::string& cmd, const std::vector<std::string>& env) {
  if (cmd.find('/') != std::string::npos) return cmd;
  std::string path = "/bin:/sbin:/usr/bin:/usr/sbin";
  for (const auto& kv : env)
    if (kv.rfind("PATH=", 0) == 0) path = kv.substr(5);
  std::istringstream in(path);
  for (std::string d; std::getline(in, d, ':');) {
    if (!d.empty() && IsFile(d + "/" + cmd)) return d + "/" + cmd;
  }
  return cmd;
}

void PutEnv(std::vector<std::string>* env, const std::string& kv) {
  std::string key = kv.substr(0, kv.find('='));
  for (auto& e : *env) {
    if (e.substr(0, e.find('=')) == key) {
      e = kv;
      return;
    }
  }
  env->push_back(kv);
}

bool Dropped(const std::string& key) {
  return IsRcInternal(key) || key.rfind("SSD_", 0) == 0 || key.rfind("EINFO_", 0) == 0;
}

std::string RootedSvcDir(const std::string& root) {
  return (root.empty() || root == "/" ? "" : root) + SvcDirFromEnv();
}

// <svcdir>/options/<svc>/ctinit_supervised: SyncSupervisedState asks ctinit about it.
void MarkSupervised(const std::string& root, const std::string& svc) {
  if (svc.empty() || svc.find('/') != std::string::npos) return;
  std::string dir = RootedSvcDir(root) + "/options/" + svc;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::ofstream(dir + "/" + kSupervisedMarker) << "yes";
}

// What the command line says (after the service name).
enum class Mode { kNone, kStart, kStop, kStatus, kSignal };
struct SuperviseArgs {
  Mode mode = Mode::kNone;
  std::string chdir, user, group, umask_text, in, out, err, pidfile, out_logger, err_logger;
  std::optional<std::string> retry;
  long delay = 0, max = kDefaultRespawnMax, period = kDefaultRespawnPeriod;
  long healthcheck_timer = 0, healthcheck_delay = 0;
  int signal = 0;  // --signal
  std::optional<CapabilityIab> capabilities;
  bool no_new_privs = false;
  bool notify_socket = false;  // --notify socket:ready
  std::vector<std::string> extra_env, positional, warnings;
};

std::string Prefixed(const std::string& message) { return std::string(kApplet) + ": " + message; }

// What one option does with its value; `option` is the option as given (for messages).
using Apply = bool (*)(SuperviseArgs* a, const std::string& option, const std::string& value,
                       std::string* error);

template <Mode M>
bool SetMode(SuperviseArgs* a, const std::string&, const std::string&, std::string*) {
  a->mode = M;
  return true;
}

template <std::string SuperviseArgs::*M>
bool SetText(SuperviseArgs* a, const std::string&, const std::string& value, std::string*) {
  a->*M = value;
  return true;
}

template <long SuperviseArgs::*M>
bool SetNumber(SuperviseArgs* a, const std::string& option, const std::string& value,
               std::string* error) {
  if (ParseNumber(value, &(a->*M))) return true;
  *error = Prefixed("`" + value + "' is not a valid number for " + option);
  return false;
}

// --healthcheck-timer / --healthcheck-delay: whole seconds, at least 1 (as OpenRC).
template <long SuperviseArgs::*M>
bool SetHealthcheck(SuperviseArgs* a, const std::string& option, const std::string& value,
                    std::string* error) {
  long v = 0;
  if (ParseNumber(value, &v) && v >= 1) {
    a->*M = v;
    return true;
  }
  *error = Prefixed(
      std::string("invalid health check ") +
      (option.find("delay") != std::string::npos || option == "-A" ? "delay " : "timer ") + value);
  return false;
}

bool SetUmask(SuperviseArgs* a, const std::string&, const std::string& value, std::string* error) {
  a->umask_text = value;
  char* end = nullptr;
  long m = strtol(value.c_str(), &end, 8);
  if (value.empty() || *end != '\0' || m < 0 || m > 0777) {
    *error = Prefixed("invalid mode `" + value + "'");
    return false;
  }
  return true;
}

bool SetRetry(SuperviseArgs* a, const std::string&, const std::string& value, std::string*) {
  a->retry = value;
  return true;
}

bool AddEnv(SuperviseArgs* a, const std::string&, const std::string& value, std::string*) {
  a->extra_env.push_back(value);
  return true;
}

bool Nothing(SuperviseArgs*, const std::string&, const std::string&, std::string*) { return true; }

bool Unsupported(SuperviseArgs* a, const std::string& option, const std::string&, std::string*) {
  a->warnings.push_back(Prefixed(option + " is not supported under ctinit; ignored"));
  return true;
}

// --capabilities: ctinit's supervisor applies an ambient set and a bounding set
// (ProcessContext); an entry for the inheritable set alone it cannot. (What this container lacks
// is refused by SuperviseDaemonMain.)
bool SetCapabilities(SuperviseArgs* a, const std::string&, const std::string& value,
                     std::string* error) {
  std::string err;
  a->capabilities = ParseCapabilityIab(value, &err);
  if (!a->capabilities) {
    *error = Prefixed("Could not parse iab: " + err);
    return false;
  }
  if (uint64_t only_inheritable = a->capabilities->inheritable & ~a->capabilities->ambient) {
    *error = Prefixed("--capabilities: " + caps::Names(only_inheritable) +
                      " only inheritable: ctinit's supervisor sets ambient (^) and bounding (!) "
                      "capabilities, not the inheritable set alone");
    return false;
  }
  return true;
}

// --secbits: ctinit's supervisor has no securebits to set; 0 (nothing) is accepted.
bool SetSecbits(SuperviseArgs*, const std::string&, const std::string& value, std::string* error) {
  std::string err;
  auto bits = ParseSecbits(value, &err);
  if (!bits) {
    *error = Prefixed(err);
    return false;
  }
  if (*bits == 0) return true;
  *error = Prefixed("--secbits " + value + ": ctinit's supervisor cannot set securebits");
  return false;
}

// --notify socket:ready: ctinit's supervisor gives the daemon $NOTIFY_SOCKET and waits for
// READY=1 (Readiness kNotify); fd:N it cannot (no readiness on a descriptor in PID 1): warned,
// the daemon is started without waiting.
bool SetNotify(SuperviseArgs* a, const std::string& option, const std::string& value,
               std::string* error) {
  auto kind = StartStopDaemonOptions::Notify::kNone;
  int fd = -1;
  std::string err;
  if (!ParseNotify(value, &kind, &fd, &err)) {
    *error = Prefixed(err);
    return false;
  }
  a->notify_socket = kind == StartStopDaemonOptions::Notify::kSocket;
  if (kind == StartStopDaemonOptions::Notify::kFd) {
    a->warnings.push_back(Prefixed(option + " " + value +
                                   ": ctinit's supervisor cannot wait for a line on a descriptor; "
                                   "started without waiting (notify=socket:ready can)"));
  }
  return true;
}

bool SetNoNewPrivs(SuperviseArgs* a, const std::string&, const std::string&, std::string*) {
  a->no_new_privs = true;
  return true;
}

bool SetSignal(SuperviseArgs* a, const std::string&, const std::string& value, std::string* error) {
  std::string err;
  auto sig = ParseSignal(value, &err);
  if (!sig) {
    *error = Prefixed(err);
    return false;
  }
  a->mode = Mode::kSignal;
  a->signal = *sig;
  return true;
}

struct OptionDef {
  const char* short_name;  // "" when there is none
  const char* long_name;
  bool takes_value;
  Apply apply;
};

const OptionDef kOptions[] = {
    {"-S", "--start", false, SetMode<Mode::kStart>},
    {"-K", "--stop", false, SetMode<Mode::kStop>},
    {"", "--status", false, SetMode<Mode::kStatus>},
    {"-d", "--chdir", true, SetText<&SuperviseArgs::chdir>},
    {"-u", "--user", true, SetText<&SuperviseArgs::user>},
    {"-g", "--group", true, SetText<&SuperviseArgs::group>},
    {"-k", "--umask", true, SetUmask},
    {"-1", "--stdout", true, SetText<&SuperviseArgs::out>},
    {"-2", "--stderr", true, SetText<&SuperviseArgs::err>},
    {"-0", "--stdin", true, SetText<&SuperviseArgs::in>},
    {"-p", "--pidfile", true, SetText<&SuperviseArgs::pidfile>},
    {"-D", "--respawn-delay", true, SetNumber<&SuperviseArgs::delay>},
    {"-m", "--respawn-max", true, SetNumber<&SuperviseArgs::max>},
    {"-P", "--respawn-period", true, SetNumber<&SuperviseArgs::period>},
    {"-R", "--retry", true, SetRetry},
    {"-e", "--env", true, AddEnv},
    {"-s", "--signal", true, SetSignal},
    {"-q", "--quiet", false, Nothing},
    {"-v", "--verbose", false, Nothing},
    // Accepted and ignored with a warning: ctinit cannot do them (yet).
    {"", "--no-new-privs", false, SetNoNewPrivs},
    {"", "--stop-group", false, Unsupported},
    {"-N", "--nicelevel", true, Unsupported},
    {"-I", "--ionice", true, Unsupported},
    {"", "--oom-score-adj", true, Unsupported},
    {"-r", "--chroot", true, Unsupported},
    {"-a", "--healthcheck-timer", true, SetHealthcheck<&SuperviseArgs::healthcheck_timer>},
    {"-A", "--healthcheck-delay", true, SetHealthcheck<&SuperviseArgs::healthcheck_delay>},
    {"", "--capabilities", true, SetCapabilities},
    {"", "--secbits", true, SetSecbits},
    {"-3", "--stdout-logger", true, SetText<&SuperviseArgs::out_logger>},
    {"-4", "--stderr-logger", true, SetText<&SuperviseArgs::err_logger>},
    {"", "--notify", true, SetNotify},
};

const OptionDef* FindOption(const std::string& a) {
  for (const auto& d : kOptions)
    if (a == d.long_name || (*d.short_name != '\0' && a == d.short_name)) return &d;
  return nullptr;
}

// The options and words after the service name: `-x VALUE`, `--long VALUE`, `--long=VALUE`;
// words that are no option, and everything after `--`, are the command and its arguments.
bool ParseSuperviseArgs(const std::vector<std::string>& args, SuperviseArgs* out,
                        std::string* error) {
  size_t i = 1;
  for (; i < args.size(); ++i) {
    std::string a = args[i], value;
    if (a == "--") {
      ++i;
      break;
    }
    bool inline_value = false;
    if (a.rfind("--", 0) == 0 && a.find('=') != std::string::npos) {
      value = a.substr(a.find('=') + 1);
      a = a.substr(0, a.find('='));
      inline_value = true;
    }
    const OptionDef* def = FindOption(a);
    if (def == nullptr) {
      if (a.size() > 1 && a[0] == '-') {
        *error = Prefixed("unrecognized option '" + a + "'");
        return false;
      }
      out->positional.push_back(a);
      continue;
    }
    if (def->takes_value && !inline_value) {
      if (i + 1 >= args.size()) {
        *error = Prefixed("option " + a + " requires an argument");
        return false;
      }
      value = args[++i];
    }
    if (!def->apply(out, a, value, error)) return false;
  }
  for (; i < args.size(); ++i) out->positional.push_back(args[i]);
  return true;
}

// The daemon's environment: `env` without RC_* (but RC_SVCNAME and RC_SERVICE), SSD_* and
// EINFO_*, and without OpenRC's helper directories in PATH.
std::vector<std::string> DaemonEnvironment(const std::vector<std::string>& env) {
  std::vector<std::string> out;
  for (const auto& kv : env) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos || Dropped(kv.substr(0, eq))) continue;
    out.push_back(kv.rfind("PATH=", 0) == 0 ? "PATH=" + DaemonPath(kv.substr(5)) : kv);
  }
  return out;
}

// uid= gid= groups= home= user= for --user/--group; HOME and USER in `child_env` follow them.
bool AppendUser(const SuperviseArgs& a, const std::string& root,
                std::vector<std::string>* child_env, std::vector<std::string>* words,
                std::string* error) {
  if (a.user.empty() && a.group.empty()) return true;
  std::string err_text;
  auto cred = passwd::Resolve(root, a.user.empty() ? "0" : a.user, a.group, {}, &err_text);
  if (!cred) {
    *error = Prefixed(err_text);
    return false;
  }
  PutEnv(child_env, "HOME=" + cred->home);
  PutEnv(child_env, "USER=" + cred->user_name);
  words->push_back("uid=" + std::to_string(cred->uid));
  words->push_back("gid=" + std::to_string(cred->gid));
  std::string groups;
  for (gid_t g : cred->groups) groups += (groups.empty() ? "" : ",") + std::to_string(g);
  words->push_back("groups=" + groups);
  words->push_back("home=" + cred->home);
  words->push_back("user=" + cred->user_name);
  return true;
}

// --stdout-logger / --stderr-logger (a file given for the same stream wins, as in OpenRC):
// ctinit runs `ctinit run-with-loggers … -- <command>`, which starts the loggers and execs the
// command (output_logger.h).
void AppendLoggerWrapper(const SuperviseArgs& a, std::vector<std::string>* words) {
  const bool out = a.out.empty() && !a.out_logger.empty();
  const bool err = a.err.empty() && !a.err_logger.empty();
  if (!out && !err) return;
  std::string self = SelfExe();
  words->push_back("arg=" + (self.empty() ? std::string("/sbin/ctinit") : self));
  words->push_back(std::string("arg=") + kRunWithLoggers);
  if (out) {
    words->push_back("arg=--stdout-logger");
    words->push_back("arg=" + a.out_logger);
  }
  if (err) {
    words->push_back("arg=--stderr-logger");
    words->push_back("arg=" + a.err_logger);
  }
  words->push_back("arg=--");
}

// The `supervise` request for --start.
bool BuildStartWords(const std::string& svc, const SuperviseArgs& a,
                     const std::vector<std::string>& env, const std::string& root,
                     std::vector<std::string>* words, std::string* error) {
  if (a.positional.empty()) {
    *error = Prefixed("nothing to start");
    return false;
  }
  std::string exec = Lookup(a.positional[0], env);
  if (!IsFile(exec)) {
    *error = Prefixed(exec + " does not exist");
    return false;
  }
  std::string rerr;
  auto schedule = ParseRetry(a.retry, SIGTERM, &rerr);
  if (!schedule) {
    *error = Prefixed(rerr);
    return false;
  }
  StopPlan plan = ToStopPlan(*schedule);
  *words = {"supervise", svc};
  AppendLoggerWrapper(a, words);
  words->push_back("arg=" + exec);
  for (size_t k = 1; k < a.positional.size(); ++k) words->push_back("arg=" + a.positional[k]);
  std::vector<std::string> child_env = DaemonEnvironment(env);
  if (!AppendUser(a, root, &child_env, words, error)) return false;
  for (const auto& kv : a.extra_env) PutEnv(&child_env, kv);
  for (const auto& kv : child_env) words->push_back("env=" + kv);
  if (!a.chdir.empty()) words->push_back("dir=" + a.chdir);
  if (!a.umask_text.empty()) words->push_back("umask=" + a.umask_text);
  if (!a.out.empty()) words->push_back("stdout=" + a.out);
  if (!a.err.empty()) words->push_back("stderr=" + a.err);
  if (!a.in.empty()) words->push_back("stdin=" + a.in);
  if (!a.pidfile.empty()) words->push_back("pidfile=" + a.pidfile);
  if (a.capabilities) {
    words->push_back("ambient_capabilities=" + MaskText(a.capabilities->ambient));
    if (a.capabilities->drop_bounding != 0)
      words->push_back("capability_bounding_set=" + MaskText(~a.capabilities->drop_bounding));
  }
  if (a.no_new_privs) words->push_back("no_new_privs=yes");
  if (a.notify_socket) words->push_back("readiness=notify");
  words->push_back("respawn_delay_ms=" + std::to_string(a.delay * 1000));
  // OpenRC counts respawns (respawn_max 3: the daemon runs 4 times, and the 4th crash within
  // the period gives up); ctinit's limiter counts starts, the first one included.
  words->push_back("respawn_max=" + std::to_string(a.max > 0 ? a.max + 1 : 0));
  words->push_back("respawn_period_ms=" + std::to_string(a.period * 1000));
  words->push_back("stop_signal=" + std::to_string(plan.signal));
  words->push_back("stop_timeout_ms=" + std::to_string(plan.timeout_seconds * 1000L));
  std::string origin = kApplet;
  for (const auto& kv : env)
    if (kv.rfind("RC_SERVICE=", 0) == 0 && kv.size() > 11) origin = kv.substr(11);
  words->push_back("origin=" + origin);
  return true;
}

// What the health monitor needs (healthcheck.h): the checks' timing, the script to run them
// with ($RC_SERVICE, else /etc/init.d/<svc> as OpenRC resolves it) and the stop schedule.
void FillHealthcheckPlan(const std::string& svc, const SuperviseArgs& a,
                         const std::vector<std::string>& env, HealthcheckPlan* plan) {
  plan->svc = svc;
  plan->script = "/etc/init.d/" + svc;
  for (const auto& kv : env)
    if (kv.rfind("RC_SERVICE=", 0) == 0 && kv.size() > 11) plan->script = kv.substr(11);
  plan->delay = std::chrono::seconds(a.healthcheck_delay);
  plan->timer = std::chrono::seconds(a.healthcheck_timer);
  std::string rerr;
  if (auto schedule = ParseRetry(a.retry, SIGTERM, &rerr)) {
    StopPlan stop = ToStopPlan(*schedule);
    plan->stop_signal = stop.signal;
    plan->stop_timeout =
        std::chrono::seconds(stop.timeout_seconds > 0 ? stop.timeout_seconds : 3600);
  }
}

// --signal: OpenRC's supervisor passes the signal to its child; here the child is ctinit's, and
// `status` names its pid. Not supervised (or between two runs): an error, as OpenRC's "unable
// to open control fifo".
int SignalDaemon(const std::string& svc, const control::Reply& r, int sig) {
  pid_t pid = 0;
  if ((r.code == 0 || r.code == 3) &&
      r.text.find("\nname=supervise:" + svc + "\n") != std::string::npos &&
      r.text.rfind("running ", 0) == 0) {
    pid = static_cast<pid_t>(atol(r.text.c_str() + 8));
  }
  if (pid <= 0) {
    EError(Prefixed(svc + " has no running daemon supervised by ctinit"));
    return 1;
  }
  if (kill(pid, sig) != 0) {
    EError(Prefixed("unable to send signal " + std::to_string(sig) + " to " + std::to_string(pid) +
                    ": " + strerror(errno)));
    return 1;
  }
  return 0;
}

// --notify socket:ready: as OpenRC's supervise-daemon --start, return once the daemon has said
// READY=1 — ctinit's `status` then says "running" instead of "starting" (or "stopped" between two
// runs). A daemon ctinit gives up on first fails the start; the wait is bounded (OpenRC's is
// not) by kReadyWait. False: the start failed (said on stderr); the caller unsupervises.
constexpr std::chrono::seconds kReadyWait{300};
bool WaitUntilReady(const std::string& svc, const std::string& socket_path) {
  const auto deadline = std::chrono::steady_clock::now() + kReadyWait;
  for (;;) {
    control::Reply r = control::Call({"status", svc}, std::chrono::milliseconds(5000), socket_path);
    if (r.text.rfind("running ", 0) == 0) return true;
    if (r.code < 0 || r.text.rfind("failed", 0) == 0 || r.code == 4) {
      EError(Prefixed(svc + ": the daemon did not report that it is ready (" +
                      r.text.substr(0, r.text.find('\n')) + ")"));
      return false;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      EError(Prefixed(svc + ": no READY=1 within " + std::to_string(kReadyWait.count()) + " s"));
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace

void SyncSupervisedState(const std::string& svcdir, const std::string& socket_path) noexcept {
  try {
    for (const auto& svc : ServicesIn(svcdir, "started")) {
      struct stat st;
      if (stat((svcdir + "/options/" + svc + "/" + kSupervisedMarker).c_str(), &st) != 0) continue;
      control::Reply r =
          control::Call({"status", svc}, std::chrono::milliseconds(2000), socket_path);
      if (r.code != 3 || r.text.rfind("failed", 0) != 0) continue;
      // What supervise-daemon does when it gives up: stopped, and failed.
      std::string script = "/etc/init.d/" + svc, err;
      std::error_code ec;
      auto target = std::filesystem::read_symlink(svcdir + "/started/" + svc, ec);
      if (!ec) script = target.string();
      Mark(svcdir, svc, kStateStopped, script, &err);
      Mark(svcdir, svc, kStateFailed, script, &err);
    }
  } catch (...) {
  }
}

bool BuildSuperviseRequest(const std::vector<std::string>& args,
                           const std::vector<std::string>& env, const std::string& root,
                           std::vector<std::string>* words, int* timeout_ms, std::string* error,
                           SuperviseExtras* extras) {
  words->clear();
  if (args.empty() || args[0].empty() || args[0][0] == '-') {
    *error = Prefixed("the first argument must be the service name");
    return false;
  }
  SuperviseArgs a;
  if (!ParseSuperviseArgs(args, &a, error)) return false;
  for (const auto& w : a.warnings) EWarn(w);
  const std::string& svc = args[0];
  switch (a.mode) {
    case Mode::kNone:
      *error = Prefixed("need one of --start, --stop or --status");
      return false;
    case Mode::kStop:
      *words = {"unsupervise", svc};
      *timeout_ms = 120 * 1000;
      return true;
    case Mode::kStatus:
    case Mode::kSignal:  // the daemon's pid, which the applet then signals
      *words = {"status", svc};
      *timeout_ms = 10 * 1000;
      if (a.mode == Mode::kSignal && extras != nullptr) extras->signal = a.signal;
      return true;
    case Mode::kStart:
      break;
  }
  *timeout_ms = 30 * 1000;
  if (!BuildStartWords(svc, a, env, root, words, error)) return false;
  if (extras != nullptr) {
    FillHealthcheckPlan(svc, a, env, &extras->health);
    extras->capabilities = a.capabilities;
    extras->wait_ready = a.notify_socket;
  }
  return true;
}

int SuperviseDaemonMain(const std::vector<std::string>& args, const std::string& root,
                        const std::string& socket_path) noexcept {
  try {
    std::vector<std::string> env;
    for (char** e = environ; e && *e; ++e) env.emplace_back(*e);
    std::vector<std::string> words;
    int timeout_ms = 30000;
    std::string error;
    SuperviseExtras extras;
    const HealthcheckPlan& health = extras.health;
    if (!BuildSuperviseRequest(args, env, root, &words, &timeout_ms, &error, &extras)) {
      EError(error);
      return 1;
    }
    if (extras.capabilities) {
      std::string why = CheckIab(*extras.capabilities, ReadOwnCapabilitySets());
      if (!why.empty()) {
        EError(Prefixed("--capabilities: " + why));
        return 1;
      }
    }
    // No health check may run while the daemon is being stopped.
    if (words[0] == "unsupervise") StopHealthMonitor(RootedSvcDir(root), args[0]);
    control::Reply r = control::Call(words, std::chrono::milliseconds(timeout_ms), socket_path);
    std::string text = r.text;
    while (!text.empty() && text.back() == '\n') text.pop_back();
    if (r.code < 0) {
      EError(std::string(kApplet) + ": " + text + " (is ctinit running as PID 1?)");
      return 1;
    }
    if (extras.signal > 0) return SignalDaemon(args[0], r, extras.signal);
    // OpenRC's --stop succeeds when nothing runs ("the end result would be the same").
    if (words[0] == "unsupervise" && r.code == 1 &&
        (text.find("not supervised") == 0 || text == args[0] + ": not running")) {
      EWarn(std::string(kApplet) + ": " + args[0] + " is not supervised by ctinit");
      return 0;
    }
    if (words[0] == "supervise" && r.code == 0 && extras.wait_ready &&
        !WaitUntilReady(args[0], socket_path)) {
      // The start failed: nothing of it may stay behind (OpenRC's supervisor would go on).
      control::Call({"unsupervise", args[0]}, std::chrono::milliseconds(120 * 1000), socket_path);
      return 1;
    }
    if (words[0] == "supervise" && r.code == 0) {
      MarkSupervised(root, args[0]);
      if (health.delay.count() > 0 || health.timer.count() > 0) {
        if (!StartHealthMonitor(health, RootedSvcDir(root), socket_path)) {
          EWarn(std::string(kApplet) + ": " + args[0] + ": cannot start the health checks");
        }
      }
    }
    // Success is silent, as OpenRC's supervise-daemon is (the script prints "[ ok ]").
    if (!text.empty()) {
      if (words[0] == "status" && (r.code == 0 || r.code == 3)) {
        printf("%s\n", text.c_str());
      } else if (r.code != 0) {
        EError(std::string(kApplet) + ": " + text);
      }
    }
    return r.code;
  } catch (...) {
    EError(std::string(kApplet) + ": out of memory");
  }
  return 1;
}

}  // namespace ctinit::openrc
