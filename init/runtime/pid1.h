// Pid1: ctinit's event loop. Owns the one Boost.Asio io_context, the signal intake, the one
// reaper, the control FIFO, the shutdown budget and the final sweep, and hosts the Supervisor.
//
// Event sources (all on one thread, nothing polls, nothing wakes up while idle):
//   signal_set   every mapped signal (config.h) plus SIGCHLD; unmapped fatal-by-default signals
//                are set to SIG_IGN so they never stop or kill PID 1.
//   SIGCHLD      reap with waitpid(-1, WNOHANG) until none is left: services go to the
//                Supervisor, everything else (orphans) is just reaped. No other code waits.
//   /run/initctl sysvinit's 384-byte init_request protocol (initreq.h), FIFO mode 0600;
//                re-created when a mount hides or replaces it (mount-table change events).
//   timers       the Supervisor's next deadline; the shutdown budget; the final sweep's steps.
//
// Shutdown (runlevel 0 or 6)
// --------------------------
//   t0        the level is requested (signal, telinit, shutdown, app exit). Budget B starts.
//   ...       the level's own services run (e.g. /etc/init.d/rc 0), services not in the level
//             are TERMed then KILLed (kill_wait) — all while the budget lasts.
//   settled   (or t0 + B - final_grace - kKillMargin, whichever first): the final sweep.
//             The supervisor is frozen; every remaining process gets SIGTERM+SIGCONT (kill(-1)
//             as PID 1, only our descendants otherwise).
//   swept     when no process is left, or after final_grace: SIGKILL to whatever remains
//             (counted and named in the summary), then at most kKillMargin for the reaper.
//   done      sync() (at most 1 s); one summary line; then level 0: exit (the app's code in app
//   mode);
//             level 6: per RebootMode, reboot(RB_AUTOBOOT), boot again in place, or exit.
#pragma once

#include <boost/asio.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "init/base/log.h"
#include "init/engine/supervisor.h"
#include "init/model/front_end.h"
#include "init/runtime/before_load.h"
#include "init/runtime/config.h"
#include "init/runtime/control_server.h"
#include "init/runtime/control_verbs.h"
#include "init/runtime/initctl.h"
#include "init/runtime/mount_watch.h"
#include "init/runtime/notify.h"
#include "init/runtime/output_tap.h"
#include "init/runtime/reload_queue.h"
#include "init/runtime/shutdown.h"
#include "init/runtime/sockets.h"
#include "init/runtime/spawner.h"
#include "init/runtime/system.h"
#include "init/runtime/utmp.h"

