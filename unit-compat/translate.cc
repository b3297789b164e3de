// One enabled unit -> ServiceSpec (see translate.h): the unit as a whole, its relations, its type
// and lifecycle. The exec lines are in translate_exec.cc, the process context in
// translate_process.cc, .socket units in translate_socket.cc.
#include "unit-compat/translate.h"

#include <algorithm>

#include "unit-compat/translator.h"

namespace ctinit::units {

namespace internal {

using std::chrono::milliseconds;

namespace {
constexpr Usec kDefaultTimeout = 90 * kUsecPerSec;
}  // namespace

void AddOnce(std::vector<std::string>& v, const std::string& s) {
  if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

milliseconds ToMs(Usec u) {
  if (u == kUsecInfinity || u == 0) return milliseconds(0);
  return milliseconds((u + kUsecPerMsec - 1) / kUsecPerMsec);
}

const Assignment* Translator::Last(const char* section, const char* key) const {
  const Assignment* a = u_.file.Last(section, key);
  return a && !a->value.empty() ? a : nullptr;
}

void Translator::Warn(const Assignment* a, const std::string& msg) {
  if (a)
    diags_->push_back({a->file, a->line, "[" + a->section + "] " + a->key + ": " + msg});
  else
    diags_->push_back({u_.fragment_path.empty() ? u_.id : u_.fragment_path, 0, msg});
}

bool Translator::Error(const Assignment* a, const std::string& msg) {
  Warn(a, msg + "; " + u_.id + " is not started");
  return false;
}

std::string Translator::Expand(const Assignment* a, std::string_view text) {
  std::string err;
  auto r = ExpandSpecifiers(text, spec_ctx_, &err);
  if (!r) {
    Warn(a, err + ", ignoring");
    return std::string(text);
  }
  return *r;
}

std::vector<std::string> Translator::Words(const Assignment* a) {
  std::vector<std::string> out;
  auto w = SplitWords(a->value, kExtractUnquote | kExtractRelax);
  if (!w) return out;
  for (const auto& x : *w) out.push_back(Expand(a, x));
  return out;
}

std::vector<std::string> Translator::AllWords(const char* section, const char* key) {
  std::vector<std::string> out;
  for (const Assignment* a : List(section, key))
    for (auto& w : Words(a)) out.push_back(std::move(w));
  return out;
}

std::string Translator::Canonical(const std::string& n) const {
  auto it = ctx_.canonical.find(n);
  return it == ctx_.canonical.end() ? n : it->second;
}

std::optional<TranslatedUnit> Translator::Run(TranslateOutcome* outcome) {
  *outcome = TranslateOutcome::kRefused;
  auto parsed = ParseUnitName(u_.id);
  std::string type = parsed ? parsed->type : "";
  Identity();
  Relations(type);
  if (!Conditions(outcome)) return std::nullopt;
  if (type == "target") {
    Target();
  } else if (type != "service") {
    Error(nullptr, "." + type + " units are not supported");
    return std::nullopt;
  } else if (!Service()) {
    return std::nullopt;
  }
  *outcome = TranslateOutcome::kOk;
  return std::move(t_);
}

void Translator::Identity() {
  ServiceSpec& s = t_.spec;
  auto parsed = ParseUnitName(u_.id);
  s.name = u_.id;
  s.origin = u_.fragment_path.empty() ? "<built-in " + u_.id + ">" : u_.fragment_path;
  s.levels = eu_.levels;
  s.utmp = false;
  s.trigger = Trigger::kRunlevel;
  log_name_ = parsed ? parsed->prefix + (parsed->has_at ? "@" + parsed->instance : "") : u_.id;
  if (const Assignment* a = Last("Unit", "Description")) s.description = Expand(a, a->value);
  if (const Assignment* a = Last("Unit", "DefaultDependencies"))
    t_.ordering.default_dependencies = ParseBoolean(a->value).value_or(true);
}

void Translator::Relations(const std::string& type) {
  ServiceSpec& s = t_.spec;
  for (const auto& n : AllWords("Unit", "After")) AddOnce(s.after, Canonical(n));
  for (const auto& n : AllWords("Unit", "Before")) AddOnce(t_.ordering.before, Canonical(n));
  for (const auto& n : AllWords("Unit", "Conflicts")) AddOnce(s.conflicts, Canonical(n));
  for (const auto& n : AllWords("Unit", "PartOf")) AddOnce(s.part_of, Canonical(n));
  for (const auto& n : AllWords("Unit", "OnFailure")) AddOnce(s.on_failure, Canonical(n));
  if (type == "service" && t_.ordering.default_dependencies) {
    AddOnce(s.after, "sysinit.target");
    AddOnce(s.after, "basic.target");
  }
  RequiredUnits();
  for (const auto& r : eu_.wants) AddOnce(s.wants, Canonical(r.name));
  for (const auto& r : eu_.requisite) AddOnce(s.requisite, Canonical(r));
}

// Requires= (and .requires/): with After= the dependent fails when it fails (needs); without,
// both start in parallel and only a stop or restart of it carries over (wants + part_of).
// BindsTo= likewise, and with After= it also goes down whenever the other does.
void Translator::RequiredUnits() {
  ServiceSpec& s = t_.spec;
  std::vector<std::string> binds;
  for (const auto& n : AllWords("Unit", "BindsTo")) AddOnce(binds, Canonical(n));
  for (const auto& r : eu_.required) {
    if (r.name == "sysinit.target" && r.file.empty()) continue;  // the implicit one: After= only
    std::string n = Canonical(r.name);
    bool bound = std::find(binds.begin(), binds.end(), n) != binds.end();
    if (std::find(s.after.begin(), s.after.end(), n) != s.after.end()) {
      AddOnce(bound ? s.binds_to : s.needs, n);
    } else {
      AddOnce(s.wants, n);
      AddOnce(s.part_of, n);
    }
  }
}

bool Translator::Conditions(TranslateOutcome* outcome) {
  auto conds = CollectConditions(u_.file);
  if (conds.empty()) return true;
  // Specifiers as in systemd (postgresql@.service: AssertPathExists=/etc/postgresql/%I/...).
  for (auto& c : conds) c.value = Expand(nullptr, c.value);
  if (ctx_.runtime_probe) {
    RuntimeConditions(conds);
    return true;
  }
  if (!ctx_.probe) return true;
  auto r = EvaluateConditions(conds, *ctx_.probe);
  const Condition& first = conds.front();
  if (!r.conditions_ok) {
    *outcome = TranslateOutcome::kConditionFailed;
    diags_->push_back(
        {first.file, first.line, u_.id + ": skipped: condition not met: " + r.failed});
    return false;
  }
  if (!r.asserts_ok) {
    *outcome = TranslateOutcome::kAssertFailed;
    diags_->push_back({first.file, first.line, u_.id + ": failed: assertion not met: " + r.failed});
    return false;
  }
  return true;
}

// Checked when a start begins, as systemd does (a file made by an earlier unit counts).
void Translator::RuntimeConditions(const std::vector<Condition>& conds) {
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
}

void Translator::Target() {
  t_.ordering.is_target = true;
  t_.spec.kind = Kind::kScripted;  // a grouping node: runs nothing
  t_.spec.command.text = "";
  t_.spec.command.argv.clear();
  t_.spec.action_label = "unit:target";
}

// A .service unit, in the order systemd checks it (the first refusal wins, and warnings come
// out in this order).
bool Translator::Service() {
  ServiceSpec& s = t_.spec;
  auto type = TypeOf();
  if (!type) return false;
  bool remain = false;
  if (const Assignment* a = Last("Service", "RemainAfterExit"))
    remain = ParseBoolean(a->value).value_or(false);
  bool oneshot = *type == ServiceType::kOneshot;
  if (!Credentials()) return false;
  EnvList dir_env = Directories();  // $RUNTIME_DIRECTORY & co are the lowest layer
  if (!Environment()) return false;
  MergeDirectoryEnv(dir_env);
  if (!Commands(oneshot, remain) || !RestartSettings(oneshot)) return false;
  ReadinessOf(*type);
  s.kind = oneshot ? (remain ? Kind::kScripted : Kind::kTask) : Kind::kLongRun;
  s.action_label = "unit:" + (type_assignment_ ? type_assignment_->value
                              : oneshot        ? "oneshot"
                                               : "simple");
  Timeouts(oneshot);
  Stdio();
  ProcessDirectives();
  Limits();
  StopDirectives();
  ExitStatuses();
  StartLimit();
  if (s.tag_stdout || s.tag_stderr) s.log_tag = log_name_;
  return true;
}

std::optional<ServiceType> Translator::TypeOf() {
  type_assignment_ = Last("Service", "Type");
  if (type_assignment_) {
    auto t = ParseServiceType(type_assignment_->value);
    if (!t) Error(type_assignment_, "invalid service type");
    return t;
  }
  if (Last("Service", "BusName")) return ServiceType::kDbus;
  if (List("Service", "ExecStart").empty()) return ServiceType::kOneshot;
  return ServiceType::kSimple;
}

bool Translator::RestartSettings(bool oneshot) {
  ServiceSpec& s = t_.spec;
  s.restart = Restart::kNo;
  if (const Assignment* a = Last("Service", "Restart")) {
    auto r = ParseRestart(a->value);
    if (!r)
      Warn(a, "invalid restart policy, using \"no\"");
    else if (oneshot && (*r == Restart::kAlways || *r == Restart::kOnSuccess))
      return Error(a, "Restart=always/on-success is not allowed for Type=oneshot");
    else
      s.restart = *r;
  }
  s.restart_delay = milliseconds(100);
  if (const Assignment* a = Last("Service", "RestartSec")) {
    if (auto v = ParseTimeSpan(a->value))
      s.restart_delay = ToMs(*v);
    else
      Warn(a, "invalid time span, ignoring");
  }
  return true;
}

void Translator::ReadinessOf(ServiceType type) {
  ServiceSpec& s = t_.spec;
  constexpr std::pair<ServiceType, Readiness> kReadiness[] = {
      {ServiceType::kSimple, Readiness::kSpawned},
      {ServiceType::kExec, Readiness::kExec},
      {ServiceType::kIdle, Readiness::kIdle},
      {ServiceType::kNotify, Readiness::kNotify},
      {ServiceType::kNotifyReload, Readiness::kNotify},
      {ServiceType::kForking, Readiness::kForking},
      {ServiceType::kDbus, Readiness::kSpawned}};
  for (const auto& [t, r] : kReadiness)
    if (t == type) s.readiness = r;
  if (type == ServiceType::kDbus)
    Warn(type_assignment_,
         "D-Bus readiness is not supported: the service counts as up once spawned");
  if (const Assignment* a = Last("Service", "PIDFile")) {
    std::string p = Expand(a, a->value);
    if (p.starts_with("/var/run/")) p = p.substr(4);
    s.pidfile = p;
  }
  const Assignment* guess = Last("Service", "GuessMainPID");
  if (type == ServiceType::kForking && s.pidfile.empty() && guess &&
      ParseBoolean(guess->value) == false)
    Warn(guess, "Type=forking without PIDFile=: the main process cannot be known");
}

void Translator::Timeouts(bool oneshot) {
  Usec start = oneshot ? kUsecInfinity : kDefaultTimeout, stop = kDefaultTimeout;
  for (const auto& a : u_.file.assignments()) {
    if (a.section != "Service" || a.value.empty()) continue;
    bool both = a.key == "TimeoutSec", is_start = a.key == "TimeoutStartSec",
         is_stop = a.key == "TimeoutStopSec";
    if (!both && !is_start && !is_stop) continue;
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

void Translator::ExitStatuses() {
  ServiceSpec& s = t_.spec;
  ExitStatusSet success, prevent;
  for (auto [key, set] :
       {std::pair{"SuccessExitStatus", &success}, std::pair{"RestartPreventExitStatus", &prevent}})
    for (const Assignment* a : List("Service", key)) {
      std::vector<std::string> w;
      ParseExitStatusSet(a->value, set, &w);
      for (const auto& m : w) Warn(a, m);
    }
  s.success_status.assign(success.status.begin(), success.status.end());
  s.success_signals.assign(success.signals.begin(), success.signals.end());
  s.restart_prevent_status.assign(prevent.status.begin(), prevent.status.end());
  if (!prevent.signals.empty())
    Warn(Last("Service", "RestartPreventExitStatus"),
         "signals are not supported here by ctinit, ignoring them");
}

// StartLimitIntervalSec= / StartLimitBurst=: the [Unit] names, or the old [Service] ones.
void Translator::StartLimit() {
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
      if (end && *end == '\0' && b < 1000000)
        burst = static_cast<unsigned>(b);
      else
        Warn(&a, "invalid number, ignoring");
    }
  }
  RespawnLimit& limit = t_.spec.respawn_limit;
  limit.give_up = true;
  limit.disable_for = std::chrono::seconds(0);
  if (interval == 0 || burst == 0 || interval == kUsecInfinity) {
    limit.max_starts = 0;
  } else {
    limit.max_starts = static_cast<int>(burst);
    limit.interval =
        std::chrono::seconds(static_cast<long>((interval + kUsecPerSec - 1) / kUsecPerSec));
  }
}

}  // namespace internal

std::optional<TranslatedUnit> TranslateUnit(const EnabledUnit& unit, const TranslateContext& ctx,
                                            std::vector<Diagnostic>* diags,
                                            TranslateOutcome* outcome) noexcept {
  TranslateOutcome dummy;
  if (!outcome) outcome = &dummy;
  try {
    internal::Translator t(unit, ctx, diags);
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
