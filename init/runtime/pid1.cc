#include "init/runtime/pid1.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "init/base/text.h"
#include "init/protocol/control.h"
#include "init/runtime/sys.h"

extern char** environ;

namespace ctinit {

namespace {

constexpr const char* kMainName = "ctinit-main";

// 'a b' -> 'a b' quoted for /bin/sh (used only by the ENOEXEC retry, which runs "exec <text>").
std::string ShellQuote(const std::string& a) {
  std::string q = "'";
  for (char c : a) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

}  // namespace

Pid1::Pid1(Options opts, std::unique_ptr<System> system)
    : opts_(std::move(opts)),
      sys_(system ? std::move(system) : std::make_unique<RealSystem>(io_)),
      signals_(io_),
      sup_timer_(sys_->NewTimer()),
      fifo_(io_, *sys_, *this),
      mounts_(io_, [this] { OnMountsChanged(); }),
      spawner_(*sys_),
      before_load_(*sys_,
                   [this](const FrontEnd::BeforeLoadCommand& c) {
                     ServiceSpec spec;  // a task of PID 1's own, its output tagged with its name
                     spec.name = spec.log_tag = spec.origin = c.name;
                     spec.kind = Kind::kTask;
                     spec.command.argv = c.argv;
                     spec.command.text = c.name;
                     return spawner_.Spawn(spec, spec.command, sup_ ? sup_->level() : 'S', 'N', {},
                                           {.output = output_.get()});
                   }),
      reloads_(before_load_, ReloadQueue::Hooks{
                                 .commands =
                                     [this] {
                                       return opts_.front_end
                                                  ? opts_.front_end->BeforeLoad()
                                                  : std::vector<FrontEnd::BeforeLoadCommand>{};
                                     },
                                 .refusal = [this] { return ReloadRefusal(); },
                                 .load = [this] { Guarded("reload", [this] { LoadAgain(); }); },
                             }),
      shutdown_(*sys_, Shutdown::Hooks{
                           .cap_stop_waits =
                               [this](Clock::time_point t) {
                                 if (sup_) sup_->CapStopWaits(t);
                               },
                           .freeze =
                               [this] {
                                 if (sup_) sup_->Freeze();
                               },
                           .reap = [this] { Reap(); },
                           .done = [this](const Shutdown::Report& r) { ShutdownDone(r); },
                       }) {}

Pid1::~Pid1() = default;

int Pid1::Run() noexcept {
  // Whatever mask we inherited (a parent may have blocked SIGCHLD or SIGTERM) must not make us
  // deaf: PID 1 takes every signal it handles.
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  try {
    pid1_ = sys_->Self() == 1;
    std::vector<std::string> errors;
    config_ =
        LoadConfig(opts_.config_path, &errors,
                   opts_.front_end ? opts_.front_end->ConfigKeys() : std::vector<std::string>{});
    if (opts_.front_end) opts_.front_end->Configure(config_.front_ends, &errors);
    if (opts_.fifo) config_.fifo = *opts_.fifo;
    shutdown_.Configure(config_, pid1_);
    log::SetLevel(opts_.log_level ? *opts_.log_level : config_.log_level);
    log::Info("ctinit {} booting{}", CTINIT_VERSION, pid1_ ? "" : " (not PID 1: subreaper mode)");
    for (const auto& e : errors) log::Error("{} (using defaults for it)", e);

    if (!getenv("PATH")) setenv("PATH", "/sbin:/usr/sbin:/bin:/usr/bin", 1);
    if (opts_.autoboot) setenv("AUTOBOOT", "YES", 1);
    for (char** e = environ; e && *e; ++e) base_env_.emplace_back(*e);
    spawner_.SetBaseEnvironment(base_env_);
    spawner_.SetLevelEnvironment([this](char level) {
      // The level the supervisor is in now (a child started for a level change sees the new one).
      return opts_.front_end ? opts_.front_end->LevelEnvironment(sup_ ? sup_->level() : level)
                             : std::vector<std::string>{};
    });
    if (!pid1_ && prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
      log::Warn("cannot become a subreaper: {}: orphans will not be reaped", strerror(errno));
    if (pid1_) utmp_.Truncate();

  } catch (const std::exception& e) {
    log::Error("during start-up: {}", e.what());
  }
  // Each step on its own: a failure in one (logged) must not cost the others.
  Guarded("signal setup", [this] { SetupSignals(); });
  Guarded("control fifo", [this] {
    fifo_.Open(config_.fifo);
    control_ = std::make_unique<control::Server>(
        io_, [this](const std::vector<std::string>& words, control::Respond respond) {
          Guarded("control request", [&] { control_verbs_.Handle(words, std::move(respond)); });
        });
    control_->Open(control::kSocketPath);
    mounts_.Start();
  });
  Guarded("boot", [this] { StartSupervisor(); });
  Guarded("reaper", [this] { Reap(); });  // children that ended before the handler existed
  // The loop never runs out of work (so run() cannot spin), and PID 1 never dies by accident:
  // whatever escapes a handler is logged and the loop goes on.
  auto work = boost::asio::make_work_guard(io_);
  while (!done_) {
    try {
      io_.run();
      if (!done_) io_.restart();
    } catch (const std::exception& e) {
      log::Error("internal error (continuing): {}", e.what());
      io_.restart();
    } catch (...) {
      log::Error("internal error (continuing)");
      io_.restart();
    }
  }
  return exit_code_;
}

ServiceSet Pid1::LoadServices() {
  ServiceSet set;
  if (opts_.front_end) {
    FrontEnd::LoadContext context;
    context.environment = base_env_;
    opts_.front_end->Load(context, &set);
  }
  for (const auto& d : set.diagnostics) log::Warn("{}", d.ToString());
  if (config_.default_runlevel) set.default_level = config_.default_runlevel;
  if (!opts_.app_argv.empty()) {
    ServiceSpec main;
    main.name = kMainName;
    main.origin = "command line";
    main.trigger = Trigger::kRunlevel;
    // A daemon that is never restarted: up once spawned (the level can settle around it), and
    // its end is reported by ServiceExited.
    main.kind = Kind::kLongRun;
    main.restart = Restart::kNo;
    main.respawn_limit.max_starts = 0;
    main.levels = "1234578";  // not 0/6: those levels stop it, and S is single user
    main.utmp = false;
    main.action_label = "main";
    main.report_states = false;
    main.command.argv = opts_.app_argv;
    for (const auto& a : opts_.app_argv)
      main.command.text += (main.command.text.empty() ? "" : " ") + ShellQuote(a);
    set.services.push_back(std::move(main));
  }
  return set;
}

// What PID 1 itself keeps of a service set: its sockets (opened now), the notify socket (when a
// service needs it), the inactive services for status output.
void Pid1::ApplyServiceSet(const ServiceSet& set) {
  inactive_ = set.inactive;
  if (!sockets_) {
    // Accept=yes instances are supervised services of their own, made per connection.
    SocketActivation::InstanceHost instances;
    instances.start = [this](ServiceSpec instance, std::string* err) {
      if (sup_) return sup_->AddSupervised(std::move(instance), err);
      *err = "not running services yet";
      return false;
    };
    instances.stop = [this](const std::string& name) {
      if (sup_) sup_->Stop(name);
    };
    sockets_ = std::make_unique<SocketActivation>(
        io_,
        [this](const std::string& service) {
          Guarded("socket activation", [&] {
            if (std::string err; sup_ && !sup_->Activate(service, &err))
              log::Warn("socket activation of {}: {}", service, err);
          });
        },
        std::move(instances));
  }
  sockets_->Set(set.sockets);
  bool want_notify = std::any_of(set.services.begin(), set.services.end(),
                                 [](const auto& sp) { return sp.Notifies(); });
  if (want_notify) EnsureNotifySocket();
}

void Pid1::EnsureNotifySocket() {
  if (notify_) return;
  notify_ = std::make_unique<NotifySocket>(
      io_, [this](pid_t sender, uid_t uid, const std::vector<std::string>& fields) {
        Guarded("notify", [&] { OnNotify(sender, uid, fields); });
      });
  notify_->Open(kNotifySocketPath);
}

void Pid1::OnNotify(pid_t sender, uid_t uid, const std::vector<std::string>& fields) {
  if (!sup_) return;
  pid_t pgid = sys_->ProcessGroupOf(sender);
  if (sup_->OnNotify(sender, pgid > 0 ? pgid : 0, fields, uid)) return;
  if (pgid > 0) {
    log::Debug("notification from pid {} that no service accepts: {}", sender, fields.front());
    return;
  }
  // The sender is gone (a helper that sent READY=1 and exited before this was read): taken
  // where only one service can be meant, else said, so a start that then times out is explained.
  int waiting = 0;
  if (!sup_->OnNotifyFromExited(sender, fields, uid, &waiting))
    log::Warn(
        "notification from pid {} (uid {}), which exited before it was read, not taken: "
        "{} NotifyAccess=all services wait for READY=1: {}",
        sender, uid, waiting, text::Join(fields, " ").substr(0, 200));
}

void Pid1::BeforeLoading(std::function<void()> load) {
  std::vector<FrontEnd::BeforeLoadCommand> commands;
  if (opts_.front_end) commands = opts_.front_end->BeforeLoad();
  before_load_.Run(std::move(commands), [this, gen = generation_, load = std::move(load)] {
    if (gen == generation_ && shutdown_.idle()) Guarded("load", load);
  });
}

void Pid1::StartSupervisor() {
  if (!output_) output_ = std::make_unique<OutputTap>(io_);
  BeforeLoading([this] { BootSupervisor(); });
}

void Pid1::BootSupervisor() {
  ServiceSet set = LoadServices();
  ApplyServiceSet(set);
  char level = set.default_level.value_or('3');
  if (!opts_.level && !set.default_level) log::Info("no initdefault: using runlevel 3");
  sup_ = std::make_unique<Supervisor>(this, std::move(set), level, opts_.level.value_or(0));
  sup_->Boot();
}

// ---------------------------------------------------------------------------------------------
// Signals

void Pid1::SetupSignals() {
  for (int sig : SignalsToIgnore(config_)) signal(sig, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  boost::system::error_code ec;
  signals_.add(SIGCHLD, ec);
  for (const auto& [sig, rule] : config_.signals) {
    if (rule.action == SignalAction::kIgnore) continue;
    signals_.add(sig, ec);
    if (ec) log::Warn("cannot handle {}: {}", SignalName(sig), ec.message());
  }
  WaitSignal();
}

void Pid1::WaitSignal() {
  signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    Guarded("signal", [&] { OnSignal(sig); });
    Guarded("signal re-arm", [this] { WaitSignal(); });
  });
}

void Pid1::OnSignal(int sig) {
  if (sig == SIGCHLD) {
    Reap();
    return;
  }
  auto it = config_.signals.find(sig);
  if (it == config_.signals.end()) return;
  log::Info("received {}: {}", SignalName(sig), SignalActionName(it->second.action));
  RunSignalAction(*this, it->second, SignalName(sig));
}

// SignalTarget: what the signal actions (signal_actions.h) may do.
void Pid1::GoToLevel(char level) { RequestLevel(level, config_.kill_wait); }

void Pid1::DemandServices(char which) {
  if (sup_) sup_->Demand(which);
}

bool Pid1::TriggerServices(Trigger event) {
  if (!sup_ || !sup_->HasServicesFor(event)) return false;
  sup_->Trigger(event);
  return true;
}

void Pid1::ReloadServices() { Reload(); }

void Pid1::ReopenFifo() {
  fifo_closed_by_request_ = false;
  fifo_.Open(config_.fifo);
}

void Pid1::CloseFifo() {
  fifo_closed_by_request_ = true;
  fifo_.Close();
}

char Pid1::ReadPowerStatus() {
  // sysvinit: the first byte of /var/run/powerstatus says what happened; then it is removed.
  // Opened without blocking or following a link, and only a regular file is read: a FIFO put
  // there must not hold PID 1.
  for (const char* path : {"/var/run/powerstatus", "/etc/powerstatus"}) {
    int fd = ::open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) continue;
    struct stat st {};
    char status = 0;
    bool read_one = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && ::read(fd, &status, 1) == 1;
    ::close(fd);
    if (read_one) {
      unlink(path);
      return status;
    }
  }
  return 'F';
}

void Pid1::SetInitEnv(const std::string& name, const std::optional<std::string>& value) {
  spawner_.SetInitEnv(name, value);
}

void Pid1::PowerEvent(char status) {
  if (!sup_) return;
  if (status == 'O') {
    sup_->Trigger(Trigger::kPowerOkWait);
  } else if (status == 'L') {
    sup_->Trigger(Trigger::kPowerFailNow);
  } else {
    sup_->Trigger(Trigger::kPowerFail);
    sup_->Trigger(Trigger::kPowerWait);
  }
}

void Pid1::RequestLevel(char level, std::chrono::milliseconds kill_wait) {
  level = static_cast<char>(toupper(static_cast<unsigned char>(level)));
  // A halt during a reboot wins (docker stop while rebooting must stop the container); a reboot
  // during a halt does not.
  if (level == '0' && shutdown_.under_way()) shutdown_.PreferHalt();
  if (!shutdown_.idle() || done_) return;
  if (!sup_) {
    if (level == '0' || level == '6') {
      shutdown_.SetLevel(level);
      shutdown_.Sweep("no supervisor");
    }
    return;
  }
  if ((level == '0' || level == '6') && !shutdown_.under_way()) {
    if (!pid1_) OmitFromSendsigs();
    shutdown_.Begin(level);
  }
  if (shutdown_.under_way() && kill_wait > shutdown_.budget()) kill_wait = shutdown_.budget();
  sup_->RequestLevel(level, kill_wait);
}

// Not PID 1, ctinit is one more process to Debian's sendsigs (killall5 spares only PID 1 and its
// own session), which would TERM it and then wait for it: register like Debian's daemons do.
void Pid1::OmitFromSendsigs() {
  const char* dir = "/run/sendsigs.omit.d";
  ::mkdir(dir, 0755);
  std::ofstream f(std::string(dir) + "/ctinit");
  f << sys_->Self() << "\n";
}

void Pid1::Reload(ReloadQueue::Answer answer) { reloads_.Request(std::move(answer)); }

std::string Pid1::ReloadRefusal() const {
  if (!sup_) return "the services are not loaded yet";
  if (!shutdown_.idle()) return "a shutdown is under way";
  return "";
}

void Pid1::LoadAgain() {
  ServiceSet set = LoadServices();
  ApplyServiceSet(set);
  sup_->Reload(std::move(set), config_.kill_wait);
}

// ---------------------------------------------------------------------------------------------
// The reaper: the only place that waits for children.

void Pid1::Reap() {
  while (auto r = sys_->ReapOne()) {
    if (output_) output_->Exited(r->pid);  // its last lines before the news of its exit
    if (before_load_.Exited(r->pid, r->status)) continue;
    if (!sup_ || !sup_->OnChildExit(r->pid, r->status))
      log::Debug("reaped pid {} ({})", r->pid, sys::DescribeStatus(r->status));
    spawner_.ForgetLaunch(r->pid);  // its daemon was guessed (or not) in OnChildExit
  }
  shutdown_.Reaped();
}

// ---------------------------------------------------------------------------------------------
// SupervisorHost

pid_t Pid1::Spawn(const ServiceSpec& spec, const Command& cmd, char level, char prev_level,
                  const std::vector<std::string>& extra_env) {
  return spawner_.Spawn(spec, cmd, level, prev_level, extra_env,
                        {.output = output_.get(),
                         .notify = notify_.get(),
                         .sockets = sockets_.get(),
                         .utmp = &utmp_});
}

void Pid1::KillGroup(pid_t pgid, int sig) {
  if (pgid <= 1) return;
  // A daemon that is not a process group leader (a forking one's pid) gets it directly.
  if (sys_->Kill(-pgid, sig) == ESRCH) {
    KillProcess(pgid, sig);
    return;
  }
  if (sig == SIGTERM) sys_->Kill(-pgid, SIGCONT);
}

void Pid1::KillProcess(pid_t pid, int sig) {
  if (pid <= 1) return;
  sys_->Kill(pid, sig);
  if (sig == SIGTERM) sys_->Kill(pid, SIGCONT);
}

bool Pid1::GroupAlive(pid_t pgid) { return pgid > 1 && sys_->Kill(-pgid, 0) == 0; }

bool Pid1::ProcessAlive(pid_t pid) {
  if (pid <= 1) return false;
  int e = sys_->Kill(pid, 0);
  return e == 0 || e == EPERM;
}

std::optional<SupervisorHost::PidFile> Pid1::ReadPidFile(const std::string& path) {
  return sys_->ReadPidFile(path);
}

bool Pid1::ProcessBelongsTo(pid_t pid, pid_t service_pgid) {
  if (pid <= 1 || service_pgid <= 1) return false;
  if (sys_->ProcessGroupOf(pid) == service_pgid || sys_->SessionOf(pid) == service_pgid)
    return true;
  auto descendants = sys_->LiveProcesses(service_pgid);
  return std::find(descendants.begin(), descendants.end(), pid) != descendants.end();
}

bool Pid1::ProcessRunsAs(pid_t pid, uid_t uid) {
  if (pid <= 1) return false;
  auto uids = sys_->ProcessUids(pid);
  return !uids.empty() &&
         std::all_of(uids.begin(), uids.end(), [uid](uid_t u) { return u == uid; });
}

std::optional<pid_t> Pid1::GuessMainPid(pid_t launcher) {
  return sys_->GuessDaemon(launcher, spawner_.LaunchToken(launcher));
}

Clock::time_point Pid1::Now() { return sys_->Now(); }

void Pid1::ArmTimer(std::optional<Clock::time_point> when) {
  sup_timer_->Cancel();
  if (!when) return;
  sup_timer_->At(*when, [this] {
    if (sup_) Guarded("supervisor timer", [this] { sup_->OnTimer(); });
  });
}

void Pid1::BootTime() { utmp_.BootTime(); }

void Pid1::LevelChanged(char level, char prev) {
  utmp_.Runlevel(level, prev);
  if (sockets_ && (level == '0' || level == '6')) sockets_->StopInstances();
  if (opts_.front_end) Guarded("level hook", [&] { opts_.front_end->OnLevel(level, false); });
}

void Pid1::StageEntered(char stage) {
  if (opts_.front_end) Guarded("level hook", [&] { opts_.front_end->OnLevel(stage, false); });
}

void Pid1::StateChanged(const ServiceSpec& spec, ServiceState from, ServiceState to,
                        ChangeReason reason, const std::string& why) {
  if (sockets_ && from != to) {
    bool running =
        to == ServiceState::kStarting || to == ServiceState::kUp || to == ServiceState::kStopping;
    sockets_->ServiceRunning(spec.name, running);
  }
  if (output_ && from != to && to == ServiceState::kStarting) output_->Reset(spec.name);
  if (output_ && to == ServiceState::kFailed && from != to) {
    output_->Drain(spec.name);
    std::string tail = output_->Tail(spec.name);
    while (!tail.empty() && (tail.back() == '\n' || tail.back() == ' ')) tail.pop_back();
    if (!tail.empty()) {
      log::Error("{}: its output before it failed:", spec.name);
      size_t pos = 0;
      while (pos < tail.size()) {
        size_t nl = tail.find('\n', pos);
        if (nl == std::string::npos) nl = tail.size();
        log::Error("{}: | {}", spec.name, tail.substr(pos, nl - pos));
        pos = nl + 1;
      }
    }
  }
  control_verbs_.StateChanged(spec, from, to, reason, why);
}

bool Pid1::PrepareStart(const ServiceSpec& spec, std::string* err) {
  for (const auto& d : spec.directories) {
    std::string e;
    if (!sys_->MakeServiceDirectory(d, &e)) {
      *err = "cannot create " + d.path + ": " + e;
      return false;
    }
  }
  return true;
}

void Pid1::AfterStop(const ServiceSpec& spec) {
  for (const auto& d : spec.directories) {
    if (!d.remove_after_stop) continue;
    std::string err;
    if (!sys_->RemoveServiceDirectory(d, &err))
      log::Warn("{}: cannot remove {}: {}", spec.name, d.path, err);
  }
}

void Pid1::MainStarted(const ServiceSpec& spec, pid_t pid) {
  if (spec.trigger != Trigger::kManual || spec.pidfile.empty()) return;
  // The pid file's directory may belong to the service: never follow a link planted there, never
  // block on a FIFO, write only into a regular file.
  int fd = ::open(spec.pidfile.c_str(),
                  O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, 0644);
  struct stat st {};
  std::string text = std::to_string(pid) + "\n";
  bool ok = fd >= 0 && ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && ::ftruncate(fd, 0) == 0 &&
            ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  if (fd >= 0) ::close(fd);
  if (!ok) log::Warn("{}: cannot write pid file {}", spec.name, spec.pidfile);
}

void Pid1::LevelSettled(char level) {
  if (opts_.front_end) Guarded("level hook", [&] { opts_.front_end->OnLevel(level, true); });
  if (level != '0' && level != '6') return;
  // Reached without a request (e.g. `ctinit 6` or initdefault 0).
  if (!shutdown_.under_way()) shutdown_.Begin(level);
  // Not from inside the supervisor's own drain: the sweep may replace the supervisor.
  sys_->Post([this, gen = generation_] {
    if (gen == generation_ && shutdown_.idle())
      Guarded("final sweep", [this] { shutdown_.Sweep("runlevel done"); });
  });
}

void Pid1::ServiceExited(const ServiceSpec& spec, pid_t pid, int status) {
  if (spec.utmp) utmp_.DeadProcess(pid, spec.name);
  if (spec.name == kMainName) {
    main_exit_ = sys::ExitCodeOf(status);
    if (shutdown_.under_way()) return;  // stopped as part of a shutdown or reboot already under way
    log::Info("main process {}: shutting down", sys::DescribeStatus(status));
    sys_->Post([this, gen = generation_] {
      if (gen == generation_) Guarded("app exit", [this] { RequestLevel('0', config_.kill_wait); });
    });
    return;
  }
  log::Verbose("{} (pid {}) {}", spec.name, pid, sys::DescribeStatus(status));
}

// What follows a finished shutdown (shutdown.h).
void Pid1::ShutdownDone(const Shutdown::Report& report) {
  switch (report.end) {
    case Shutdown::End::kExit:
      exit_code_ = exit_request_ ? *exit_request_ : main_exit_.value_or(0);
      break;
    case Shutdown::End::kExitReboot:
      exit_code_ = report.exit_code;
      break;
    case Shutdown::End::kBootAgain:
      // Boot again in place: PID 1 stays, the services start from sysinit.
      shutdown_.Reset();
      spawner_.ClearInitEnv();
      main_exit_.reset();
      ++generation_;  // callbacks posted by the previous boot are void
      reloads_.Abandon("ctinit boots again in place");
      before_load_.Abandon();
      log::Info("ctinit {} booting (restart in place)", CTINIT_VERSION);
      sup_.reset();
      StartSupervisor();
      return;
  }
  done_ = true;
  io_.stop();
}

// ---------------------------------------------------------------------------------------------
// Mounts: a mount over /run hides PID 1's FIFO and sockets (mount_watch.h); make them again.

void Pid1::OnMountsChanged() {
  if (control_) {
    struct stat st {};
    if (::stat(control::kSocketPath, &st) != 0 || !S_ISSOCK(st.st_mode)) {
      log::Verbose("{} is gone (mounts changed): creating it again", control::kSocketPath);
      control_->Close();
      control_->Open(control::kSocketPath);
    }
  }
  if (notify_ && !notify_->StillThere()) {
    log::Verbose("{} is gone (mounts changed): creating it again", kNotifySocketPath);
    notify_->Open(kNotifySocketPath);
  }
  if (fifo_.StillThere() || fifo_closed_by_request_) return;
  log::Verbose("{} is gone or replaced (mounts changed): creating it again", config_.fifo);
  fifo_.Open(config_.fifo);
}

}  // namespace ctinit