namespace ctinit {

struct Options {
  std::string config_path = "/etc/ctinit/ctinit.yaml";
  std::optional<std::string> fifo;
  std::optional<log::Level> log_level;
  std::optional<char> level;          // a runlevel given on the command line
  std::vector<std::string> app_argv;  // after "--": app mode
  bool autoboot = false;              // -a / auto: AUTOBOOT=YES in the environment
  // Where the services come from: the inittab, OpenRC and units front ends composed into one
  // (init/program/front_ends.h), so that init/ knows no file format. Configured with its keys
  // of the config file, loaded at boot and on every reload, told every level change; the
  // environment it gives for a level is added to every child started in it (later entries win
  // over ctinit's own).
  std::shared_ptr<FrontEnd> front_end;
  // The service a `supervise NAME key=value...` control request describes (its words, control.h),
  // or nullopt and *err when they are wrong. Unset: such requests are refused. main.cc wires
  // the OpenRC front end's (openrc-shim/supervise_request.h).
  std::function<std::optional<ServiceSpec>(
      const std::string& name, const std::vector<std::string>& options, std::string* err)>
      supervise_request;
};

class Pid1 : public SupervisorHost,
             private SignalTarget,
             private InitctlTarget,
             private ControlHost {
 public:
  // `system` is the kernel seam (system.h); nullptr: the real one.
  explicit Pid1(Options opts, std::unique_ptr<System> system = nullptr);
  ~Pid1() override;
  // Boots and runs until the container should end. Returns the exit code. Never throws.
  int Run() noexcept;

  // SupervisorHost
  pid_t Spawn(const ServiceSpec& spec, const Command& cmd, char level, char prev_level,
              const std::vector<std::string>& extra_env) override;
  void KillGroup(pid_t pgid, int sig) override;
  void KillProcess(pid_t pid, int sig) override;
  bool GroupAlive(pid_t pgid) override;
  bool ProcessAlive(pid_t pid) override;
  std::optional<PidFile> ReadPidFile(const std::string& path) override;
  bool ProcessBelongsTo(pid_t pid, pid_t service_pgid) override;
  bool ProcessRunsAs(pid_t pid, uid_t uid) override;
  std::optional<pid_t> GuessMainPid(pid_t launcher) override;
  Clock::time_point Now() override;
  void ArmTimer(std::optional<Clock::time_point> when) override;
  void BootTime() override;
  void LevelChanged(char level, char prev) override;
  void LevelSettled(char level) override;
  void ServiceExited(const ServiceSpec& spec, pid_t pid, int status) override;
  void StageEntered(char stage) override;
  void StateChanged(const ServiceSpec& spec, ServiceState from, ServiceState to,
                    ChangeReason reason, const std::string& why) override;
  bool PrepareStart(const ServiceSpec& spec, std::string* err) override;
  void AfterStop(const ServiceSpec& spec) override;
  void MainStarted(const ServiceSpec& spec, pid_t pid) override;

 private:
  static constexpr auto Guarded = log::Guarded;
  ServiceSet LoadServices();
  // Runs what the front ends need before they load (BeforeLoad), then `load` — unless a
  // shutdown or a boot in place came in between.
  void BeforeLoading(std::function<void()> load);
  void StartSupervisor();
  void BootSupervisor();
  void SetupSignals();
  void WaitSignal();
  void OnSignal(int sig);
  // SignalTarget (signal_actions.h)
  void GoToLevel(char level) override;
  void DemandServices(char which) override;
  bool TriggerServices(Trigger event) override;
  void ReloadServices() override;
  void ReopenFifo() override;
  void CloseFifo() override;
  char ReadPowerStatus() override;
  char DefaultLevel() override { return sup_ ? sup_->DefaultLevel() : '3'; }
  // InitctlTarget (initctl.h; the rest is shared with SignalTarget)
  void RequestLevel(char level, std::chrono::milliseconds kill_wait) override;
  // SIGHUP, telinit q, daemon-reload: generators, then the definitions read again (ReloadQueue).
  void Reload(ReloadQueue::Answer answer = nullptr);
  // Why a reload must not load now ("" when it may).
  std::string ReloadRefusal() const;
  void LoadAgain();
  // ControlHost (control_verbs.h; pid1_control.cc)
  bool HasServices() const override { return sup_ != nullptr; }
  std::optional<Supervisor::Status> ServiceStatus(const std::string& name) const override;
  const ServiceSpec* ServiceSpecOf(const std::string& name) const override;
  std::vector<Supervisor::Status> AllServices() const override;
  const std::vector<std::pair<std::string, std::string>>& InactiveServices() const override {
    return inactive_;
  }
  bool StartService(const std::string& name, std::string* err) override;
  bool StopService(const std::string& name, std::string* err) override;
  bool RestartService(const std::string& name, bool only_if_active, std::string* err) override;
  bool ReloadService(const std::string& name, std::string* err) override;
  bool AddSupervised(ServiceSpec spec, std::string* err) override;
  std::optional<ServiceSpec> SuperviseRequest(const std::string& name,
                                              const std::vector<std::string>& options,
                                              std::string* err) override;
  std::string RecentOutput(const std::string& name) override;
  void ReloadConfiguration(ReloadQueue::Answer done) override { Reload(std::move(done)); }
  void ExitWith(int code) override;
  void ApplyServiceSet(const ServiceSet& set);
  void OnNotify(pid_t sender, uid_t uid, const std::vector<std::string>& fields);
  // Opens $NOTIFY_SOCKET's socket unless it is open: at load time for the set's services that
  // notify, and for a supervise-daemon request that asks for readiness=notify.
  void EnsureNotifySocket();
  void OmitFromSendsigs();
  void PowerEvent(char status) override;
  void SetInitEnv(const std::string& name, const std::optional<std::string>& value) override;
  void OnMountsChanged();
  void Reap();
  void ShutdownDone(const Shutdown::Report& report);

  Options opts_;
  Config config_;
  boost::asio::io_context io_;
  std::unique_ptr<System> sys_;
  boost::asio::signal_set signals_;
  std::unique_ptr<Timer> sup_timer_;
  InitctlFifo fifo_;
  MountWatch mounts_;
  Spawner spawner_;
  BeforeLoadRunner before_load_;         // the front ends' generators, before each load
  ReloadQueue reloads_;                  // reloads one at a time, each answered when loaded
  bool fifo_closed_by_request_ = false;  // SIGUSR2: stay closed until SIGUSR1
  std::unique_ptr<Supervisor> sup_;
  std::unique_ptr<control::Server> control_;
  ControlVerbs control_verbs_{*this};  // the control socket's requests
  std::unique_ptr<NotifySocket> notify_;
  std::unique_ptr<SocketActivation> sockets_;
  std::unique_ptr<OutputTap> output_;
  std::vector<std::pair<std::string, std::string>> inactive_;  // from the front ends
  std::optional<int> exit_request_;                            // `systemctl exit N`
  UtmpWriter utmp_;
  bool pid1_ = false;
  std::vector<std::string> base_env_;  // ctinit's environment at boot, for the front ends
  Shutdown shutdown_;
  bool done_ = false;             // the loop ends
  std::optional<int> main_exit_;  // app mode: the main process's exit code
  int exit_code_ = 0;
  unsigned generation_ = 0;  // bumped by each boot in place; posted callbacks check it
};

}  // namespace ctinit
