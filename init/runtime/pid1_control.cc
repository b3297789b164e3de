// Pid1 as the control verbs' host (control_verbs.h): the supervisor's requests and PID 1's own
// actions, as the control socket's clients (systemctl, rc-service, supervise-daemon) reach them.
#include "init/runtime/pid1.h"

namespace ctinit {

std::optional<Supervisor::Status> Pid1::ServiceStatus(const std::string& name) const {
  return sup_ ? sup_->Get(name) : std::nullopt;
}

const ServiceSpec* Pid1::ServiceSpecOf(const std::string& name) const {
  return sup_ ? sup_->Spec(name) : nullptr;
}

std::vector<Supervisor::Status> Pid1::AllServices() const {
  return sup_ ? sup_->List() : std::vector<Supervisor::Status>{};
}

bool Pid1::StartService(const std::string& name, std::string* err) {
  return sup_->Start(name, err);
}

bool Pid1::StopService(const std::string& name, std::string* err) { return sup_->Stop(name, err); }

bool Pid1::RestartService(const std::string& name, bool only_if_active, std::string* err) {
  return sup_->Restart(name, only_if_active, err);
}

bool Pid1::ReloadService(const std::string& name, std::string* err) {
  return sup_->ReloadService(name, err);
}

bool Pid1::AddSupervised(ServiceSpec spec, std::string* err) {
  if (spec.Notifies()) EnsureNotifySocket();
  return sup_->AddSupervised(std::move(spec), err);
}

std::optional<ServiceSpec> Pid1::SuperviseRequest(const std::string& name,
                                                  const std::vector<std::string>& options,
                                                  std::string* err) {
  if (!opts_.supervise_request) {
    *err = "supervise requests are not supported";
    return std::nullopt;
  }
  return opts_.supervise_request(name, options, err);
}

std::string Pid1::RecentOutput(const std::string& name) {
  if (!output_) return "";
  output_->Drain(name);  // what a script wrote just before asking
  return output_->Tail(name);
}

void Pid1::ExitWith(int code) {
  exit_request_ = code;
  RequestLevel('0', config_.kill_wait);
}

}  // namespace ctinit
