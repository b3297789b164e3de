// One enabled unit -> ServiceSpec + UnitExtras (see translate.h).
#include "unit-compat/translate.h"

#include <signal.h>
#include <sys/resource.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "init/base/passwd.h"
#include "unit-compat/files.h"
#include "unit-compat/specifiers.h"

namespace ctinit::units {

namespace {

using std::chrono::milliseconds;

constexpr Usec kDefaultTimeout = 90 * kUsecPerSec;

const char* const kRuntimeVars[] = {
    "MAINPID",           "SERVICE_RESULT",      "EXIT_CODE",
    "EXIT_STATUS",       "NOTIFY_SOCKET",       "LISTEN_FDS",
    "LISTEN_PID",        "LISTEN_FDNAMES",      "WATCHDOG_USEC",
    "WATCHDOG_PID",      "INVOCATION_ID",       "MONITOR_SERVICE_RESULT",
    "MONITOR_EXIT_CODE", "MONITOR_EXIT_STATUS", "MONITOR_INVOCATION_ID",
    "MONITOR_UNIT"};

bool UsesRuntimeVar(const std::vector<std::string>& argv) {
  for (const auto& a : argv)
    for (const char* v : kRuntimeVars) {
      std::string n(v);
      if (a == "$" + n || a.find("${" + n + "}") != std::string::npos) return true;
    }
  return false;
}

milliseconds ToMs(Usec u) {
  if (u == kUsecInfinity || u == 0) return milliseconds(0);
  return milliseconds((u + kUsecPerMsec - 1) / kUsecPerMsec);
}

std::optional<mode_t> ParseMode(std::string_view s) {
  if (s.empty() || s.size() > 5) return std::nullopt;
  mode_t m = 0;
  for (char c : s) {
    if (c < '0' || c > '7') return std::nullopt;
    m = m * 8 + static_cast<mode_t>(c - '0');
  }
  if (m > 07777) return std::nullopt;
  return m;
}

int RlimitResource(std::string_view name) {
  constexpr std::pair<std::string_view, int> kMap[] = {
      {"CPU", RLIMIT_CPU},           {"FSIZE", RLIMIT_FSIZE}, {"DATA", RLIMIT_DATA},
      {"STACK", RLIMIT_STACK},       {"CORE", RLIMIT_CORE},   {"RSS", RLIMIT_RSS},
      {"NOFILE", RLIMIT_NOFILE},     {"AS", RLIMIT_AS},       {"NPROC", RLIMIT_NPROC},
      {"MEMLOCK", RLIMIT_MEMLOCK},   {"LOCKS", RLIMIT_LOCKS}, {"SIGPENDING", RLIMIT_SIGPENDING},
      {"MSGQUEUE", RLIMIT_MSGQUEUE}, {"NICE", RLIMIT_NICE},   {"RTPRIO", RLIMIT_RTPRIO},
      {"RTTIME", RLIMIT_RTTIME}};
  for (const auto& [n, r] : kMap)
    if (n == name) return r;
  return -1;
}

void Add(std::vector<std::string>& v, const std::string& s) {
  if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

class Translator {
 public:
  Translator(const EnabledUnit& u, const TranslateContext& ctx, std::vector<Diagnostic>* diags)
      : eu_(u), u_(u.unit), ctx_(ctx), diags_(diags), spec_ctx_(u.unit.Specifiers(ctx.host)) {}

  std::optional<TranslatedUnit> Run(TranslateOutcome* outcome);

 private:
  const Assignment* Last(const char* section, const char* key) const {
    const Assignment* a = u_.file.Last(section, key);
    return a && !a->value.empty() ? a : nullptr;
  }
  std::vector<const Assignment*> List(const char* section, const char* key) const {
    return u_.file.List(section, key);
  }
  void Warn(const Assignment* a, const std::string& msg) {
    if (a)
      diags_->push_back({a->file, a->line, "[" + a->section + "] " + a->key + ": " + msg});
    else
      diags_->push_back({u_.fragment_path.empty() ? u_.id : u_.fragment_path, 0, msg});
  }
  bool Error(const Assignment* a, const std::string& msg) {
    Warn(a, msg + "; " + u_.id + " is not started");
    return false;
  }
  std::string Expand(const Assignment* a, std::string_view text) {
    std::string err;
    auto r = ExpandSpecifiers(text, spec_ctx_, &err);
    if (!r) {
      Warn(a, err + ", ignoring");
      return std::string(text);
    }
    return *r;
  }
  std::vector<std::string> Words(const Assignment* a) {
    std::vector<std::string> out;
    auto w = SplitWords(a->value, kExtractUnquote | kExtractRelax);
    if (!w) return out;
    for (const auto& x : *w) out.push_back(Expand(a, x));
    return out;
  }
  std::vector<std::string> AllWords(const char* section, const char* key) {
    std::vector<std::string> out;
    for (const Assignment* a : List(section, key))
      for (auto& w : Words(a)) out.push_back(std::move(w));
    return out;
  }
  std::string Canonical(const std::string& n) const {
    auto it = ctx_.canonical.find(n);
    return it == ctx_.canonical.end() ? n : it->second;
  }

  bool Exec(const char* key, std::vector<ExecCommand>* out, std::vector<std::string>* texts);
  Command ToCommand(const ExecCommand& c, const std::string& text, const std::string& step,
                    size_t index);
  bool Environment();
  bool Credentials();
  void Timeouts(bool oneshot);
  void Stdio();
  void Directories();
  void Misc();
  bool Conditions(TranslateOutcome* outcome);

  const EnabledUnit& eu_;
  const LoadedUnit& u_;
  const TranslateContext& ctx_;
  std::vector<Diagnostic>* diags_;
  SpecifierContext spec_ctx_;
  TranslatedUnit t_;
  EnvList expand_env_;
};

bool Translator::Exec(const char* key, std::vector<ExecCommand>* out,
                      std::vector<std::string>* texts) {
  ExpandFn expand = [&](std::string_view s, std::string* err) {
    return ExpandSpecifiers(s, spec_ctx_, err);
  };
  for (const Assignment* a : List("Service", key)) {
    std::string err;
    bool fatal = false;
    size_t before = out->size();
    if (!ParseExecLine(a->value, expand, out, &err, &fatal)) {
      if (fatal) return Error(a, err);
      Warn(a, err + ", ignoring");
      continue;
    }
    for (size_t i = before; i < out->size(); ++i) texts->push_back(a->value);
  }
  return true;
}

Command Translator::ToCommand(const ExecCommand& c, const std::string& text,
                              const std::string& step, size_t index) {
  Command cmd;
  cmd.text = text;
  cmd.ignore_failure = c.ignore_failure;
  cmd.full_privileges = c.full_privileges || c.no_setuid || c.ambient_magic;
  if (c.separate_argv0) cmd.path = c.path;
  if (c.no_env_expand) {
    cmd.argv = c.argv;
  } else if (UsesRuntimeVar(c.argv)) {
    // $MAINPID & co are known when the step runs: expand then, against the step's environment.
    cmd.argv = c.argv;
    cmd.argv_at_run = [raw = c.argv](const std::vector<std::string>& env) {
      auto argv = ExpandExecArgv(raw, env);
      return argv.empty() ? raw : argv;
    };
    t_.extras.runtime_expand.push_back({step, index});
  } else {
    cmd.argv = ExpandExecArgv(c.argv, expand_env_);
    if (cmd.argv.empty()) cmd.argv = c.argv;  // "$EMPTY" alone: keep something to report
  }
  return cmd;
}

bool Translator::Credentials() {
  const Assignment* user = Last("Service", "User");
  const Assignment* group = Last("Service", "Group");
  const Assignment* dyn = Last("Service", "DynamicUser");
  std::vector<std::string> extra = AllWords("Service", "SupplementaryGroups");
  bool dynamic = dyn && ParseBoolean(dyn->value).value_or(false);
  if (!user && !group && extra.empty() && !dynamic) return true;
  std::string uname = user ? Expand(user, user->value) : (dynamic ? "nobody" : "0");
  std::string gname = group ? Expand(group, group->value) : "";
  std::string err;
  auto c = passwd::Resolve(ctx_.root, uname, gname, extra, &err);
  if (!c && dynamic) {
    Warn(dyn, "DynamicUser=yes is not supported: running as \"nobody\" (" + err + ")");
    c = passwd::Resolve(ctx_.root, "65534", "", {}, &err);
  } else if (dynamic) {
    Warn(dyn, "DynamicUser=yes is not supported: running as the static user \"" + uname + "\"");
  }
  if (!c) return Error(user ? user : group, err);
  t_.spec.process.credentials = std::move(c);
  return true;
}

bool Translator::Environment() {
  ServiceSpec& s = t_.spec;
  ExpandFn expand = [&](std::string_view x, std::string* err) {
    return ExpandSpecifiers(x, spec_ctx_, err);
  };
  for (const Assignment* a : List("Service", "Environment")) {
    std::vector<std::string> warnings;
    ParseEnvironment(a->value, expand, &s.process.env, &warnings);
    for (const auto& w : warnings) Warn(a, w);
  }
  for (const Assignment* a : List("Service", "EnvironmentFile")) {
    std::string err;
    auto ref = ParseEnvironmentFileValue(Expand(a, a->value), &err);
    if (!ref) {
      Warn(a, err + ", ignoring");
      continue;
    }
    std::string text;
    if (!ReadFile((ctx_.root == "/" ? "" : ctx_.root) + ref->path, &text)) {
      if (ref->optional) continue;
      return Error(a, "cannot read environment file " + ref->path);
    }
    std::vector<std::string> warnings;
    for (const auto& e : ParseEnvFile(text, ref->path, &warnings)) EnvSet(s.process.env, e);
    for (const auto& w : warnings) diags_->push_back({ref->path, 0, w});
  }
  for (const auto& name : AllWords("Service", "PassEnvironment"))
    if (!EnvGet(ctx_.manager_env, name))
      Warn(Last("Service", "PassEnvironment"), name + " is not set in ctinit's environment");
  for (const auto& w : AllWords("Service", "UnsetEnvironment")) {
    if (w.find('=') != std::string::npos) {
      std::erase(s.process.env, w);
    } else {
      std::erase_if(s.process.env, [&](const std::string& e) { return e.starts_with(w + "="); });
      Add(s.process.unset_env, w);
    }
  }
  // What $VAR in command lines sees.
  expand_env_ = ctx_.manager_env;
  if (s.process.credentials) {
    EnvSet(expand_env_, "USER=" + s.process.credentials->user_name);
    EnvSet(expand_env_, "LOGNAME=" + s.process.credentials->user_name);
    EnvSet(expand_env_, "HOME=" + s.process.credentials->home);
    EnvSet(expand_env_, "SHELL=" + s.process.credentials->shell);
  }
  for (const auto& e : s.process.env) EnvSet(expand_env_, e);
  for (const auto& n : s.process.unset_env)
    std::erase_if(expand_env_, [&](const std::string& e) { return e.starts_with(n + "="); });
  return true;
}

void Translator::Timeouts(bool oneshot) {
  Usec start = oneshot ? kUsecInfinity : kDefaultTimeout, stop = kDefaultTimeout;
  for (const auto& a : u_.file.assignments()) {
    if (a.section != "Service") continue;
    bool both = a.key == "TimeoutSec", is_start = a.key == "TimeoutStartSec",
         is_stop = a.key == "TimeoutStopSec";
    if (!both && !is_start && !is_stop) continue;
    if (a.value.empty()) continue;
    std::string err;
    auto v = ParseTimeSpan(a.value, kUsecPerSec, &err);
    if (!v) {
      Warn(&a, err + ", ignoring");
      continue;
    }
    if (both || is_start) start = *v;
    if (both || is_stop) stop = *v;
  }
  t_.spec.start_timeout = ToMs(start);
  t_.spec.stop_timeout = ToMs(stop);
}

void Translator::Stdio() {
  ServiceSpec& s = t_.spec;
  using K = StdioTarget::Kind;
  const Assignment* in = Last("Service", "StandardInput");
  if (in) {
    std::string v = Expand(in, in->value);
    if (v == "null") {
      s.process.stdin_target = {K::kNull, ""};
    } else if (v.starts_with("tty")) {
      s.process.stdin_target = {K::kConsole, ""};
    } else if (v.starts_with("file:") && v.size() > 6 && v[5] == '/') {
      s.process.stdin_target = {K::kFile, v.substr(5)};
    } else {
      Warn(in, "\"" + v + "\" is not supported, using null");
      s.process.stdin_target = {K::kNull, ""};
    }
  } else {
    s.process.stdin_target = {K::kNull, ""};
  }
  // *tag: the stream goes to the journal (tagged with SyslogIdentifier=); dflt_tag for dflt.
  auto out = [&](const char* key, StdioTarget dflt, bool dflt_tag, bool* truncate,
                 bool* tag) -> StdioTarget {
    *tag = dflt_tag;
    const Assignment* a = Last("Service", key);
    if (!a) return dflt;
    std::string err;
    auto o = ParseOutput(Expand(a, a->value), &err);
    if (!o) {
      Warn(a, err + ", ignoring");
      return dflt;
    }
    if (o->kind != OutputSpec::kInherit && o->kind != OutputSpec::kSocket &&
        o->kind != OutputSpec::kFd)
      *tag = o->kind == OutputSpec::kJournal || o->kind == OutputSpec::kKmsg ||
             o->kind == OutputSpec::kJournalConsole || o->kind == OutputSpec::kKmsgConsole;
    switch (o->kind) {
      case OutputSpec::kInherit:
        return dflt;
      case OutputSpec::kNull:
        return {K::kNull, ""};
      case OutputSpec::kTty:
      case OutputSpec::kJournal:
      case OutputSpec::kKmsg:
      case OutputSpec::kJournalConsole:
      case OutputSpec::kKmsgConsole:
        return {K::kConsole, ""};
      case OutputSpec::kFile:
        return {K::kFile, o->arg};
      case OutputSpec::kTruncate:
        *truncate = true;
        return {K::kTruncate, o->arg};
      case OutputSpec::kAppend:
        return {K::kAppend, o->arg};
      case OutputSpec::kSocket:
      case OutputSpec::kFd:
        Warn(a, "\"" + a->value + "\" is not supported, ignoring");
        return dflt;
    }
    return dflt;
  };
  // inherit on stdout: stdin's target when that is a terminal, else /dev/null (systemd as PID 1).
  StdioTarget inherit_stdin = s.process.stdin_target.kind == K::kConsole
                                  ? s.process.stdin_target
                                  : StdioTarget{K::kNull, ""};
  const Assignment* so = Last("Service", "StandardOutput");
  if (so && so->value == "inherit") {
    s.process.stdout_target = inherit_stdin;
    s.tag_stdout = false;
  } else {
    s.process.stdout_target =
        out("StandardOutput", {K::kConsole, ""}, true, &t_.extras.truncate_stdout, &s.tag_stdout);
  }
  s.process.stderr_target = out("StandardError", s.process.stdout_target, s.tag_stdout,
                                &t_.extras.truncate_stderr, &s.tag_stderr);
  if (s.process.stderr_target.kind == s.process.stdout_target.kind &&
      s.process.stderr_target.path == s.process.stdout_target.path)
    t_.extras.truncate_stderr = t_.extras.truncate_stdout;
}

void Translator::Directories() {
  constexpr std::pair<const char*, const char*> kDirs[] = {{"RuntimeDirectory", "/run"},
                                                           {"StateDirectory", "/var/lib"},
                                                           {"CacheDirectory", "/var/cache"},
                                                           {"LogsDirectory", "/var/log"},
                                                           {"ConfigurationDirectory", "/etc"}};
  const char* env_names[] = {"RUNTIME_DIRECTORY", "STATE_DIRECTORY", "CACHE_DIRECTORY",
                             "LOGS_DIRECTORY", "CONFIGURATION_DIRECTORY"};
  bool preserve = false;
  if (const Assignment* p = Last("Service", "RuntimeDirectoryPreserve"))
    preserve = p->value == "restart" || ParseBoolean(p->value).value_or(false);
  EnvList dir_env;
  for (size_t i = 0; i < std::size(kDirs); ++i) {
    auto [key, base] = kDirs[i];
    mode_t mode = 0755;
    std::string mode_key = std::string(key) + "Mode";
    if (const Assignment* m = Last("Service", mode_key.c_str())) {
      if (auto p = ParseMode(m->value))
        mode = *p;
      else
        Warn(m, "invalid mode \"" + m->value + "\", using 0755");
    }
    std::string joined;
    for (const Assignment* a : List("Service", key))
      for (auto w : Words(a)) {
        w = w.substr(0, w.find(':'));  // "dir:symlink" (systemd 250+): the symlink is not made
        while (!w.empty() && w.back() == '/') w.pop_back();
        if (w.empty() || w[0] == '/' || w == ".." || w.starts_with("../") ||
            w.find("/../") != std::string::npos || w.ends_with("/..")) {
          Warn(a, "\"" + w + "\" is not a relative path below " + base + ", ignoring");
          continue;
        }
        DirectorySpec d;
        d.directive = key;
        d.path = std::string(base) + "/" + w;
        d.mode = mode;
        if (t_.spec.process.credentials && i != 4) {
          d.uid = t_.spec.process.credentials->uid;
          d.gid = t_.spec.process.credentials->gid;
        }
        d.remove_after_stop = i == 0 && !preserve;
        if (!joined.empty()) joined += ':';
        joined += d.path;
        t_.spec.directories.push_back({d.path, d.mode, d.uid, d.gid, d.remove_after_stop});
        t_.extras.directories.push_back(std::move(d));
      }
    if (!joined.empty()) dir_env.push_back(std::string(env_names[i]) + "=" + joined);
  }
  // Lowest priority: Environment= may override them.
  EnvList merged = dir_env;
  for (const auto& e : t_.spec.process.env) EnvSet(merged, e);
  t_.spec.process.env = std::move(merged);
}

void Translator::Misc() {
  ServiceSpec& s = t_.spec;
  UnitExtras& x = t_.extras;
  if (const Assignment* a = Last("Service", "WorkingDirectory")) {
    std::string v = Expand(a, a->value);
    bool optional = !v.empty() && v[0] == '-';
    if (optional) v.erase(0, 1);
    if (v == "~") v = s.process.credentials ? s.process.credentials->home : "/root";
    if (v.empty() || v[0] != '/')
      Warn(a, "not an absolute path, ignoring");
    else
      s.process.working_directory = (optional ? "-" : "") + v;
  }
  if (const Assignment* a = Last("Service", "RootDirectory")) {
    std::string v = Expand(a, a->value);
    if (v.empty() || v[0] != '/')
      Warn(a, "not an absolute path, ignoring");
    else
      s.process.root_directory = v;
  }
  if (const Assignment* a = Last("Service", "UMask")) {
    if (auto m = ParseMode(a->value); m && *m <= 0777)
      s.process.umask = *m;
    else
      Warn(a, "invalid umask, ignoring");
  }
  if (const Assignment* a = Last("Service", "Nice")) {
    char* end = nullptr;
    long n = std::strtol(a->value.c_str(), &end, 10);
    if (end && *end == '\0' && n >= -20 && n <= 19)
      s.process.nice = static_cast<int>(n);
    else
      Warn(a, "invalid nice level, ignoring");
  }
  for (const auto& a : u_.file.assignments()) {
    if (a.section != "Service" || !a.key.starts_with("Limit")) continue;
    std::string res = a.key.substr(5);
    std::erase_if(s.process.rlimits, [&](const ProcessContext::Limit& l) {
      return l.resource == RlimitResource(res);
    });
    if (a.value.empty()) continue;
    std::string err;
    auto r = ParseRlimit(res, a.value, &err);
    int resource = RlimitResource(res);
    if (!r || resource < 0) {
      Warn(&a, err + ", ignoring");
      continue;
    }
    auto conv = [](uint64_t v) { return v == kRlimInfinity ? RLIM_INFINITY : rlim_t(v); };
    s.process.rlimits.push_back({resource, conv(r->soft), conv(r->hard)});
  }
  // KillSignal=, FinalKillSignal=, WatchdogSignal=: a signal name or number, else a warning.
  auto signal = [this](const char* key, int* out) {
    const Assignment* a = Last("Service", key);
    if (!a) return;
    if (auto sig = ParseSignal(a->value))
      *out = *sig;
    else
      Warn(a, "invalid signal, ignoring");
  };
  signal("KillSignal", &s.stop_signal);
  signal("FinalKillSignal", &s.final_kill_signal);
  x.final_kill_signal = s.final_kill_signal;
  signal("WatchdogSignal", &s.watchdog_signal);
  if (const Assignment* a = Last("Service", "WatchdogSec")) {
    if (auto v = ParseTimeSpan(a->value)) {
      s.watchdog = ToMs(*v);  // 0 and infinity: no watchdog
    } else {
      Warn(a, "invalid time span \"" + a->value + "\", ignoring");
    }
  }
  if (const Assignment* a = Last("Service", "SendSIGKILL"))
    s.send_sigkill = ParseBoolean(a->value).value_or(true);
  if (const Assignment* a = Last("Service", "SendSIGHUP"))
    s.send_sighup = ParseBoolean(a->value).value_or(false);
  if (const Assignment* a = Last("Service", "KillMode")) {
    if (auto k = ParseKillMode(a->value))
      x.kill_mode = *k;
    else
      Warn(a, "invalid kill mode, ignoring");
  }
  switch (x.kill_mode) {
    case KillMode::kControlGroup:
      s.kill_mode = ctinit::KillMode::kControlGroup;
      break;
    case KillMode::kProcess:
      s.kill_mode = ctinit::KillMode::kProcess;
      break;
    case KillMode::kMixed:
      s.kill_mode = ctinit::KillMode::kMixed;
      break;
    case KillMode::kNone:
      s.kill_mode = ctinit::KillMode::kNone;
      break;
  }
  if (const Assignment* a = Last("Service", "NotifyAccess")) {
    using NA = ServiceSpec::NotifyAccess;
    if (a->value == "none")
      s.notify_access = NA::kNone;
    else if (a->value == "main")
      s.notify_access = NA::kMain;
    else if (a->value == "exec")
      s.notify_access = NA::kExec;
    else if (a->value == "all")
      s.notify_access = NA::kAll;
    else
      Warn(a, "invalid value \"" + a->value + "\", using main");
  }
  if (const Assignment* a = Last("Service", "GuessMainPID"))
    s.guess_main_pid = ParseBoolean(a->value).value_or(true);
  if (const Assignment* a = Last("Service", "PrivateTmp"); a && ParseBoolean(a->value) == true)
    Warn(a, "a private /tmp is not supported by ctinit, the service shares the container's");
  if (const Assignment* a = Last("Service", "SyslogIdentifier")) x.log_name = Expand(a, a->value);
  // Exit statuses.
  ExitStatusSet success, prevent;
  for (const Assignment* a : List("Service", "SuccessExitStatus")) {
    std::vector<std::string> w;
    ParseExitStatusSet(a->value, &success, &w);
    for (const auto& m : w) Warn(a, m);
  }
  for (const Assignment* a : List("Service", "RestartPreventExitStatus")) {
    std::vector<std::string> w;
    ParseExitStatusSet(a->value, &prevent, &w);
    for (const auto& m : w) Warn(a, m);
  }
  s.success_status.assign(success.status.begin(), success.status.end());
  x.success_signals.assign(success.signals.begin(), success.signals.end());
  s.success_signals = x.success_signals;
  s.restart_prevent_status.assign(prevent.status.begin(), prevent.status.end());
  if (!prevent.signals.empty())
    Warn(Last("Service", "RestartPreventExitStatus"),
         "signals are not supported here by ctinit, ignoring them");
  // Start limit: [Unit] names, or the old [Service] ones.
  Usec interval = 10 * kUsecPerSec;
  unsigned burst = 5;
  for (const auto& a : u_.file.assignments()) {
    if (a.value.empty()) continue;
    if (a.key == "StartLimitIntervalSec" || a.key == "StartLimitInterval") {
      if (auto v = ParseTimeSpan(a.value))
        interval = *v;
      else
        Warn(&a, "invalid time span, ignoring");
    } else if (a.key == "StartLimitBurst") {
      char* end = nullptr;
      unsigned long b = std::strtoul(a.value.c_str(), &end, 10);
      if (end && *end == '\0' && !a.value.empty() && b < 1000000)
        burst = static_cast<unsigned>(b);
      else
        Warn(&a, "invalid number, ignoring");
    }
  }
  s.respawn_limit.give_up = true;
  s.respawn_limit.disable_for = std::chrono::seconds(0);
  if (interval == 0 || burst == 0 || interval == kUsecInfinity) {
    s.respawn_limit.max_starts = 0;
  } else {
    s.respawn_limit.max_starts = static_cast<int>(burst);
    s.respawn_limit.interval =
        std::chrono::seconds(static_cast<long>((interval + kUsecPerSec - 1) / kUsecPerSec));
  }
}

bool Translator::Conditions(TranslateOutcome* outcome) {
  auto conds = CollectConditions(u_.file);
  if (conds.empty()) return true;
  if (ctx_.runtime_probe) {
    // Checked when a start begins, as systemd does (a file made by an earlier unit counts).
    auto probe = ctx_.runtime_probe;
    std::vector<Condition> c, a;
    for (const auto& x : conds) (x.assert ? a : c).push_back(x);
    if (!c.empty())
      t_.spec.condition = [probe, c](std::string* why) {
        auto r = EvaluateConditions(c, *probe);
        if (!r.conditions_ok) *why = "condition not met: " + r.failed;
        return r.conditions_ok;
      };
    if (!a.empty())
      t_.spec.assertion = [probe, a](std::string* why) {
        auto r = EvaluateConditions(a, *probe);
        if (!r.asserts_ok) *why = "assertion not met: " + r.failed;
        return r.asserts_ok;
      };
    return true;
  }
  if (!ctx_.probe) return true;
  auto r = EvaluateConditions(conds, *ctx_.probe);
  t_.extras.condition_notes = r.notes;
  const Condition* first = &conds.front();
  std::string where = first->file;
  int line = first->line;
  if (!r.conditions_ok) {
    *outcome = TranslateOutcome::kConditionFailed;
    diags_->push_back({where, line, u_.id + ": skipped: condition not met: " + r.failed});
    return false;
  }
  if (!r.asserts_ok) {
    *outcome = TranslateOutcome::kAssertFailed;
    diags_->push_back({where, line, u_.id + ": failed: assertion not met: " + r.failed});
    return false;
  }
  return true;
}

std::optional<TranslatedUnit> Translator::Run(TranslateOutcome* outcome) {
  *outcome = TranslateOutcome::kRefused;
  ServiceSpec& s = t_.spec;
  UnitExtras& x = t_.extras;
  auto parsed = ParseUnitName(u_.id);
  std::string type = parsed ? parsed->type : "";
  s.name = u_.id;
  s.origin = u_.fragment_path.empty() ? "<built-in " + u_.id + ">" : u_.fragment_path;
  s.levels = eu_.levels;
  s.utmp = false;
  s.trigger = Trigger::kRunlevel;
  x.fragment_path = u_.fragment_path;
  x.log_name = parsed ? parsed->prefix + (parsed->has_at ? "@" + parsed->instance : "") : u_.id;
  if (const Assignment* a = Last("Unit", "Description")) x.description = Expand(a, a->value);
  s.description = x.description;
  if (const Assignment* a = Last("Unit", "DefaultDependencies"))
    x.default_dependencies = ParseBoolean(a->value).value_or(true);

  // [Unit] relations.
  for (const auto& n : AllWords("Unit", "After")) Add(s.after, Canonical(n));
  for (const auto& n : AllWords("Unit", "Before")) Add(x.before, Canonical(n));
  for (const auto& n : AllWords("Unit", "Conflicts")) Add(x.conflicts, Canonical(n));
  for (const auto& n : AllWords("Unit", "PartOf")) Add(x.part_of, Canonical(n));
  for (const auto& n : AllWords("Unit", "OnFailure")) Add(x.on_failure, Canonical(n));
  for (const auto& n : AllWords("Unit", "BindsTo")) Add(x.binds_to, Canonical(n));
  if (type == "service" && x.default_dependencies) {
    Add(s.after, "sysinit.target");
    Add(s.after, "basic.target");
  }
  // Requires= (and .requires/): with After= the dependent fails when it fails (needs);
  // without, both start in parallel and only a stop or restart of it carries over (wants +
  // part_of). BindsTo= likewise, and with After= it also goes down whenever the other does.
  auto ordered = [&](const std::string& n) {
    return std::find(s.after.begin(), s.after.end(), n) != s.after.end();
  };
  std::vector<std::string> binds;
  for (const auto& n : AllWords("Unit", "BindsTo")) Add(binds, Canonical(n));
  for (const auto& r : eu_.required) {
    if (r.name == "sysinit.target" && r.file.empty()) continue;  // the implicit one: After= only
    std::string n = Canonical(r.name);
    bool bound = std::find(binds.begin(), binds.end(), n) != binds.end();
    if (ordered(n)) {
      Add(bound ? s.binds_to : s.needs, n);
    } else {
      Add(s.wants, n);
      Add(s.part_of, n);
    }
  }
  for (const auto& r : eu_.wants) Add(s.wants, Canonical(r.name));
  for (const auto& r : eu_.requisite) Add(s.requisite, Canonical(r));
  s.conflicts = x.conflicts;
  for (const auto& n : x.part_of) Add(s.part_of, n);
  s.on_failure = x.on_failure;

  if (!Conditions(outcome)) return std::nullopt;

  if (type == "target") {
    x.is_target = true;
    s.kind = Kind::kScripted;  // a grouping node: runs nothing
    s.command.text = "";
    s.command.argv.clear();
    s.action_label = "unit:target";
    *outcome = TranslateOutcome::kOk;
    return std::move(t_);
  }
  if (type != "service") {
    Error(nullptr, "." + type + " units are not supported");
    return std::nullopt;
  }

  // Type.
  ServiceType st = ServiceType::kSimple;
  const Assignment* type_a = Last("Service", "Type");
  bool has_start = !List("Service", "ExecStart").empty();
  if (type_a) {
    auto t = ParseServiceType(type_a->value);
    if (!t) return Error(type_a, "invalid service type"), std::nullopt;
    st = *t;
  } else if (Last("Service", "BusName")) {
    st = ServiceType::kDbus;
  } else if (!has_start) {
    st = ServiceType::kOneshot;
  }
  bool remain = false;
  if (const Assignment* a = Last("Service", "RemainAfterExit"))
    remain = ParseBoolean(a->value).value_or(false);
  bool oneshot = st == ServiceType::kOneshot;

  if (!Credentials()) return std::nullopt;
  Directories();  // before Environment(): $RUNTIME_DIRECTORY & co are the lowest layer
  {
    EnvList dir_env = std::move(s.process.env);
    s.process.env.clear();
    if (!Environment()) return std::nullopt;
    EnvList merged = dir_env;
    for (const auto& e : s.process.env) EnvSet(merged, e);
    s.process.env = std::move(merged);
    for (const auto& e : dir_env)
      if (!EnvGet(expand_env_, e.substr(0, e.find('=')))) EnvSet(expand_env_, e);
  }

  std::vector<ExecCommand> pre, start, post, stop, stop_post, reload;
  std::vector<std::string> tpre, tstart, tpost, tstop, tstop_post, treload;
  if (!Exec("ExecStartPre", &pre, &tpre) || !Exec("ExecStart", &start, &tstart) ||
      !Exec("ExecStartPost", &post, &tpost) || !Exec("ExecStop", &stop, &tstop) ||
      !Exec("ExecStopPost", &stop_post, &tstop_post) || !Exec("ExecReload", &reload, &treload))
    return std::nullopt;
  if (const Assignment* a = Last("Service", "ExecCondition"))
    Warn(a, "not supported by ctinit, ignoring");

  if (!oneshot && start.size() != 1) {
    return Error(type_a ? type_a : Last("Service", "ExecStart"),
                 start.empty() ? "no ExecStart=, which only Type=oneshot services may lack"
                               : "more than one ExecStart=, which only Type=oneshot services "
                                 "may have"),
           std::nullopt;
  }
  if (oneshot && start.empty() && !remain && stop.empty())
    return Error(nullptr, "no ExecStart= and no ExecStop="), std::nullopt;

  // Restart.
  s.restart = Restart::kNo;
  if (const Assignment* a = Last("Service", "Restart")) {
    auto r = ParseRestart(a->value);
    if (!r) {
      Warn(a, "invalid restart policy, using \"no\"");
    } else {
      switch (*r) {
        case RestartPolicy::kNo:
          s.restart = Restart::kNo;
          break;
        case RestartPolicy::kAlways:
          s.restart = Restart::kAlways;
          break;
        case RestartPolicy::kOnSuccess:
          s.restart = Restart::kOnSuccess;
          break;
        case RestartPolicy::kOnFailure:
          s.restart = Restart::kOnFailure;
          break;
        case RestartPolicy::kOnAbnormal:
          s.restart = Restart::kOnAbnormal;
          break;
        case RestartPolicy::kOnAbort:
          s.restart = Restart::kOnAbort;
          break;
        case RestartPolicy::kOnWatchdog:
          s.restart = Restart::kOnWatchdog;
          break;
      }
      if (oneshot && (*r == RestartPolicy::kAlways || *r == RestartPolicy::kOnSuccess))
        return Error(a, "Restart=always/on-success is not allowed for Type=oneshot"), std::nullopt;
    }
  }
  s.restart_delay = milliseconds(100);
  if (const Assignment* a = Last("Service", "RestartSec")) {
    if (auto v = ParseTimeSpan(a->value))
      s.restart_delay = ToMs(*v);
    else
      Warn(a, "invalid time span, ignoring");
  }

  switch (st) {
    case ServiceType::kSimple:
      s.readiness = Readiness::kSpawned;
      break;
    case ServiceType::kExec:
      s.readiness = Readiness::kExec;
      break;
    case ServiceType::kIdle:
      s.readiness = Readiness::kIdle;
      break;
    case ServiceType::kNotify:
    case ServiceType::kNotifyReload:
      s.readiness = Readiness::kNotify;
      break;
    case ServiceType::kForking:
      s.readiness = Readiness::kForking;
      break;
    case ServiceType::kDbus:
      Warn(type_a, "D-Bus readiness is not supported: the service counts as up once spawned");
      s.readiness = Readiness::kSpawned;
      break;
    case ServiceType::kOneshot:
      break;
  }
  if (const Assignment* a = Last("Service", "PIDFile")) {
    std::string p = Expand(a, a->value);
    if (p.starts_with("/var/run/")) p = p.substr(4);
    s.pidfile = p;
  }
  if (st == ServiceType::kForking && s.pidfile.empty())
    Warn(type_a, "Type=forking without PIDFile=: the main process cannot be known");

  // Commands.
  size_t k = 0;
  for (size_t i = 0; i < pre.size(); ++i)
    s.start_pre.push_back(ToCommand(pre[i], tpre[i], "start_pre", k++));
  if (start.empty()) {
    s.command.argv = {"true"};
  } else {
    for (size_t i = 0; i + 1 < start.size(); ++i)
      s.start_pre.push_back(ToCommand(start[i], tstart[i], "start_pre", k++));
    s.command = ToCommand(start.back(), tstart.back(), "command", 0);
  }
  for (size_t i = 0; i < post.size(); ++i)
    s.start_post.push_back(ToCommand(post[i], tpost[i], "start_post", i));
  for (size_t i = 0; i < stop.size(); ++i)
    s.stop.push_back(ToCommand(stop[i], tstop[i], "stop", i));
  for (size_t i = 0; i < stop_post.size(); ++i)
    s.stop_post.push_back(ToCommand(stop_post[i], tstop_post[i], "stop_post", i));
  for (size_t i = 0; i < reload.size(); ++i)
    s.reload.push_back(ToCommand(reload[i], treload[i], "reload", i));

  s.kind = oneshot ? (remain ? Kind::kScripted : Kind::kTask) : Kind::kLongRun;
  s.action_label = "unit:" + (type_a ? type_a->value : std::string(oneshot ? "oneshot" : "simple"));
  Timeouts(oneshot);
  Stdio();
  Misc();
  if (s.tag_stdout || s.tag_stderr) s.log_tag = x.log_name;
  *outcome = TranslateOutcome::kOk;
  return std::move(t_);
}

}  // namespace

std::optional<SocketSpec> TranslateSocket(const EnabledUnit& eu, const TranslateContext& ctx,
                                          std::vector<Diagnostic>* diags) noexcept {
  try {
    const LoadedUnit& u = eu.unit;
    auto spec_ctx = u.Specifiers(ctx.host);
    auto expand = [&](const Assignment* a) {
      std::string err;
      auto r = ExpandSpecifiers(a->value, spec_ctx, &err);
      return r ? *r : a->value;
    };
    auto warn = [&](const Assignment* a, const std::string& m) {
      diags->push_back({a->file, a->line, "[Socket] " + a->key + ": " + m});
    };
    SocketSpec sock;
    sock.name = eu.name;
    sock.origin = u.fragment_path;
    auto parsed = ParseUnitName(eu.name);
    sock.service = (parsed ? parsed->prefix : eu.name) + ".service";
    for (const auto& a : u.file.assignments()) {
      if (a.section != "Socket" || a.value.empty()) continue;
      std::string v = expand(&a);
      using K = SocketSpec::Listen::Kind;
      if (a.key == "ListenStream" || a.key == "ListenDatagram" ||
          a.key == "ListenSequentialPacket") {
        if (v[0] == '@' || v.find_first_of(" \t") != std::string::npos) {
          warn(&a, "\"" + v + "\" is not supported by ctinit (abstract or netlink), ignoring");
          continue;
        }
        K k = a.key == "ListenStream"     ? K::kStream
              : a.key == "ListenDatagram" ? K::kDatagram
                                          : K::kSeqPacket;
        sock.listens.push_back({k, v});
      } else if (a.key == "Accept") {
        if (ParseBoolean(v).value_or(false)) {
          diags->push_back({a.file, a.line,
                            "[Socket] Accept=yes is not supported by ctinit (only listening "
                            "sockets are passed); " +
                                eu.name + " is not used"});
          return std::nullopt;
        }
      } else if (a.key == "Service") {
        sock.service = v;
      } else if (a.key == "SocketMode") {
        if (auto m = ParseMode(v))
          sock.mode = *m;
        else
          warn(&a, "invalid mode, ignoring");
      } else if (a.key == "SocketUser" || a.key == "SocketGroup") {
        std::string err;
        auto c = a.key == "SocketUser" ? passwd::Resolve(ctx.root, v, "", {}, &err)
                                       : passwd::Resolve(ctx.root, "0", v, {}, &err);
        if (!c) {
          warn(&a, err + ", ignoring");
        } else if (a.key == "SocketUser") {
          sock.uid = c->uid;
          if (!sock.gid) sock.gid = c->gid;
        } else {
          sock.gid = c->gid;
        }
      } else if (a.key == "FileDescriptorName") {
        sock.fd_name = v;
      } else if (a.key == "Backlog") {
        char* end = nullptr;
        long b = std::strtol(v.c_str(), &end, 10);
        if (end && *end == '\0' && b > 0 && b < (1 << 20))
          sock.backlog = static_cast<int>(b);
        else
          warn(&a, "invalid number, ignoring");
      } else if (a.key != "RemoveOnStop" && a.key != "SocketProtocol") {
        warn(&a, "not supported by ctinit, ignoring");
      }
    }
    if (sock.listens.empty()) {
      diags->push_back({u.fragment_path, 0, eu.name + ": nothing to listen on; not used"});
      return std::nullopt;
    }
    return sock;
  } catch (const std::exception& e) {
    diags->push_back({eu.unit.fragment_path, 0, eu.name + ": " + e.what()});
  }
  return std::nullopt;
}

std::optional<TranslatedUnit> TranslateUnit(const EnabledUnit& unit, const TranslateContext& ctx,
                                            std::vector<Diagnostic>* diags,
                                            TranslateOutcome* outcome) noexcept {
  TranslateOutcome dummy;
  if (!outcome) outcome = &dummy;
  try {
    Translator t(unit, ctx, diags);
    return t.Run(outcome);
  } catch (const std::exception& e) {
    *outcome = TranslateOutcome::kRefused;
    diags->push_back({unit.unit.fragment_path, 0, unit.name + ": " + e.what()});
  } catch (...) {
    *outcome = TranslateOutcome::kRefused;
    diags->push_back({unit.unit.fragment_path, 0, unit.name + ": translation failed"});
  }
  return std::nullopt;
}

}  // namespace ctinit::units
