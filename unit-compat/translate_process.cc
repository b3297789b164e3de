// The process context of a service (see translate.h): who it runs as, its directories, its
// environment, its standard streams, and the directives that each set one field of the spec.
#include <sys/resource.h>

#include <string>
#include <vector>

#include "init/base/capabilities.h"
#include "init/base/files.h"
#include "init/base/passwd.h"
#include "init/base/untrusted_file.h"
#include "unit-compat/translator.h"

namespace ctinit::units::internal {

namespace {

int RlimitResource(std::string_view name) {
  constexpr NamedValue<int> kNames[] = {
      {"CPU", RLIMIT_CPU},           {"FSIZE", RLIMIT_FSIZE}, {"DATA", RLIMIT_DATA},
      {"STACK", RLIMIT_STACK},       {"CORE", RLIMIT_CORE},   {"RSS", RLIMIT_RSS},
      {"NOFILE", RLIMIT_NOFILE},     {"AS", RLIMIT_AS},       {"NPROC", RLIMIT_NPROC},
      {"MEMLOCK", RLIMIT_MEMLOCK},   {"LOCKS", RLIMIT_LOCKS}, {"SIGPENDING", RLIMIT_SIGPENDING},
      {"MSGQUEUE", RLIMIT_MSGQUEUE}, {"NICE", RLIMIT_NICE},   {"RTPRIO", RLIMIT_RTPRIO},
      {"RTTIME", RLIMIT_RTTIME}};
  return LookUpName(kNames, name).value_or(-1);
}

// A directive that sets one thing from its last (non-empty) assignment.
struct LastValueDirective {
  const char* key;
  void (*apply)(ServiceSpec& s, const std::string& value, std::string* problem);
};

// Applies each row whose directive is set, in table order; a problem is a warning naming it.
template <size_t N>
void ApplyTable(const LastValueDirective (&table)[N], ServiceSpec& s,
                const std::function<const Assignment*(const char*)>& last,
                const std::function<void(const Assignment*, const std::string&)>& warn) {
  for (const auto& row : table)
    if (const Assignment* a = last(row.key)) {
      std::string problem;
      row.apply(s, a->value, &problem);
      if (!problem.empty()) warn(a, problem);
    }
}

// CapabilityBoundingSet= / AmbientCapabilities=, every assignment in order as systemd merges
// them: "" empties the set, "~" inverts (so "~" alone is every capability); a later line is
// ORed in (ANDed when inverted) unless the set is still unset or the line names nothing. A
// result equal to `all` (what "unset" means: every capability for the bounding set) is nullopt.
// Unknown names are warnings.
std::optional<uint64_t> CapabilitySet(
    const std::vector<const Assignment*>& lines, uint64_t all,
    const std::function<void(const Assignment*, const std::string&)>& warn) {
  std::optional<uint64_t> set;
  for (const Assignment* a : lines) {
    std::string_view v = a->value;
    if (v.empty()) {
      set = 0;
      continue;
    }
    bool invert = v.front() == '~';
    if (invert) v.remove_prefix(1);
    uint64_t sum = 0;
    for (const auto& word :
         SplitWords(v, kExtractUnquote | kExtractRelax).value_or(std::vector<std::string>{})) {
      if (auto cap = caps::FromName(word))
        sum |= caps::Bit(*cap);
      else
        warn(a, "unknown capability \"" + word + "\", ignoring it");
    }
    if (!set || sum == 0)
      set = invert ? ~sum : sum;
    else if (invert)
      *set &= ~sum;
    else
      *set |= sum;
  }
  if (set && *set == all) set.reset();
  return set;
}

// Directives that restrict a service by means a container does not give its init (mount,
// network and other namespaces, seccomp, cgroups, LSM labels), and the value that asks for
// nothing besides "no" (nullptr: only "no").
struct NotApplied {
  const char* key;
  const char* inert;
};
constexpr NotApplied kNotApplied[] = {
    {"PrivateTmp", nullptr},
    {"PrivateDevices", nullptr},
    {"PrivateNetwork", nullptr},
    {"PrivateIPC", nullptr},
    {"PrivateUsers", nullptr},
    {"PrivateMounts", nullptr},
    {"ProtectSystem", nullptr},
    {"ProtectHome", nullptr},
    {"ProtectHostname", nullptr},
    {"ProtectClock", nullptr},
    {"ProtectKernelTunables", nullptr},
    {"ProtectKernelModules", nullptr},
    {"ProtectKernelLogs", nullptr},
    {"ProtectControlGroups", nullptr},
    {"ProtectProc", "default"},
    {"ProcSubset", "all"},
    {"ReadWritePaths", nullptr},
    {"ReadOnlyPaths", nullptr},
    {"InaccessiblePaths", nullptr},
    {"ExecPaths", nullptr},
    {"NoExecPaths", nullptr},
    {"ReadWriteDirectories", nullptr},
    {"ReadOnlyDirectories", nullptr},
    {"InaccessibleDirectories", nullptr},
    {"TemporaryFileSystem", nullptr},
    {"BindPaths", nullptr},
    {"BindReadOnlyPaths", nullptr},
    {"MountFlags", nullptr},
    {"NetworkNamespacePath", nullptr},
    {"IPCNamespacePath", nullptr},
    {"RestrictNamespaces", nullptr},
    {"RestrictAddressFamilies", nullptr},
    {"RestrictFileSystems", nullptr},
    {"RestrictNetworkInterfaces", nullptr},
    {"RestrictRealtime", nullptr},
    {"RestrictSUIDSGID", nullptr},
    {"LockPersonality", nullptr},
    {"MemoryDenyWriteExecute", nullptr},
    {"RemoveIPC", nullptr},
    {"SystemCallFilter", nullptr},
    {"SystemCallArchitectures", nullptr},
    {"SystemCallLog", nullptr},
    {"SocketBindAllow", nullptr},
    {"SocketBindDeny", nullptr},
    {"IPAddressAllow", nullptr},
    {"IPAddressDeny", nullptr},
    {"DeviceAllow", nullptr},
    {"DevicePolicy", "auto"},
    {"SELinuxContext", nullptr},
    {"AppArmorProfile", nullptr},
    {"SmackProcessLabel", nullptr},
    {"MemoryMin", nullptr},
    {"MemoryLow", nullptr},
    {"MemoryHigh", "infinity"},
    {"MemoryMax", "infinity"},
    {"MemorySwapMax", "infinity"},
    {"MemoryLimit", "infinity"},
    {"CPUQuota", nullptr},
    {"CPUWeight", nullptr},
    {"CPUShares", nullptr},
    {"IOWeight", nullptr},
    {"TasksMax", "infinity"},
};

// KillSignal=, FinalKillSignal=, WatchdogSignal=: a signal name or number.
void SetSignal(const std::string& v, int* out, std::string* problem) {
  if (auto sig = ParseSignal(v))
    *out = *sig;
  else
    *problem = "invalid signal, ignoring";
}

}  // namespace

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

// RuntimeDirectory= & co -> spec.directories; returns $RUNTIME_DIRECTORY & co.
EnvList Translator::Directories() {
  struct Kind {
    const char* key;
    const char* base;
    const char* env_name;
  };
  constexpr Kind kKinds[] = {{"RuntimeDirectory", "/run", "RUNTIME_DIRECTORY"},
                             {"StateDirectory", "/var/lib", "STATE_DIRECTORY"},
                             {"CacheDirectory", "/var/cache", "CACHE_DIRECTORY"},
                             {"LogsDirectory", "/var/log", "LOGS_DIRECTORY"},
                             {"ConfigurationDirectory", "/etc", "CONFIGURATION_DIRECTORY"}};
  bool preserve = false;
  if (const Assignment* p = Last("Service", "RuntimeDirectoryPreserve"))
    preserve = p->value == "restart" || ParseBoolean(p->value).value_or(false);
  const auto& cred = t_.spec.process.credentials;
  EnvList dir_env;
  for (const Kind& kind : kKinds) {
    bool is_runtime = kind.key == kKinds[0].key, is_config = kind.key == kKinds[4].key;
    ServiceSpec::Directory d;
    std::string mode_key = std::string(kind.key) + "Mode";
    if (const Assignment* m = Last("Service", mode_key.c_str())) {
      if (auto p = ParseFileMode(m->value))
        d.mode = *p;
      else
        Warn(m, "invalid mode \"" + m->value + "\", using 0755");
    }
    if (cred && !is_config) {
      d.uid = cred->uid;
      d.gid = cred->gid;
    }
    d.remove_after_stop = is_runtime && !preserve;
    std::string joined;
    for (const Assignment* a : List("Service", kind.key))
      for (auto w : Words(a)) {
        w = w.substr(0, w.find(':'));  // "dir:symlink" (systemd 250+): the symlink is not made
        // systemd refuses what is not a normalised relative path ("", ".", "a//b", "../x",
        // "/x"): "." would make the base itself (/run) the service's, chowned and removed.
        while (w.size() > 1 && w.back() == '/') w.pop_back();
        if (!files::IsNormalisedRelativePath(w)) {
          Warn(a,
               "\"" + w + "\" is not a normalised relative path below " + kind.base + ", ignoring");
          continue;
        }
        d.base = kind.base;
        d.path = std::string(kind.base) + "/" + w;
        joined += (joined.empty() ? "" : ":") + d.path;
        t_.spec.directories.push_back(d);
      }
    if (!joined.empty()) dir_env.push_back(std::string(kind.env_name) + "=" + joined);
  }
  return dir_env;
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
  if (!EnvironmentFiles()) return false;
  for (const auto& name : AllWords("Service", "PassEnvironment"))
    if (!EnvGet(ctx_.manager_env, name))
      Warn(Last("Service", "PassEnvironment"), name + " is not set in ctinit's environment");
  UnsetEnvironment();
  // What $VAR in command lines sees.
  expand_env_ = ctx_.manager_env;
  if (const auto& c = s.process.credentials) {
    EnvSet(expand_env_, "USER=" + c->user_name);
    EnvSet(expand_env_, "LOGNAME=" + c->user_name);
    EnvSet(expand_env_, "HOME=" + c->home);
    EnvSet(expand_env_, "SHELL=" + c->shell);
  }
  for (const auto& e : s.process.env) EnvSet(expand_env_, e);
  for (const auto& n : s.process.unset_env)
    std::erase_if(expand_env_, [&](const std::string& e) { return e.starts_with(n + "="); });
  return true;
}

bool Translator::EnvironmentFiles() {
  for (const Assignment* a : List("Service", "EnvironmentFile")) {
    std::string err;
    auto ref = ParseEnvironmentFileValue(Expand(a, a->value), &err);
    if (!ref) {
      Warn(a, err + ", ignoring");
      continue;
    }
    // Read inside PID 1 from a path the service's user may control: never a FIFO, at most 1 MiB.
    std::string text, why;
    if (!files::ReadUntrustedFile(files::Under(ctx_.root, ref->path),
                                  {.max_bytes = 1 << 20, .follow_links = true}, &text, &why)) {
      if (ref->optional) continue;
      return Error(a, "cannot read environment file " + ref->path + ": " + why);
    }
    std::vector<std::string> warnings;
    for (const auto& e : ParseEnvFile(text, ref->path, &warnings)) EnvSet(t_.spec.process.env, e);
    for (const auto& w : warnings) diags_->push_back({ref->path, 0, w});
  }
  return true;
}

void Translator::UnsetEnvironment() {
  ServiceSpec& s = t_.spec;
  for (const auto& w : AllWords("Service", "UnsetEnvironment")) {
    if (w.find('=') != std::string::npos) {
      std::erase(s.process.env, w);
    } else {
      std::erase_if(s.process.env, [&](const std::string& e) { return e.starts_with(w + "="); });
      AddOnce(s.process.unset_env, w);
    }
  }
}

// $RUNTIME_DIRECTORY & co have the lowest priority: Environment= may override them.
void Translator::MergeDirectoryEnv(const EnvList& dir_env) {
  EnvList merged = dir_env;
  for (const auto& e : t_.spec.process.env) EnvSet(merged, e);
  t_.spec.process.env = std::move(merged);
  for (const auto& e : dir_env)
    if (!EnvGet(expand_env_, e.substr(0, e.find('=')))) EnvSet(expand_env_, e);
}

void Translator::Stdio() {
  ServiceSpec& s = t_.spec;
  using K = StdioTarget::Kind;
  StdioTarget in{K::kNull, ""};
  if (const Assignment* a = Last("Service", "StandardInput")) {
    std::string v = Expand(a, a->value);
    if (v.starts_with("tty"))
      in = {K::kConsole, ""};
    else if (v.starts_with("file:") && v.size() > 6 && v[5] == '/')
      in = {K::kFile, v.substr(5)};
    else if (v != "null")
      Warn(a, "\"" + v + "\" is not supported, using null");
  }
  s.process.stdin_target = in;
  // inherit on stdout: stdin's target when that is a terminal, else /dev/null (systemd as PID 1).
  const Assignment* so = Last("Service", "StandardOutput");
  if (so && so->value == "inherit") {
    s.process.stdout_target = in.kind == K::kConsole ? in : StdioTarget{K::kNull, ""};
    s.tag_stdout = false;
  } else {
    s.process.stdout_target = Output("StandardOutput", {K::kConsole, ""}, true, &s.tag_stdout);
  }
  s.process.stderr_target =
      Output("StandardError", s.process.stdout_target, s.tag_stdout, &s.tag_stderr);
}

// StandardOutput= / StandardError=; *tag: the stream goes to the journal (tagged with
// SyslogIdentifier=), dflt_tag for dflt.
StdioTarget Translator::Output(const char* key, StdioTarget dflt, bool dflt_tag, bool* tag) {
  using K = StdioTarget::Kind;
  using O = OutputSpec;
  *tag = dflt_tag;
  const Assignment* a = Last("Service", key);
  if (!a) return dflt;
  std::string err;
  auto o = ParseOutput(Expand(a, a->value), &err);
  if (!o) {
    Warn(a, err + ", ignoring");
    return dflt;
  }
  if (o->kind != O::kInherit && o->kind != O::kSocket && o->kind != O::kFd)
    *tag = o->kind == O::kJournal || o->kind == O::kKmsg || o->kind == O::kJournalConsole ||
           o->kind == O::kKmsgConsole;
  switch (o->kind) {
    case O::kInherit:
      return dflt;
    case O::kNull:
      return {K::kNull, ""};
    case O::kTty:
    case O::kJournal:
    case O::kKmsg:
    case O::kJournalConsole:
    case O::kKmsgConsole:
      return {K::kConsole, ""};
    case O::kFile:
      return {K::kFile, o->arg};
    case O::kTruncate:
      return {K::kTruncate, o->arg};
    case O::kAppend:
      return {K::kAppend, o->arg};
    case O::kSocket:
    case O::kFd:
      Warn(a, "\"" + a->value + "\" is not supported, ignoring");
      return dflt;
  }
  return dflt;
}

// WorkingDirectory=, RootDirectory=, UMask=, Nice=, NoNewPrivileges=, IgnoreSIGPIPE=,
// OOMScoreAdjust=, the capability sets: values that need no specifiers but the
// paths, which are expanded before the table sees them.
void Translator::ProcessDirectives() {
  ServiceSpec& s = t_.spec;
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
  static constexpr LastValueDirective kTable[] = {
      {"UMask",
       [](ServiceSpec& s, const std::string& v, std::string* problem) {
         if (auto m = ParseFileMode(v); m && *m <= 0777)
           s.process.umask = *m;
         else
           *problem = "invalid umask, ignoring";
       }},
      {"Nice",
       [](ServiceSpec& s, const std::string& v, std::string* problem) {
         char* end = nullptr;
         long n = std::strtol(v.c_str(), &end, 10);
         if (end && *end == '\0' && n >= -20 && n <= 19)
           s.process.nice = static_cast<int>(n);
         else
           *problem = "invalid nice level, ignoring";
       }},
      {"NoNewPrivileges",
       [](ServiceSpec& s, const std::string& v, std::string*) {
         s.process.no_new_privileges = ParseBoolean(v) == true;
       }},
      {"IgnoreSIGPIPE", [](ServiceSpec& s, const std::string& v,
                           std::string*) { s.process.ignore_sigpipe = ParseBoolean(v) != false; }},
      {"OOMScoreAdjust",
       [](ServiceSpec& s, const std::string& v, std::string* problem) {
         char* end = nullptr;
         long n = std::strtol(v.c_str(), &end, 10);
         if (!v.empty() && end && *end == '\0' && n >= -1000 && n <= 1000)
           s.process.oom_score_adjust = static_cast<int>(n);
         else
           *problem = "invalid OOM score adjustment, ignoring";
       }},
  };
  s.process.ignore_sigpipe = true;  // systemd's default
  auto warn = [this](const Assignment* a, const std::string& m) { Warn(a, m); };
  ApplyTable(
      kTable, s, [this](const char* key) { return Last("Service", key); }, warn);
  // Every assignment, the empty ones too: "" empties a capability set rather than unsetting it.
  auto every = [this](const char* key) {
    std::vector<const Assignment*> out;
    for (const auto& a : u_.file.assignments())
      if (a.section == "Service" && a.key == key) out.push_back(&a);
    return out;
  };
  s.process.capability_bounding_set =
      CapabilitySet(every("CapabilityBoundingSet"), ~uint64_t{0}, warn);
  s.process.ambient_capabilities = CapabilitySet(every("AmbientCapabilities"), 0, warn).value_or(0);
}

// Limit*=: every assignment in order ("" resets that limit).
void Translator::Limits() {
  ServiceSpec& s = t_.spec;
  for (const auto& a : u_.file.assignments()) {
    if (a.section != "Service" || !a.key.starts_with("Limit")) continue;
    std::string name = a.key.substr(5);
    int resource = RlimitResource(name);
    std::erase_if(s.process.rlimits,
                  [&](const ProcessContext::Limit& l) { return l.resource == resource; });
    if (a.value.empty()) continue;
    std::string err;
    auto r = ParseRlimit(name, a.value, &err);
    if (!r || resource < 0) {
      Warn(&a, err + ", ignoring");
      continue;
    }
    auto conv = [](uint64_t v) { return v == kRlimInfinity ? RLIM_INFINITY : rlim_t(v); };
    s.process.rlimits.push_back({resource, conv(r->soft), conv(r->hard)});
  }
}

// How the service is stopped and watched, and what names its log lines.
void Translator::StopDirectives() {
  static constexpr LastValueDirective kTable[] = {
      {"KillSignal", [](ServiceSpec& s, const std::string& v,
                        std::string* problem) { SetSignal(v, &s.stop_signal, problem); }},
      {"FinalKillSignal",
       [](ServiceSpec& s, const std::string& v, std::string* problem) {
         SetSignal(v, &s.final_kill_signal, problem);
       }},
      {"WatchdogSignal", [](ServiceSpec& s, const std::string& v,
                            std::string* problem) { SetSignal(v, &s.watchdog_signal, problem); }},
      {"WatchdogSec",
       [](ServiceSpec& s, const std::string& v, std::string* problem) {
         if (auto t = ParseTimeSpan(v))
           s.watchdog = ToMs(*t);  // 0 and infinity: no watchdog
         else
           *problem = "invalid time span \"" + v + "\", ignoring";
       }},
      {"SendSIGKILL", [](ServiceSpec& s, const std::string& v,
                         std::string*) { s.send_sigkill = ParseBoolean(v).value_or(true); }},
      {"SendSIGHUP", [](ServiceSpec& s, const std::string& v,
                        std::string*) { s.send_sighup = ParseBoolean(v).value_or(false); }},
      {"KillMode",
       [](ServiceSpec& s, const std::string& v, std::string* problem) {
         if (auto k = ParseKillMode(v))
           s.kill_mode = *k;
         else
           *problem = "invalid kill mode, ignoring";
       }},
      {"NotifyAccess",
       [](ServiceSpec& s, const std::string& v, std::string* problem) {
         if (auto n = ParseNotifyAccess(v))
           s.notify_access = *n;
         else
           *problem = "invalid value \"" + v + "\", using main";
       }},
      {"GuessMainPID", [](ServiceSpec& s, const std::string& v,
                          std::string*) { s.guess_main_pid = ParseBoolean(v).value_or(true); }},
  };
  ApplyTable(
      kTable, t_.spec, [this](const char* key) { return Last("Service", key); },
      [this](const Assignment* a, const std::string& m) { Warn(a, m); });
  if (const Assignment* a = Last("Service", "SyslogIdentifier")) log_name_ = Expand(a, a->value);
  NotAppliedSummary();
}

// One line for the whole unit, not one per directive: these are the rule in packaged units
// (PrivateTmp= alone is in a third of Debian's), so that the boot log stays readable.
void Translator::NotAppliedSummary() {
  std::string names;
  for (const auto& [key, inert] : kNotApplied) {
    const Assignment* a = Last("Service", key);
    if (!a || ParseBoolean(a->value) == false || (inert && a->value == inert)) continue;
    names += (names.empty() ? "" : ", ") + std::string(key);
  }
  if (!names.empty()) Warn(nullptr, u_.id + ": not applied in a container: " + names);
}

}  // namespace ctinit::units::internal
