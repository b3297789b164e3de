// The verbs of the control socket (init/protocol/control.h), as PID 1 answers them: start, stop,
// restart, try-restart, reload, status, list, services, supervise, unsupervise, daemon-reload,
// runlevel and exit — what systemctl, rc-service, supervise-daemon and `ctinit status` send.
//
// ControlVerbs holds no state of its own but the requests still waiting for an answer: a stop
// is answered once the service has stopped, a start once it is up (or has failed), a reload once
// it has reloaded, a daemon-reload once the definitions were read again (the host answers it). PID
// 1 hands every state change to StateChanged(), which answers the waiters it completes; the answer
// is chosen from the typed ChangeReason, never from the log text.
//
// Everything it does to PID 1 and the supervisor goes through ControlHost, so that
// control_verbs_test.cc drives every verb against a fake.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "init/engine/supervisor.h"
#include "init/protocol/control.h"
#include "init/runtime/control_server.h"

namespace ctinit {

// What the control verbs need from PID 1 (Pid1 implements it).
class ControlHost {
 public:
  virtual ~ControlHost() = default;
  // False until the supervisor exists (requests are then refused).
  virtual bool HasServices() const = 0;
  // The supervisor's view (Supervisor::Get, Spec, List): nullopt / nullptr if unknown.
  virtual std::optional<Supervisor::Status> ServiceStatus(const std::string& name) const = 0;
  virtual const ServiceSpec* ServiceSpecOf(const std::string& name) const = 0;
  virtual std::vector<Supervisor::Status> AllServices() const = 0;
  // Services a front end knows but does not run (name, why), e.g. a disabled unit.
  virtual const std::vector<std::pair<std::string, std::string>>& InactiveServices() const = 0;
  // The supervisor's requests (Supervisor::Start, ...): false and *err when refused.
  virtual bool StartService(const std::string& name, std::string* err) = 0;
  virtual bool StopService(const std::string& name, std::string* err) = 0;
  virtual bool RestartService(const std::string& name, bool only_if_active, std::string* err) = 0;
  virtual bool ReloadService(const std::string& name, std::string* err) = 0;
  virtual bool AddSupervised(ServiceSpec spec, std::string* err) = 0;
  // The service a `supervise NAME key=value...` request describes; nullopt and *err if the
  // words are wrong or such requests are not supported.
  virtual std::optional<ServiceSpec> SuperviseRequest(const std::string& name,
                                                      const std::vector<std::string>& options,
                                                      std::string* err) = 0;
  // What the service said last (its output through ctinit's tap, output_tap.h), "" if
  // nothing was kept: services that write to the console directly are not read by ctinit.
  virtual std::string RecentOutput(const std::string& name) = 0;
  virtual Clock::time_point Now() = 0;
  // daemon-reload: the front ends' generators run, the front ends read again, the service set
  // applied; then `done(true, "")` — or `done(false, why)` when it was not done. `done` is
  // called exactly once, later (a reload takes as long as its generators) or at once.
  virtual void ReloadConfiguration(
      std::function<void(bool reloaded, const std::string& why)> done) = 0;
  // The INIT_* variables every later child gets (telinit -e); nullopt removes one.
  virtual void SetInitEnv(const std::string& name, const std::optional<std::string>& value) = 0;
  // A runlevel change, as telinit asks for it (0 and 6 shut down).
  virtual void GoToLevel(char level) = 0;
  // Shuts down (level 0) and makes ctinit exit with `code` at the end.
  virtual void ExitWith(int code) = 0;
};

class ControlVerbs {
 public:
  // The most output lines `services NAME` sends (of the tap's last kTailBytes).
  static constexpr size_t kOutputLines = 20;

  explicit ControlVerbs(ControlHost& host) : host_(host) {}
  // One request (its words, at least one): `respond` is called exactly once, now or when the
  // state change it waits for comes.
  void Handle(const std::vector<std::string>& words, control::Respond respond);
  // Every state change of a service (SupervisorHost::StateChanged): answers the waiting
  // requests it completes.
  void StateChanged(const ServiceSpec& spec, ServiceState from, ServiceState to,
                    ChangeReason reason, const std::string& why);
  // Requests still waiting (for tests).
  size_t waiting() const;

 private:
  using Args = std::vector<std::string>;
  enum class WaitKind { kStart, kStop, kReload };
  struct Waiter {
    WaitKind kind;
    control::Respond respond;
    unsigned id = 0;  // which request added it (DropWaiter)
  };

  void Supervise(const Args& args, const control::Respond& respond);
  void Stop(const std::string& verb, const Args& args, const control::Respond& respond);
  void Start(const std::string& verb, const Args& args, const control::Respond& respond);
  void Reload(const Args& args, const control::Respond& respond);
  void Status(const Args& args, const control::Respond& respond);
  void List(const control::Respond& respond);
  void Services(const Args& args, const control::Respond& respond);
  void Runlevel(const Args& args, const control::Respond& respond);
  void Exit(const Args& args, const control::Respond& respond);

  // A name as a client gives it: the service itself, else "<name>.service" (systemctl start
  // nginx), else without ".service" (systemctl start an OpenRC or inittab service).
  std::string Resolve(const std::string& name) const;
  // Returns the waiter's id, for DropWaiter.
  unsigned Wait(const std::string& name, WaitKind kind, control::Respond respond);
  void DropWaiter(const std::string& name, unsigned id);
  // The answer a waiter of `kind` gets for this change, nullopt while it must wait on.
  static std::optional<std::pair<int, std::string>> AnswerFor(WaitKind kind,
                                                              const ServiceSpec& spec,
                                                              ServiceState from, ServiceState to,
                                                              ChangeReason reason,
                                                              const std::string& why);
  std::string StatusText(const Supervisor::Status& st) const;
  // A service as `services` reports it (control.h).
  control::ServiceRecord Record(const Supervisor::Status& st) const;

  ControlHost& host_;
  std::map<std::string, std::vector<Waiter>> waiters_;
  unsigned last_waiter_id_ = 0;
};

}  // namespace ctinit
