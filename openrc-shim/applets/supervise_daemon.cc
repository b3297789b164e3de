#include "openrc-shim/applets/supervise_daemon.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "init/base/passwd.h"
#include "openrc-shim/applets/einfo.h"
#include "openrc-shim/applets/retry.h"
#include "openrc-shim/applets/service_state.h"

extern char** environ;

namespace ctinit::openrc {
namespace {

constexpr const char* kApplet = "supervise-daemon";

// OpenRC's supervise-daemon defaults (OpenRC 0.63 man/supervise-daemon.8): no respawn delay, at
// most 10 respawns within 12 s.
constexpr long kDefaultRespawnMax = 10;
constexpr long kDefaultRespawnPeriod = 12;

bool ParseNumber(const std::string& s, long* out) {
  if (s.empty()) return false;
  char* end = nullptr;
  long v = strtol(s.c_str(), &end, 10);
  if (*end != '\0' || v < 0) return false;
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
  if (key.rfind("RC_", 0) == 0) return key != "RC_SVCNAME" && key != "RC_SERVICE";
  return key.rfind("SSD_", 0) == 0 || key.rfind("EINFO_", 0) == 0;
}

std::string SvcDirFromEnv() {
  const char* d = getenv("RC_SVCDIR");
  return d && *d ? d : kSvcDir;
}

// <svcdir>/options/<svc>/ctinit_supervised: SyncSupervisedState asks ctinit about it.
void MarkSupervised(const std::string& root, const std::string& svc) {
  if (svc.empty() || svc.find('/') != std::string::npos) return;
  std::string dir = (root.empty() || root == "/" ? "" : root) + SvcDirFromEnv() + "/options/" + svc;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::ofstream(dir + "/" + kSupervisedMarker) << "yes";
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
                           std::vector<std::string>* words, int* timeout_ms, std::string* error) {
  const std::string app = std::string(kApplet) + ": ";
  words->clear();
  if (args.empty() || args[0].empty() || args[0][0] == '-') {
    *error = app + "the first argument must be the service name";
    return false;
  }
  const std::string svc = args[0];
  enum class Mode { kNone, kStart, kStop, kStatus } mode = Mode::kNone;
  std::string chdir, user, group, umask_text, out, err, pidfile;
  std::optional<std::string> retry;
  long delay = 0, max = kDefaultRespawnMax, period = kDefaultRespawnPeriod;
  std::vector<std::string> extra_env, positional;
  std::vector<std::string> warnings;
  static const char* kIgnored[] = {"-N",
                                   "--nicelevel",
                                   "-I",
                                   "--ionice",
                                   "--oom-score-adj",
                                   "-r",
                                   "--chroot",
                                   "-a",
                                   "--healthcheck-timer",
                                   "-A",
                                   "--healthcheck-delay",
                                   "--capabilities",
                                   "--secbits",
                                   "-3",
                                   "--stdout-logger",
                                   "-4",
                                   "--stderr-logger",
                                   "--notify"};
  size_t i = 1;
  for (; i < args.size(); ++i) {
    std::string a = args[i], v;
    if (a == "--") {
      ++i;
      break;
    }
    bool inline_value = false;
    if (a.rfind("--", 0) == 0 && a.find('=') != std::string::npos) {
      v = a.substr(a.find('=') + 1);
      a = a.substr(0, a.find('='));
      inline_value = true;
    }
    auto value = [&](std::string* dst) {
      if (inline_value) {
        *dst = v;
        return true;
      }
      if (i + 1 >= args.size()) {
        *error = app + "option " + a + " requires an argument";
        return false;
      }
      *dst = args[++i];
      return true;
    };
    auto number = [&](long* dst) {
      std::string s;
      if (!value(&s)) return false;
      if (!ParseNumber(s, dst)) {
        *error = app + "`" + s + "' is not a valid number for " + a;
        return false;
      }
      return true;
    };
    if (a == "-S" || a == "--start") {
      mode = Mode::kStart;
    } else if (a == "-K" || a == "--stop") {
      mode = Mode::kStop;
    } else if (a == "--status") {
      mode = Mode::kStatus;
    } else if (a == "-d" || a == "--chdir") {
      if (!value(&chdir)) return false;
    } else if (a == "-u" || a == "--user") {
      if (!value(&user)) return false;
    } else if (a == "-g" || a == "--group") {
      if (!value(&group)) return false;
    } else if (a == "-k" || a == "--umask") {
      if (!value(&umask_text)) return false;
      char* end = nullptr;
      long m = strtol(umask_text.c_str(), &end, 8);
      if (umask_text.empty() || *end != '\0' || m < 0 || m > 0777) {
        *error = app + "invalid mode `" + umask_text + "'";
        return false;
      }
    } else if (a == "-1" || a == "--stdout") {
      if (!value(&out)) return false;
    } else if (a == "-2" || a == "--stderr") {
      if (!value(&err)) return false;
    } else if (a == "-p" || a == "--pidfile") {
      if (!value(&pidfile)) return false;
    } else if (a == "-D" || a == "--respawn-delay") {
      if (!number(&delay)) return false;
    } else if (a == "-m" || a == "--respawn-max") {
      if (!number(&max)) return false;
    } else if (a == "-P" || a == "--respawn-period") {
      if (!number(&period)) return false;
    } else if (a == "-R" || a == "--retry") {
      std::string r;
      if (!value(&r)) return false;
      retry = r;
    } else if (a == "-e" || a == "--env") {
      std::string kv;
      if (!value(&kv)) return false;
      extra_env.push_back(kv);
    } else if (a == "-s" || a == "--signal") {
      *error = app + "--signal is not supported under ctinit (no control verb for it)";
      return false;
    } else if (a == "-q" || a == "--quiet" || a == "-v" || a == "--verbose" ||
               a == "--no-new-privs" || a == "--stop-group") {
      if (a == "--no-new-privs" || a == "--stop-group") {
        warnings.push_back(app + a + " is not supported under ctinit; ignored");
      }
    } else if (std::find(std::begin(kIgnored), std::end(kIgnored), a) != std::end(kIgnored)) {
      std::string ignored;
      if (!value(&ignored)) return false;
      warnings.push_back(app + a + " is not supported under ctinit; ignored");
    } else if (a.size() > 1 && a[0] == '-') {
      *error = app + "unrecognized option '" + a + "'";
      return false;
    } else {
      positional.push_back(a);
    }
  }
  for (; i < args.size(); ++i) positional.push_back(args[i]);
  for (const auto& w : warnings) EWarn(w);

  switch (mode) {
    case Mode::kNone:
      *error = app + "need one of --start, --stop or --status";
      return false;
    case Mode::kStop:
      *words = {"unsupervise", svc};
      *timeout_ms = 120 * 1000;
      return true;
    case Mode::kStatus:
      *words = {"status", svc};
      *timeout_ms = 10 * 1000;
      return true;
    case Mode::kStart:
      break;
  }
  if (positional.empty()) {
    *error = app + "nothing to start";
    return false;
  }
  std::string exec = Lookup(positional[0], env);
  if (!IsFile(exec)) {
    *error = app + exec + " does not exist";
    return false;
  }
  std::string rerr;
  auto schedule = ParseRetry(retry, SIGTERM, &rerr);
  if (!schedule) {
    *error = app + rerr;
    return false;
  }
  StopPlan plan = ToStopPlan(*schedule);

  words->push_back("supervise");
  words->push_back(svc);
  words->push_back("arg=" + exec);
  for (size_t k = 1; k < positional.size(); ++k) words->push_back("arg=" + positional[k]);

  std::vector<std::string> child_env;
  for (const auto& kv : env) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos || Dropped(kv.substr(0, eq))) continue;
    if (kv.rfind("PATH=", 0) == 0) {
      std::string np;
      std::istringstream in(kv.substr(5));
      for (std::string d; std::getline(in, d, ':');) {
        if (d.empty() || d == "/lib/rc/bin" || d == "/lib/rc/sbin") continue;
        np += (np.empty() ? "" : ":") + d;
      }
      child_env.push_back("PATH=" + np);
      continue;
    }
    child_env.push_back(kv);
  }
  if (!user.empty() || !group.empty()) {
    std::string err_text;
    auto cred = passwd::Resolve(root, user.empty() ? "0" : user, group, {}, &err_text);
    if (!cred) {
      *error = app + err_text;
      return false;
    }
    PutEnv(&child_env, "HOME=" + cred->home);
    PutEnv(&child_env, "USER=" + cred->user_name);
    words->push_back("uid=" + std::to_string(cred->uid));
    words->push_back("gid=" + std::to_string(cred->gid));
    std::string groups;
    for (gid_t g : cred->groups) groups += (groups.empty() ? "" : ",") + std::to_string(g);
    words->push_back("groups=" + groups);
    words->push_back("home=" + cred->home);
    words->push_back("user=" + cred->user_name);
  }
  for (const auto& kv : extra_env) PutEnv(&child_env, kv);
  for (const auto& kv : child_env) words->push_back("env=" + kv);
  if (!chdir.empty()) words->push_back("dir=" + chdir);
  if (!umask_text.empty()) words->push_back("umask=" + umask_text);
  if (!out.empty()) words->push_back("stdout=" + out);
  if (!err.empty()) words->push_back("stderr=" + err);
  if (!pidfile.empty()) words->push_back("pidfile=" + pidfile);
  words->push_back("respawn_delay_ms=" + std::to_string(delay * 1000));
  // OpenRC counts respawns (respawn_max 3: the daemon runs 4 times, and the 4th crash within
  // the period gives up); ctinit's limiter counts starts, the first one included.
  words->push_back("respawn_max=" + std::to_string(max > 0 ? max + 1 : 0));
  words->push_back("respawn_period_ms=" + std::to_string(period * 1000));
  words->push_back("stop_signal=" + std::to_string(plan.signal));
  words->push_back("stop_timeout_ms=" + std::to_string(plan.timeout_seconds * 1000L));
  std::string origin = kApplet;
  for (const auto& kv : env)
    if (kv.rfind("RC_SERVICE=", 0) == 0 && kv.size() > 11) origin = kv.substr(11);
  words->push_back("origin=" + origin);
  *timeout_ms = 30 * 1000;
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
    if (!BuildSuperviseRequest(args, env, root, &words, &timeout_ms, &error)) {
      EError(error);
      return 1;
    }
    control::Reply r = control::Call(words, std::chrono::milliseconds(timeout_ms), socket_path);
    std::string text = r.text;
    while (!text.empty() && text.back() == '\n') text.pop_back();
    if (r.code < 0) {
      EError(std::string(kApplet) + ": " + text + " (is ctinit running as PID 1?)");
      return 1;
    }
    // OpenRC's --stop succeeds when nothing runs ("the end result would be the same").
    if (words[0] == "unsupervise" && r.code == 1 &&
        (text.find("not supervised") == 0 || text == args[0] + ": not running")) {
      EWarn(std::string(kApplet) + ": " + args[0] + " is not supervised by ctinit");
      return 0;
    }
    if (words[0] == "supervise" && r.code == 0) MarkSupervised(root, args[0]);
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
