#include "init/runtime/control_verbs.h"

#include "init/base/text.h"
#include "init/runtime/sys.h"

namespace ctinit {
namespace {

bool Active(ServiceState s) {
  return s == ServiceState::kUp || s == ServiceState::kStarting || s == ServiceState::kStopping;
}

// False (and the usage answered) unless the request names exactly one service.
bool OneName(const std::string& verb, const std::vector<std::string>& args,
             const control::Respond& respond) {
  if (args.size() == 1) return true;
  respond(1, "usage: " + verb + " NAME");
  return false;
}

// Which front end a service came from, by the label its front end gave it (ServiceSpec::
// action_label: "unit:TYPE", "openrc", "supervise", "main", else an inittab action).
std::string SourceOf(const ServiceSpec* spec) {
  if (!spec) return "";
  const std::string& label = spec->action_label;
  if (label.rfind("unit:", 0) == 0) return "unit";
  if (label == "openrc" || label == "supervise") return "openrc";
  if (label == "main") return "app";
  return label.empty() ? "" : "inittab";
}

// The last `max` lines of `text` (a partial last line counts as one).
std::vector<std::string> LastLines(const std::string& text, size_t max) {
  std::vector<std::string> lines;
  size_t end = text.size();
  while (end > 0 && (text[end - 1] == '\n' || text[end - 1] == ' ')) --end;
  while (end > 0 && lines.size() < max) {
    size_t nl = text.rfind('\n', end - 1);
    size_t begin = nl == std::string::npos ? 0 : nl + 1;
    lines.push_back(text.substr(begin, end - begin));
    if (nl == std::string::npos) break;
    end = nl;
  }
  return {lines.rbegin(), lines.rend()};
}

}  // namespace

void ControlVerbs::Handle(const std::vector<std::string>& words, control::Respond respond) {
  const std::string& verb = words[0];
  if (!host_.HasServices()) return respond(1, "ctinit is not running services");
  Args args(words.begin() + 1, words.end());
  if (verb == "supervise") return Supervise(args, respond);
  if (verb == "unsupervise" || verb == "stop") return Stop(verb, args, respond);
  if (verb == "start" || verb == "restart" || verb == "try-restart")
    return Start(verb, args, respond);
  if (verb == "reload") return Reload(args, respond);
  if (verb == "status") return Status(args, respond);
  if (verb == "list") return List(respond);
  if (verb == "services") return Services(args, respond);
  if (verb == "daemon-reload") {
    // Answered when the definitions have been read again, so the client's next request
    // (start what a generator just wrote) sees them.
    return host_.ReloadConfiguration([respond](bool reloaded, const std::string& why) {
      respond(reloaded ? 0 : 1, reloaded ? "reloaded" : "not reloaded: " + why);
    });
  }
  if (verb == "runlevel") return Runlevel(args, respond);
  if (verb == "exit") return Exit(args, respond);
  respond(1, "unknown request \"" + verb + "\"");
}

void ControlVerbs::Supervise(const Args& args, const control::Respond& respond) {
  if (args.empty()) return respond(1, "usage: supervise NAME arg=...");
  std::string err;
  auto spec = host_.SuperviseRequest(args[0], {args.begin() + 1, args.end()}, &err);
  if (!spec) return respond(1, err);
  std::string name = spec->name;
  if (!host_.AddSupervised(std::move(*spec), &err)) return respond(1, args[0] + ": " + err);
  auto st = host_.ServiceStatus(name);
  respond(0, "started " + std::to_string(st ? st->pid : 0));
}

// stop NAME and unsupervise NAME (a supervise-daemon's service, "supervise:NAME").
void ControlVerbs::Stop(const std::string& verb, const Args& args,
                        const control::Respond& respond) {
  if (!OneName(verb, args, respond)) return;
  bool unsupervise = verb == "unsupervise";
  std::string name = unsupervise ? "supervise:" + args[0] : Resolve(args[0]);
  if (!host_.ServiceStatus(name))
    return respond(unsupervise ? 1 : 4,
                   unsupervise ? "not supervised" : args[0] + ": unknown service");
  unsigned waiter = Wait(name, WaitKind::kStop, respond);
  std::string err;
  if (!host_.StopService(name, &err)) {
    DropWaiter(name, waiter);
    respond(0, args[0] + ": not running");
  }
}

// start, restart and try-restart NAME: answered once it is up, has finished or failed.
void ControlVerbs::Start(const std::string& verb, const Args& args,
                         const control::Respond& respond) {
  if (!OneName(verb, args, respond)) return;
  std::string name = Resolve(args[0]);
  auto before = host_.ServiceStatus(name);
  if (!before) return respond(4, args[0] + ": unknown service");
  if (verb == "try-restart" && !Active(before->state) && before->state != ServiceState::kStopping)
    return respond(0, args[0] + ": not running, nothing to do");
  unsigned waiter = Wait(name, WaitKind::kStart, respond);
  std::string err;
  bool ok = verb == "start" ? host_.StartService(name, &err)
                            : host_.RestartService(name, verb == "try-restart", &err);
  if (!ok) {
    DropWaiter(name, waiter);
    return respond(1, args[0] + ": " + err);
  }
  auto st = host_.ServiceStatus(name);
  if (st && st->state == ServiceState::kUp && waiters_.count(name) &&
      (verb == "start" || before->state != ServiceState::kUp)) {
    // Up already (or again without a visible change): nothing more will be reported.
    if (const ServiceSpec* spec = host_.ServiceSpecOf(name))
      StateChanged(*spec, ServiceState::kStarting, ServiceState::kUp, ChangeReason::kNone, "");
  }
}

void ControlVerbs::Reload(const Args& args, const control::Respond& respond) {
  if (!OneName("reload", args, respond)) return;
  std::string name = Resolve(args[0]);
  if (!host_.ServiceStatus(name)) return respond(4, args[0] + ": unknown service");
  unsigned waiter = Wait(name, WaitKind::kReload, respond);
  std::string err;
  if (!host_.ReloadService(name, &err)) {
    DropWaiter(name, waiter);
    respond(1, args[0] + ": " + err);
  }
}

void ControlVerbs::Status(const Args& args, const control::Respond& respond) {
  if (!OneName("status", args, respond)) return;
  std::string name = Resolve(args[0]);
  for (const auto& n : {"supervise:" + args[0], name}) {
    if (auto st = host_.ServiceStatus(n))
      return respond(Active(st->state) ? 0 : 3, StatusText(*st));
  }
  for (const auto& [n, why] : host_.InactiveServices())
    if (n == args[0] || n == name) return respond(3, "inactive\nname=" + n + "\ntext=" + why);
  respond(4, args[0] + ": unknown service");
}

void ControlVerbs::List(const control::Respond& respond) {
  std::string text;
  for (const auto& st : host_.AllServices()) {
    const ServiceSpec* spec = host_.ServiceSpecOf(st.name);
    text += st.name + "\t" + StateName(st.state) + "\t" + std::to_string(st.pid) + "\t" +
            (st.wanted ? "1" : "0") + "\t" + (spec ? spec->description : "") + "\n";
  }
  for (const auto& [n, why] : host_.InactiveServices())
    text += n + "\tinactive\t0\t0\t" + why + "\n";
  respond(0, text);
}

// services: every service as a record; services NAME: that one with its recent output.
void ControlVerbs::Services(const Args& args, const control::Respond& respond) {
  if (args.size() > 1) return respond(1, "usage: services [NAME]");
  std::vector<control::ServiceRecord> records;
  auto inactive = [](const std::string& name, const std::string& why) {
    control::ServiceRecord r;
    r.name = name;
    r.state = "inactive";
    r.why = why;
    return r;
  };
  if (args.empty()) {
    for (const auto& st : host_.AllServices()) records.push_back(Record(st));
    for (const auto& [name, why] : host_.InactiveServices()) records.push_back(inactive(name, why));
    return respond(0, control::EncodeServices(records));
  }
  std::string name = Resolve(args[0]);
  for (const auto& n : {name, "supervise:" + args[0]}) {  // also supervise-daemon's by its name
    if (auto st = host_.ServiceStatus(n)) {
      records.push_back(Record(*st));
      records.back().output = LastLines(host_.RecentOutput(n), kOutputLines);
      return respond(0, control::EncodeServices(records));
    }
  }
  for (const auto& [n, why] : host_.InactiveServices())
    if (n == args[0] || n == name) return respond(0, control::EncodeServices({inactive(n, why)}));
  respond(4, args[0] + ": unknown service");
}

control::ServiceRecord ControlVerbs::Record(const Supervisor::Status& st) const {
  const ServiceSpec* spec = host_.ServiceSpecOf(st.name);
  control::ServiceRecord r;
  r.name = st.name;
  r.source = SourceOf(spec);
  r.state = StateName(st.state);
  r.pid = st.pid;
  if (st.since != Clock::time_point{})  // else it has been in this state since it was loaded
    r.since_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(host_.Now() - st.since).count();
  if (st.last_status >= 0) r.last = sys::DescribeStatus(st.last_status);
  r.why = st.status_text;
  if (spec) {
    r.description = spec->description;
    r.origin = spec->origin;
  }
  return r;
}

// systemctl halt / poweroff / reboot, or a level: through the same path as telinit.
void ControlVerbs::Runlevel(const Args& args, const control::Respond& respond) {
  if (args.empty() || args[0].size() != 1) return respond(1, "usage: runlevel LEVEL [halt=…]");
  for (size_t i = 1; i < args.size(); ++i)
    if (args[i].rfind("halt=", 0) == 0) host_.SetInitEnv("INIT_HALT", args[i].substr(5));
  char level = args[0][0];
  respond(0, std::string("switching to runlevel ") + level);
  host_.GoToLevel(level);
}

void ControlVerbs::Exit(const Args& args, const control::Respond& respond) {
  long code = 0;
  if (!args.empty()) {
    auto n = text::ParseCount(args[0]);
    if (!n || *n > 255) return respond(1, "usage: exit [CODE 0-255]");
    code = static_cast<long>(*n);
  }
  respond(0, "exiting with " + std::to_string(code));
  host_.ExitWith(static_cast<int>(code));
}

std::string ControlVerbs::Resolve(const std::string& name) const {
  if (host_.ServiceStatus(name)) return name;
  if (host_.ServiceStatus(name + ".service")) return name + ".service";
  if (name.size() > 8 && name.ends_with(".service") &&
      host_.ServiceStatus(name.substr(0, name.size() - 8)))
    return name.substr(0, name.size() - 8);
  return name;
}

unsigned ControlVerbs::Wait(const std::string& name, WaitKind kind, control::Respond respond) {
  waiters_[name].push_back({kind, std::move(respond), ++last_waiter_id_});
  return last_waiter_id_;
}

// Takes back the waiter this request just added (the request failed at once); other clients'
// waiters on the same service stay.
void ControlVerbs::DropWaiter(const std::string& name, unsigned id) {
  auto it = waiters_.find(name);
  if (it == waiters_.end()) return;
  std::erase_if(it->second, [id](const Waiter& w) { return w.id == id; });
  if (it->second.empty()) waiters_.erase(it);
}

size_t ControlVerbs::waiting() const {
  size_t n = 0;
  for (const auto& [name, list] : waiters_) n += list.size();
  return n;
}

std::optional<std::pair<int, std::string>> ControlVerbs::AnswerFor(
    WaitKind kind, const ServiceSpec& spec, ServiceState from, ServiceState to, ChangeReason reason,
    const std::string& why) {
  using S = ServiceState;
  const std::string& name = spec.name;
  switch (kind) {
    case WaitKind::kStart:
      if (to == S::kUp) return std::pair{0, name + " started"};
      if (to == S::kFailed) return std::pair{1, name + " failed: " + why};
      if (to == S::kStopped && from == S::kStarting && reason != ChangeReason::kRestarting)
        return std::pair{0, name + (why.empty() ? " finished" : ": " + why)};
      if (to == S::kStopped && from == to && reason == ChangeReason::kSkipped)
        return std::pair{0, name + ": " + why};
      if (from == S::kStarting && to == S::kStopping)
        return std::pair{1, name + ": its start was interrupted by a stop"};
      if (to == S::kStopped && reason == ChangeReason::kRespawnTooFast)
        return std::pair{1, name + ": " + why};
      return std::nullopt;
    case WaitKind::kStop:
      if (to == S::kStopped || to == S::kFailed) return std::pair{0, name + " stopped"};
      return std::nullopt;
    case WaitKind::kReload:
      if (from == to && reason == ChangeReason::kReloaded) return std::pair{0, name + " reloaded"};
      if ((from == to && reason == ChangeReason::kReloadFailed) || to != S::kUp)
        return std::pair{1, name + ": reload failed"};
      return std::nullopt;
  }
  return std::nullopt;
}

// Answers the requests waiting on `spec` that this change completes.
void ControlVerbs::StateChanged(const ServiceSpec& spec, ServiceState from, ServiceState to,
                                ChangeReason reason, const std::string& why) {
  auto it = waiters_.find(spec.name);
  if (it == waiters_.end()) return;
  std::vector<Waiter> keep;
  auto waiters = std::move(it->second);
  waiters_.erase(it);
  for (auto& w : waiters) {
    if (auto answer = AnswerFor(w.kind, spec, from, to, reason, why))
      w.respond(answer->first, answer->second);
    else
      keep.push_back(std::move(w));
  }
  // A respond() may have added new waiters meanwhile: those kept go first, as before.
  if (!keep.empty()) {
    auto& v = waiters_[spec.name];
    v.insert(v.begin(), std::make_move_iterator(keep.begin()), std::make_move_iterator(keep.end()));
  }
}

std::string ControlVerbs::StatusText(const Supervisor::Status& st) const {
  const ServiceSpec* spec = host_.ServiceSpecOf(st.name);
  auto ago = std::chrono::duration_cast<std::chrono::milliseconds>(host_.Now() - st.since).count();
  std::string t = st.state == ServiceState::kUp && st.pid > 0 ? "running " + std::to_string(st.pid)
                                                              : std::string(StateName(st.state));
  t += "\n";
  t += "name=" + st.name + "\n";
  t += std::string("state=") + StateName(st.state) + "\n";
  t += "pid=" + std::to_string(st.pid) + "\n";
  t += "since_ms=" + std::to_string(ago) + "\n";
  t += std::string("wanted=") + (st.wanted ? "1" : "0") + "\n";
  if (!st.status_text.empty()) t += "text=" + st.status_text + "\n";
  if (st.last_status >= 0) t += "last=" + sys::DescribeStatus(st.last_status) + "\n";
  if (spec) {
    if (!spec->description.empty()) t += "description=" + spec->description + "\n";
    t += "origin=" + spec->origin + "\n";
  }
  return t;
}

}  // namespace ctinit
