// Control socket requests (control.h): the verbs of supervise-daemon, systemctl and rc-service.
#include <signal.h>

#include <cstdlib>

#include "init/base/text.h"
#include "init/protocol/control.h"
#include "init/runtime/pid1.h"
#include "init/runtime/sys.h"

namespace ctinit {

// A name as a client gives it: the service itself, else "<name>.service" (systemctl start nginx),
// else without ".service" (systemctl start an OpenRC or inittab service).
std::string Pid1::Resolve(const std::string& name) const {
  if (!sup_) return name;
  if (sup_->Get(name)) return name;
  if (sup_->Get(name + ".service")) return name + ".service";
  if (name.size() > 8 && name.ends_with(".service") && sup_->Get(name.substr(0, name.size() - 8)))
    return name.substr(0, name.size() - 8);
  return name;
}

unsigned Pid1::Wait(const std::string& name, WaitKind kind, control::Respond respond) {
  waiters_[name].push_back({kind, std::move(respond), ++last_waiter_id_});
  return last_waiter_id_;
}

// Takes back the waiter this request just added (the request failed at once); other clients'
// waiters on the same service stay.
void Pid1::DropWaiter(const std::string& name, unsigned id) {
  auto it = waiters_.find(name);
  if (it == waiters_.end()) return;
  std::erase_if(it->second, [id](const Waiter& w) { return w.id == id; });
  if (it->second.empty()) waiters_.erase(it);
}

// Answers the requests waiting on `spec` that this change completes.
void Pid1::AnswerWaiters(const ServiceSpec& spec, ServiceState from, ServiceState to,
                         ChangeReason reason, const std::string& why) {
  auto it = waiters_.find(spec.name);
  if (it == waiters_.end()) return;
  std::vector<Waiter> keep;
  auto waiters = std::move(it->second);
  waiters_.erase(it);
  for (auto& w : waiters) {
    std::optional<std::pair<int, std::string>> answer;
    switch (w.kind) {
      case WaitKind::kStart:
        if (to == ServiceState::kUp) {
          answer = {0, spec.name + " started"};
        } else if (to == ServiceState::kFailed) {
          answer = {1, spec.name + " failed: " + why};
        } else if (to == ServiceState::kStopped && from == ServiceState::kStarting &&
                   reason != ChangeReason::kRestarting) {
          answer = {0, spec.name + (why.empty() ? " finished" : ": " + why)};
        } else if (to == ServiceState::kStopped && from == to && reason == ChangeReason::kSkipped) {
          answer = {0, spec.name + ": " + why};
        } else if (from == ServiceState::kStarting && to == ServiceState::kStopping) {
          answer = {1, spec.name + ": its start was interrupted by a stop"};
        } else if (to == ServiceState::kStopped && reason == ChangeReason::kRespawnTooFast) {
          answer = {1, spec.name + ": " + why};
        }
        break;
      case WaitKind::kStop:
        if (to == ServiceState::kStopped || to == ServiceState::kFailed)
          answer = {0, spec.name + " stopped"};
        break;
      case WaitKind::kReload:
        if (from == to && reason == ChangeReason::kReloaded) {
          answer = {0, spec.name + " reloaded"};
        } else if ((from == to && reason == ChangeReason::kReloadFailed) ||
                   to != ServiceState::kUp) {
          answer = {1, spec.name + ": reload failed"};
        }
        break;
    }
    if (answer)
      w.respond(answer->first, answer->second);
    else
      keep.push_back(std::move(w));
  }
  if (!keep.empty()) {
    auto& v = waiters_[spec.name];
    for (auto& w : keep) v.push_back(std::move(w));
  }
}

std::string Pid1::StatusText(const Supervisor::Status& st) const {
  const ServiceSpec* spec = sup_->Spec(st.name);
  auto ago = std::chrono::duration_cast<std::chrono::milliseconds>(sys_->Now() - st.since).count();
  std::string first;
  if (st.state == ServiceState::kUp && st.pid > 0)
    first = "running " + std::to_string(st.pid);
  else
    first = StateName(st.state);
  std::string t = first + "\n";
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

void Pid1::OnControl(const std::vector<std::string>& words, control::Respond respond) {
  const std::string& verb = words[0];
  if (!sup_) return respond(1, "ctinit is not running services");
  std::vector<std::string> args(words.begin() + 1, words.end());
  auto need_name = [&]() {
    if (args.size() != 1) respond(1, "usage: " + verb + " NAME");
    return args.size() == 1;
  };
  std::string err;
  if (verb == "supervise") {
    if (args.empty()) return respond(1, "usage: supervise NAME arg=...");
    if (!opts_.supervise_request) return respond(1, "supervise requests are not supported");
    auto spec = opts_.supervise_request(args[0], {args.begin() + 1, args.end()}, &err);
    if (!spec) return respond(1, err);
    std::string name = spec->name;
    if (!sup_->AddSupervised(std::move(*spec), &err)) return respond(1, args[0] + ": " + err);
    auto st = sup_->Get(name);
    return respond(0, "started " + std::to_string(st ? st->pid : 0));
  }
  if (verb == "unsupervise" || verb == "stop") {
    if (!need_name()) return;
    std::string name = verb == "unsupervise" ? "supervise:" + args[0] : Resolve(args[0]);
    if (!sup_->Get(name))
      return respond(verb == "unsupervise" ? 1 : 4,
                     verb == "unsupervise" ? "not supervised" : args[0] + ": unknown service");
    unsigned waiter = Wait(name, WaitKind::kStop, respond);
    if (!sup_->Stop(name, &err)) {
      DropWaiter(name, waiter);
      return respond(0, args[0] + ": not running");
    }
    return;
  }
  if (verb == "start" || verb == "restart" || verb == "try-restart") {
    if (!need_name()) return;
    std::string name = Resolve(args[0]);
    auto before = sup_->Get(name);
    if (!before) return respond(4, args[0] + ": unknown service");
    if (verb == "try-restart" &&
        (before->state == ServiceState::kStopped || before->state == ServiceState::kFailed))
      return respond(0, args[0] + ": not running, nothing to do");
    unsigned waiter = Wait(name, WaitKind::kStart, respond);
    bool ok = verb == "start" ? sup_->Start(name, &err)
                              : sup_->Restart(name, verb == "try-restart", &err);
    if (!ok) {
      DropWaiter(name, waiter);
      return respond(1, args[0] + ": " + err);
    }
    auto st = sup_->Get(name);
    if (st && st->state == ServiceState::kUp && waiters_.count(name) &&
        (verb == "start" || before->state != ServiceState::kUp)) {
      // Up already (or again without a visible change): nothing more will be reported.
      AnswerWaiters(*sup_->Spec(name), ServiceState::kStarting, ServiceState::kUp,
                    ChangeReason::kNone, "");
    }
    return;
  }
  if (verb == "reload") {
    if (!need_name()) return;
    std::string name = Resolve(args[0]);
    if (!sup_->Get(name)) return respond(4, args[0] + ": unknown service");
    unsigned waiter = Wait(name, WaitKind::kReload, respond);
    if (!sup_->ReloadService(name, &err)) {
      DropWaiter(name, waiter);
      return respond(1, args[0] + ": " + err);
    }
    return;
  }
  if (verb == "status") {
    if (!need_name()) return;
    std::string name = Resolve(args[0]);
    for (const auto& n : {"supervise:" + args[0], name}) {
      if (auto st = sup_->Get(n)) {
        bool active = st->state == ServiceState::kUp || st->state == ServiceState::kStarting ||
                      st->state == ServiceState::kStopping;
        return respond(active ? 0 : 3, StatusText(*st));
      }
    }
    for (const auto& [n, why] : inactive_)
      if (n == args[0] || n == name) return respond(3, "inactive\nname=" + n + "\ntext=" + why);
    return respond(4, args[0] + ": unknown service");
  }
  if (verb == "list") {
    std::string text;
    for (const auto& st : sup_->List()) {
      const ServiceSpec* spec = sup_->Spec(st.name);
      text += st.name + "\t" + StateName(st.state) + "\t" + std::to_string(st.pid) + "\t" +
              (st.wanted ? "1" : "0") + "\t" + (spec ? spec->description : "") + "\n";
    }
    for (const auto& [n, why] : inactive_) text += n + "\tinactive\t0\t0\t" + why + "\n";
    return respond(0, text);
  }
  if (verb == "daemon-reload") {
    Reload();
    return respond(0, "reloaded");
  }
  if (verb == "runlevel") {
    // systemctl halt / poweroff / reboot, or a level: through the same path as telinit.
    if (args.empty() || args[0].size() != 1) return respond(1, "usage: runlevel LEVEL [halt=…]");
    for (size_t i = 1; i < args.size(); ++i)
      if (args[i].rfind("halt=", 0) == 0) SetInitEnv("INIT_HALT", args[i].substr(5));
    char l = args[0][0];
    respond(0, std::string("switching to runlevel ") + l);
    RequestLevel(l, config_.kill_wait);
    return;
  }
  if (verb == "exit") {
    long code = 0;
    if (!args.empty()) {
      auto n = text::ParseCount(args[0]);
      if (!n || *n > 255) return respond(1, "usage: exit [CODE 0-255]");
      code = static_cast<long>(*n);
    }
    exit_request_ = static_cast<int>(code);
    respond(0, "exiting with " + std::to_string(code));
    RequestLevel('0', config_.kill_wait);
    return;
  }
  respond(1, "unknown request \"" + verb + "\"");
}

}  // namespace ctinit
