// The supervisor: runs a ServiceSet (service.h) through sysvinit's runlevel machine, with the
// dependency graph, per-service state machine and restart rules that OpenRC and systemd units
// need.
//
// It is pure logic. Everything it does to the world goes through SupervisorHost (spawn, kill,
// timers, utmp), and the world reaches it through the public calls; after each call the
// supervisor has already done all the work that call made possible (dinit's "process the queues"
// at the end of every handler), and has re-armed the host's single timer for its next deadline.
// Re-entrant calls from host callbacks are queued, not recursed: a public call made while another
// is under way (StateChanged, ServiceExited, LevelSettled, ... calling Start, Stop, RequestLevel,
// AddSupervised, Reload, ...) returns at once (true unless the name is unknown or ctinit is
// shutting down) and is run by the drain of the call under way, after the change that called
// back is complete, in the order made; what it makes possible is done before that call returns.
//
// Levels
// ------
// `level()` is one of: '#' (sysinit stage), '*' (boot stage), 'S', '0'..'9'.
//   '#'  start: run kSysInit services. When nothing but kBoot services is running, go to the
//        default level: 'S' directly, else '*'. BootTime() is reported then.
//   '*'  run kBoot services. When nothing but kBoot services is running: enter the default level
//        ("Entering runlevel: N").
//   'S'  when nothing is running any more, leave S for the default level (through '*' if boot
//        services never ran) — sysvinit's "end of single-user mode". Either way the entries whose
//        levels are exactly "S" are re-armed; if the default level is S itself, they run again
//        at once (sulogin comes back).
//   N    steady state. Once no start is in progress or pending and every task wanted in N has
//        run, the level is *settled*: SupervisorHost::LevelSettled(N), once per entry into N.
//
// Wanted
// ------
// A service is wanted when
//   * an explicit request says so (Start()/Stop() set an override, cleared by every level
//     change; supervised services are wanted until Stop()), else
//   * its trigger and levels say so: kSysInit in '#', kBoot in '*', kRunlevel in its levels (and
//     after `telinit a|b|c` for its demand letters, in every level but S), events in their
//     levels; kManual never, or
//   * a wanted service pulls it in through needs / wants / binds_to (not through an explicit
//     stop).
// A service that is running but not wanted is stopped, unless it is *kept*: kBoot entries that
// do not block (sysvinit "boot"), kScripted services of the sysinit/boot stages in the levels of
// their `levels`, stop_on_level_change = false, stop_on_shutdown = false when going to 0 or 6,
// demand entries (except going to S), and supervised services (only Stop() ends them).
//
// Starting (in list order, each round)
// --------
// Walk the services in list order; stop walking at the first `blocking` service whose process
// is running (sysvinit). Start a wanted service that is stopped and has not run (kTask: once
// per level entry; kLongRun: again when its restart rule says so; kScripted: until it is up or
// failed) once nothing in its after/needs/binds_to that is wanted is still pending (starting, or
// wanted and not yet settled). A needed service that failed fails it without running it ("X:
// failed: dependency Y failed"); a requisite that is not up likewise. If wanted services still
// wait on each other with nothing in progress (a loop the front end did not break), the first
// one is started anyway with a warning. A service that came up at once (a simple daemon, a
// grouping node) lets a service earlier in the list that waits for it start in the same round.
// A dependency that is wanted but going down (a restart) is waited for. Nothing starts while a
// level change or reload is still stopping services (until each has exited or been sent its
// final SIGKILL), nor once frozen. Starting a service stops what conflicts with it.
//
// The per-service state machine
// -----------------------------
// state  stopped --start--> starting --(ready)--> up --stop--> stopping --> stopped
//                              |                   |                          ^
//                              `--(fails)----------+---(ends on its own)----> failed / restart
// A start begins with the checks: `condition` false skips it (it stays stopped, reported as
// "skipped: …", and counts as done for its dependents), `assertion` false fails it, then
// SupervisorHost::PrepareStart (directories) may fail it.
// `phase` says which process runs:
//   kCondition   a start_condition step (ctl; systemd's ExecCondition=). Exit 0 (or
//                ignore_failure): the next one, then start_pre. Exit 1-254: the start is
//                *skipped*: stop_post runs, then the service is stopped, reported as "skipped: …"
//                (kSkipped), counts as done, is not restarted and is not failed. Exit 255 or a
//                signal fails the start.
//   kStartPre    a start_pre step (ctl). Failure (not ignore_failure) fails the start.
//   kStart       the command (pid): a task; a kScripted start script (exit 0: up); a kForking
//                launcher (exit 0: the daemon's pid comes from `pidfile`, or is guessed); a
//                kNotify daemon that has not sent READY=1.
//   kStartPost   a start_post step (ctl); a failure fails the start.
//   kRunning     a long-run that is up (pid = its main process, 0 for a forking one whose pid is
//                unknown).
//   kReload      a reload step (ctl) of an up service.
//   kStop        a stop step (ctl), $MAINPID set. Runs only for a service that got up.
//   kStopSignal  stop_signal sent (per kill_mode); waiting for pid and ctl (and, kControlGroup,
//                the whole group) to be gone; at the deadline the final kill.
//   kStopPost    a stop_post step (ctl); runs whatever ended the service.
// Each start phase is bounded by start_timeout (if set): a timeout fails the start (for a
// forking one waiting for its pid file, which is read every 100 ms: start_timeout counted from
// the launcher's start, else 5 s after the launcher's end). A failed start stops what runs, and
// with kControlGroup / kMixed what is left in the group. Each stop
// phase by stop_timeout, else the level's kill_wait, and during a shutdown never beyond the
// shutdown deadline: a stop step that overruns gets SIGKILL; the stop-signal wait ends in
// final_kill_signal (send_sigkill) and, 1 s later at most, the supervisor stops waiting.
// kill_mode kNone sends nothing: the main process is left alone once the stop steps have run.
// When a long-run's main process ends on its own, its stop steps run (if it had got up), the
// rest of its group is signalled (kControlGroup: stop_signal; kMixed: the final kill), stop_post
// runs, and then `restart` decides
// (clean = exit 0 / success_status / HUP INT TERM PIPE; restart_prevent_status never restarts):
// restarted after restart_delay, or stopped (clean) / failed. A failed start of a long-run goes
// through the same decision. A restart counts against respawn_limit: sysvinit's limiter (the
// 11th start within 120 s disables it for 5 minutes, "respawning too fast") or, with give_up,
// failed for good ("start limit hit") until it is started again. A command that cannot be
// spawned is a start that ended at once (stop_post runs, the restart rule applies).
// The start of a kTask or kScripted is never restarted.
//
// Requests
// --------
// Start(X): X wanted (override); X and what it pulls in are retried if failed. Conflicting
//   services are stopped. A stop of X that has not begun yet is cancelled; if X is stopping
//   (on request or on its own), it starts again once it has stopped.
// Stop(X): X not wanted; also every active service that needs / binds_to / is part_of X,
//   transitively; stops go in reverse order (dependents first).
// Restart(X): Stop then Start once it has stopped; what needs / binds_to / is part_of X is
//   restarted too. Restart(X, only_if_active) of a service that is not active does nothing.
// A Stop of a service waiting for its restart_delay cancels the restart (reported as a change
//   to stopped, "stopped").
// ReloadService(X): runs X's reload steps ($MAINPID set) while it stays up.
// BindsTo: when X goes down on its own (or fails), whatever binds_to X is stopped (not while X
//   is restarted by its policy).
// OnFailure: when X fails (also for a failed need or a missing requisite, or the start limit),
//   its on_failure services are started.
// Notify (kNotify): READY=1 ends the start, MAINPID=N changes the main process (applied first,
//   wherever it is in the datagram), STATUS=text is kept for status (cleared by the next start),
//   STOPPING=1 shows it stopping; only from the processes notify_access allows. A MAINPID= from
//   a sender that is not root is taken only if that process belongs to the service (its
//   process group or session, or a descendant: SupervisorHost::ProcessBelongsTo); otherwise a
//   warning, and the main pid stays. The same holds for a pid file not owned by root (the start
//   fails, as with systemd) (kMain: the main
//   process; kExec: it and a running step; kAll: any process of its process group).
// Watchdog (spec.watchdog > 0, a long-run): armed when its start is complete (start_post begins:
//   for kNotify after READY=1); WATCHDOG=1 re-arms it, WATCHDOG_USEC=N changes the limit for
//   this run (0: off), WATCHDOG=trigger fires it at once. When it fires: "watchdog timeout",
//   watchdog_signal to the main process (per kill_mode, no stop steps), then as any stop-signal
//   wait (the final kill at stop_timeout); the run ends as a watchdog failure: kOnFailure,
//   kOnAbnormal, kOnWatchdog and kAlways restart it, kOnAbort does not.
//
// Stopping order: a service that is to be stopped begins stopping only once no active service
// that is ordered after it (after / needs / binds_to, or a later boot stage: sysinit before boot
// before the rest) is still to be stopped or stopping — the reverse of the start order, in
// parallel where unordered. Services that are stopped by the
// same level change and have no stop steps get their signal together (sysvinit's batch).
//
// Manual services (AddSupervised): long-runs started on request (supervise-daemon), untouched by
// level changes, stopped by Stop(), forgotten once stopped.
// Freeze(): no more starts, no more respawns; used by the final shutdown sweep.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "init/model/service.h"

namespace ctinit {

using Clock = std::chrono::steady_clock;

enum class ServiceState { kStopped, kStarting, kUp, kStopping, kFailed };
const char* StateName(ServiceState s);

// Why a service changed state (SupervisorHost::StateChanged), for code that acts on it (the
// control socket's replies); the human text that goes with it is for people and may be
// reworded freely.
enum class ChangeReason {
  kNone,              // an ordinary step: starting, started, stopping on request
  kSkipped,           // its condition was false: not run, counts as done (state unchanged)
  kFinished,          // the run ended cleanly (a task finished, a daemon exited 0): stopped
  kFailed,            // the run failed (start failure, bad exit, signal, timeout, watchdog)
  kDependencyFailed,  // a service it needs failed: failed without running
  kRequisiteMissing,  // a requisite is not up: failed without running
  kStartLimitHit,     // respawn_limit with give_up: failed until started again
  kRespawnTooFast,    // sysvinit's limiter: stopped, disabled for a while
  kRestarting,        // the run ended and its restart rule starts it again (maybe after a delay)
  kStartingAgain,     // the run ended on its own while a Start() waited: it starts again
  kStopped,           // a requested stop is complete (also a cancelled restart)
  kExited,            // its main process ended on its own; its stop steps run (stopping)
  kStoppingNotified,  // the service said STOPPING=1
  kReloaded,          // its reload steps succeeded (state unchanged)
  kReloadFailed,      // a reload step failed (state unchanged)
};
const char* ReasonName(ChangeReason r);

class SupervisorHost {
 public:
  virtual ~SupervisorHost() = default;
  // Start `cmd` (the service's command or one of its steps) for `spec`, with `extra_env`
  // (e.g. MAINPID=) added. Returns the pid, or -1 (the host has logged why).
  virtual pid_t Spawn(const ServiceSpec& spec, const Command& cmd, char level, char prev_level,
                      const std::vector<std::string>& extra_env) = 0;
  // Send `sig` to the process group `pgid` (a process that is not a group leader: to it). The
  // host follows SIGTERM with SIGCONT, so that a stopped process sees it.
  virtual void KillGroup(pid_t pgid, int sig) = 0;
  // Send `sig` to the one process `pid` (SIGTERM followed by SIGCONT too).
  virtual void KillProcess(pid_t pid, int sig) { KillGroup(pid, sig); }
  // Whether any process of group `pgid` is left (kControlGroup waits for that).
  virtual bool GroupAlive(pid_t /*pgid*/) { return false; }
  // Whether `pid` exists (a daemon's pid read from a pidfile may already be gone).
  virtual bool ProcessAlive(pid_t /*pid*/) { return true; }
  // A pid file: the pid in it and the file's owner (a pid file not owned by root names a main
  // process only if that process belongs to the service: ProcessBelongsTo).
  struct PidFile {
    pid_t pid = 0;
    uid_t owner = 0;
  };
  // The pid file at `path`, nullopt when it cannot be read (yet). Never blocks (a FIFO).
  virtual std::optional<PidFile> ReadPidFile(const std::string& /*path*/) { return std::nullopt; }
  // Whether process `pid` belongs to the service whose main command was started as the leader
  // of process group and session `service_pgid`: in that group or session, or a descendant of
  // its leader (systemd: in the service's cgroup). A new main pid from a non-root sender (a
  // notification, a pid file not owned by root) is taken only then.
  virtual bool ProcessBelongsTo(pid_t /*pid*/, pid_t /*service_pgid*/) { return false; }
  // Whether every uid of process `pid` (real, effective, saved, filesystem) is `uid`. A pid file
  // owned by `uid` may name such a process although it left the service's group and session
  // (PostgreSQL's pg_ctl starts the server in a session of its own): that user could signal it
  // anyway, so taking it as the main process gives the file's writer no new power.
  virtual bool ProcessRunsAs(pid_t /*pid*/, uid_t /*uid*/) { return false; }
  // kForking without a pidfile: the daemon the launcher `launcher` left behind, if one can be
  // told.
  virtual std::optional<pid_t> GuessMainPid(pid_t /*launcher*/) { return std::nullopt; }
  // A start is about to run its first step (directories are made here). False, with *err,
  // fails the start.
  virtual bool PrepareStart(const ServiceSpec& /*spec*/, std::string* /*err*/) { return true; }
  // Every process of a run has ended (directories marked remove_after_stop go here).
  virtual void AfterStop(const ServiceSpec& /*spec*/) {}
  virtual Clock::time_point Now() = 0;
  // Wake the supervisor (OnTimer) at `when`; replaces the previous request. nullopt = no timer.
  virtual void ArmTimer(std::optional<Clock::time_point> when) = 0;
  // The boot stage is over (sysvinit writes the BOOT_TIME record here).
  virtual void BootTime() = 0;
  // The current level changed (utmp RUN_LVL, /var/run/runlevel).
  virtual void LevelChanged(char level, char prev) = 0;
  // Every task wanted in `level` has run and nothing blocking is running.
  virtual void LevelSettled(char level) = 0;
  // A service's main process ended.
  virtual void ServiceExited(const ServiceSpec& spec, pid_t pid, int status) = 0;
  // A service changed state (from == to: something happened to it that its state does not
  // show, e.g. kSkipped or kReloaded). `reason` says why, for code; `why` says it for people
  // (may be empty).
  virtual void StateChanged(const ServiceSpec& /*spec*/, ServiceState /*from*/, ServiceState /*to*/,
                            ChangeReason /*reason*/, const std::string& /*why*/) {}
  // The boot stages: '#' (sysinit) when Boot() begins, '*' when the boot stage begins (real
  // levels are reported by LevelChanged).
  virtual void StageEntered(char /*stage*/) {}
  // The main process of a long-run was (re)spawned or became known.
  virtual void MainStarted(const ServiceSpec& /*spec*/, pid_t /*pid*/) {}
};

class Supervisor {
 public:
  // `default_level` is where boot ends and where leaving S goes (initdefault); `boot_level`, if
  // not 0, replaces it for the first boot only (a level given on the command line).
  Supervisor(SupervisorHost* host, ServiceSet set, char default_level, char boot_level = 0);

  // Starts the boot sequence from '#'. Also used to boot again in place after a reboot.
  void Boot();
  // telinit N / S / 0 / 6 (Q, U, a/b/c are handled by Reload/Demand/the host).
  // `kill_wait` is the stop wait for services that have no stop_timeout of their own.
  void RequestLevel(char level, std::chrono::milliseconds kill_wait);
  // telinit q: replace the services; running ones keep running when their definition's action is
  // unchanged; removed ones and changed ones are stopped like on a level change.
  void Reload(ServiceSet set, std::chrono::milliseconds kill_wait);
  // telinit a|b|c: ondemand services with that letter start (no level change).
  void Demand(char which);
  // A power / ctrlaltdel / kbrequest event: its services run if the level is in their levels.
  void Trigger(Trigger event);
  // True if any service reacts to `event` (SIGINT falls back to reboot when none does).
  bool HasServicesFor(enum Trigger event) const;
  // Stop starting anything, for good (until Boot()).
  void Freeze();
  // Cut every running stop wait short: the final kill to whatever is still being stopped.
  void KillStoppingNow();
  // No stop wait goes beyond `when` (the shutdown budget); nullopt lifts the cap.
  void CapStopWaits(std::optional<Clock::time_point> when);

  // Adds a manual long-run (trigger ignored) and starts it. False (with *err) if a service of
  // that name exists and is not stopped.
  bool AddSupervised(ServiceSpec spec, std::string* err);
  // The requests described above. False (with *err) for an unknown name, or when the request
  // cannot apply ("not running", "ctinit is shutting down", "no reload steps").
  bool Start(const std::string& name, std::string* err = nullptr);
  // A start on socket activity: as Start(), but the start limiter is not forgiven, so that
  // clients that keep connecting to a service that ends at once do not start it for ever; a
  // service the limiter gave up on stays failed ("start limit hit") until Start().
  bool Activate(const std::string& name, std::string* err = nullptr);
  bool Stop(const std::string& name, std::string* err = nullptr);
  bool Restart(const std::string& name, bool only_if_active, std::string* err = nullptr);
  bool ReloadService(const std::string& name, std::string* err = nullptr);
  // A notification from process `sender` (its process group `sender_pgid`, its user
  // `sender_uid`), fields "K=V". Returns false if no service accepts it from that process.
  bool OnNotify(pid_t sender, pid_t sender_pgid, const std::vector<std::string>& fields,
                uid_t sender_uid = 0);
  // A notification whose sender had exited before it was read (its process group is then
  // unknown, so OnNotify() finds no service for it: a script's one-line helper that sends
  // READY=1 and ends). It is taken by the one service that can be meant: NotifyAccess=all,
  // waiting for READY=1 (kNotify, its main process running), run by the sender's user (or the
  // sender is root). False when none or several are (*waiting: how many), nothing changes.
  bool OnNotifyFromExited(pid_t sender, const std::vector<std::string>& fields, uid_t sender_uid,
                          int* waiting = nullptr);

  // A service's state and processes, for status queries.
  struct Status {
    std::string name;
    ServiceState state;
    pid_t pid;  // main process or running script, 0 if none
    bool manual;
    bool wanted;
    Clock::time_point since;
    std::string status_text;  // STATUS= from notify, or why it failed / stopped
    int last_status = -1;     // wait status of the last main process to end, -1 if none
  };
  std::vector<Status> List() const;
  char DefaultLevel() const { return default_level_; }  // where boot ends (initdefault)
  std::optional<Status> Get(const std::string& name) const;
  // The definition of a service, nullptr if unknown (valid until the next call).
  const ServiceSpec* Spec(const std::string& name) const;

  // A child exited. Returns true if it was one of the services' processes (else an orphan).
  bool OnChildExit(pid_t pid, int status);
  void OnTimer();

  char level() const { return level_; }
  char prev_level() const { return prev_; }
  bool frozen() const { return frozen_; }
  // Pids of running services and steps (for the shutdown summary).
  std::vector<pid_t> RunningPids() const;
  // Test hooks.
  struct ServiceView {
    bool running;
    bool executed;
    bool disabled;
    int starts;
    ServiceState state;
  };
  std::optional<ServiceView> View(const std::string& name) const;
  // What the engine's work costs, counted always (a few additions per event). A slot visit is
  // one look at one service by a walk, an index update or a scan; the work an event costs
  // depends on what it changed, not on how many services there are (supervisor_scale_test.cc).
  struct Stats {
    uint64_t slots_visited = 0;
  };
  const Stats& stats() const { return stats_; }

 private:
  enum class Phase {
    kIdle,
    kCondition,
    kStartPre,
    kStart,
    kStartPost,
    kRunning,
    kReload,
    kStop,
    kStopSignal,
    kStopPost
  };
  // What is asked of a service's current run beyond what its levels say: one value where
  // there were three flags (stop_requested, by_request, restart_after_stop). Transitions:
  //   kAsLevel       --RequestStop-->  kStopQueued      --BeginStops--> kStopping
  //   kStartWhenEnded --RequestStop--> kRestartQueued   --BeginStops--> kRestarting
  //   Start() while it stops: kAsLevel -> kStartWhenEnded, kStopQueued -> kRestartQueued,
  //     kStopping -> kRestarting; Start() while a stop is only queued cancels it (-> kAsLevel,
  //     or kStartWhenEnded); Restart() = "start again" + RequestStop; Stop() and a level change
  //     drop "start again".
  //   EndRun (the run is over): back to kAsLevel; the "again" ones are started once more.
  // Independent of it: `override` (an explicit Start/Stop, kept across runs until a level
  // change) and `transition` (the queued or begun stop belongs to a level change or reload).
  enum class Desired {
    kAsLevel,         // nothing asked: it runs when wanted (see "Wanted")
    kStopQueued,      // a stop is asked; it begins once what is ordered after it has stopped
    kStopping,        // that stop has begun (stop steps, signals, stop_post)
    kRestartQueued,   // as kStopQueued, then it starts again
    kRestarting,      // as kStopping, then it starts again
    kStartWhenEnded,  // its run is ending on its own (nothing asked to stop it): start again
  };
  struct Slot {
    // Reads and updates of `desired` along its three questions.
    bool stop_queued() const {
      return desired == Desired::kStopQueued || desired == Desired::kRestartQueued;
    }
    bool stop_begun() const {
      return desired == Desired::kStopping || desired == Desired::kRestarting;
    }
    bool starts_again() const {
      return desired == Desired::kRestartQueued || desired == Desired::kRestarting ||
             desired == Desired::kStartWhenEnded;
    }
    void SetDesired(bool queued, bool begun, bool again) {
      if (queued)
        desired = again ? Desired::kRestartQueued : Desired::kStopQueued;
      else if (begun)
        desired = again ? Desired::kRestarting : Desired::kStopping;
      else
        desired = again ? Desired::kStartWhenEnded : Desired::kAsLevel;
    }
    void SetStartsAgain(bool again) { SetDesired(stop_queued(), stop_begun(), again); }

    ServiceSpec spec;
    ServiceState state = ServiceState::kStopped;
    Phase phase = Phase::kIdle;
    pid_t pid = 0;    // the main process: daemon, task, start script, forking launcher
    pid_t ctl = 0;    // a control process: a start_pre/start_post/reload/stop/stop_post step
    pid_t group = 0;  // the process group the main command was started in (its pid)
    size_t step_index = 0;
    std::optional<bool> override;  // explicit Start (true) / Stop (false)
    bool manual = false;           // AddSupervised: forgotten once stopped
    bool demand = false;           // telinit a/b/c (manual: wanted)
    bool wanted = false;           // computed each round (see "Wanted")
    bool executed = false;         // ran in this level entry and is not to run again
    Desired desired = Desired::kAsLevel;
    bool transition = false;  // the queued or begun stop belongs to a level change or reload
    bool killed = false;      // the final kill was sent in this stop
    bool was_up = false;      // this run got up (its stop steps apply)
    bool run_failed = false;  // this run failed (start failure, bad exit, timeout)
    bool timed_out = false;
    bool skipped = false;   // a start_condition step said no (exit 1-254): not failed
    int run_status = 0;     // wait status that ended this run's main process
    int last_status = -1;   // for status output
    bool disabled = false;  // respawning too fast (or gave up)
    Clock::time_point disabled_until{};
    std::optional<Clock::time_point> deadline;     // the phase's timeout
    std::optional<Clock::time_point> restart_at;   // restart_delay
    std::optional<Clock::time_point> poll_at;      // kForking: read the pidfile again
    Clock::time_point since{};                     // when the current state began
    int spawn_count = 0;                           // sysvinit's ch->count
    Clock::time_point spawn_window{};              // start of the counting window
    int starts = 0;                                // total, for tests and logs
    std::string status_text;                       // STATUS= from notify
    std::string why;                               // what the last state change was about
    std::optional<Clock::time_point> watchdog_at;  // WATCHDOG=1 due by then
    std::chrono::milliseconds watchdog_limit{0};   // spec.watchdog, or WATCHDOG_USEC= of this run
    bool watchdog_fired = false;                   // this run ends as a watchdog failure

    // Bookkeeping of the indexes below (supervisor_index.cc), not part of the service's state.
    // Place in list order: increasing along slots_ (with gaps where a supervised service was
    // forgotten), then removed_ from kRemovedPosition on.
    size_t position = 0;
    bool touched = false;    // in touched_: changed in this drain
    uint64_t walk_mark = 0;  // queued in the walk (or stop pass) of that number
    bool in_group_waits = false;
    pid_t indexed_pid = 0, indexed_ctl = 0, indexed_group = 0;     // as entered in the pid maps
    std::optional<Clock::time_point> indexed_fixed, indexed_live;  // as entered in the timers
  };
  // A list: a slot keeps its address while others are added and removed, so the indexes
  // below stay valid when a supervised service comes or goes (AddSlot, RemoveSlot).
  using Slots = std::list<Slot>;
  static constexpr size_t kRemovedPosition = SIZE_MAX / 2;
  static bool Retired(const Slot& s) { return s.position >= kRemovedPosition; }
  // Who names a service, by its name (in list order, each slot once): what a change of that
  // service can affect, so that the drain looks at those and not at every service.
  struct Named {
    std::vector<Slot*> slots;          // the slots of that name (Find: the first)
    std::vector<Slot*> start_waiters;  // name it in after/needs/binds_to/requisite
    std::vector<Slot*> stop_first;     // name it in after/needs/binds_to: stopped before it
    std::vector<Slot*> stopped_with;   // name it in needs/binds_to/part_of (StopDependents)
    std::vector<Slot*> bound;          // name it in binds_to
    std::vector<Slot*> conflicting;    // name it in conflicts
  };

  // Indexes (supervisor_index.cc). Every change of a slot's state marks it touched (Touch);
  // the drain then looks only at touched slots and at those that name them, and the indexes
  // (pids, timers, stop requests) are brought up to date from the touched slots (SyncIndexes).
  // A change of the list itself (Reindex) touches every slot. A supervised service, added
  // last and forgotten when it ends, enters and leaves the indexes on its own: an
  // Accept=yes connection costs the same with 10 or 2,000 services.
  void Reindex();
  Slot& AddSlot(Slot s);
  void RemoveSlot(Slot& s);
  void IndexNames(Slot& s, bool add);  // enters (or takes out) the names `s` has and names
  void Touch(Slot& s);
  void TouchAll();
  void SyncIndexes();
  void SyncSlot(Slot& s);
  const Named* NamedOf(const std::string& name) const;
  // The slot whose main or control process is `pid`, nullptr if none.
  Slot* ByPid(pid_t pid);
  // Adds what `s` being wanted now pulls in (Start), without recomputing everything.
  void GrowWanted(Slot& s);
  Slot* Find(const std::string& name);
  // The slot a request names; nullptr with *err ("unknown service", or "ctinit is shutting
  // down" when `refused_when_frozen`).
  Slot* Requested(const std::string& name, bool refused_when_frozen, std::string* err);
  // Start() and Activate(): `forgive_limit` clears the start limiter's count.
  bool StartAs(const std::string& name, bool forgive_limit, std::string* err);
  const Slot* Find(const std::string& name) const;
  bool LevelWanted(const Slot& s) const;
  void ComputeWanted();
  bool KeepRule(const Slot& s) const;
  bool Keep(const Slot& s) const { return s.wanted || KeepRule(s); }
  static bool Active(const Slot& s);
  static bool Busy(const Slot& s) { return s.pid > 0 || s.ctl > 0; }
  static bool StartPhase(Phase p) {
    return p == Phase::kCondition || p == Phase::kStartPre || p == Phase::kStart ||
           p == Phase::kStartPost;
  }
  // Wanted, not running, and would start now if its dependencies allowed.
  static bool Pending(const Slot& s);
  static bool OrderedAfter(const Slot& later, const std::string& earlier);
  // Boot stages order too: sysinit (0) before boot (1) before everything else (2).
  static int Stage(const Slot& s);
  bool DepPending(const Slot& s) const;
  const Slot* FailedNeed(const Slot& s) const;
  const Slot* MissingRequisite(const Slot& s) const;
  bool TransitionStopPending();
  bool StartInProgress() const;
  void Process();
  // While a level change or reload is stopping services only manual ones may (re)start.
  void StartIfNeeded(bool only_manual);
  void StartWalks(bool only_manual);
  // One walk of StartIfNeeded over `seeds` and what they make ready, in list order; false if it
  // stopped at a running blocking service. `began` is set when something was started,
  // `first_waiting` to the first service left waiting.
  bool StartWalk(bool only_manual, const std::vector<Slot*>& seeds, bool* began,
                 Slot** first_waiting);
  // The services the next walk looks at: the touched ones, those waiting for them, and those
  // left waiting by the last walk (or all of them when the last walk did not look at all).
  std::vector<Slot*> WalkSeeds();
  bool AnyStartInProgress();
  // Which stop requests may begin now (BeginStops): nothing ordered after it still stopping.
  bool StopWaits(const Slot& s);
  // Re-entrancy: a public call made while another one is under way (from a host callback) is
  // queued and run by the drain, never in the middle of the change that called back.
  // Marks a public call as under way for as long as it lives.
  class Entry {
   public:
    explicit Entry(Supervisor* s) : sup_(s) { ++sup_->depth_; }
    Entry(Entry&& other) noexcept : sup_(std::exchange(other.sup_, nullptr)) {}
    ~Entry() {
      if (sup_) --sup_->depth_;
    }
    Entry(const Entry&) = delete;
    Entry& operator=(const Entry&) = delete;
    Entry& operator=(Entry&&) = delete;

   private:
    Supervisor* sup_;
  };
  // The preamble of every public call that acts (14 of them). Made from inside another call,
  // `again` (the same call, made anew) is queued for the drain, which runs it as if it came on
  // its own, and nullopt is returned; else the Entry that marks this call under way.
  std::optional<Entry> Enter(std::function<void()> again);
  // Queues a public call made from inside another (Enter).
  void Defer(std::function<void()> call);
  // Runs queued calls; false when the drain's budget for them is used up.
  bool RunQueued(int* budget);
  // The service that accepts a notification from `sender`, nullptr if none.
  Slot* NotifyTarget(pid_t sender, pid_t sender_pgid);
  void Begin(Slot& s);
  bool SpawnMain(Slot& s);
  bool LimiterAllows(Slot& s);
  enum class StepResult { kRunning, kDone, kFailed };
  StepResult RunSteps(Slot& s, Phase phase, size_t index);
  // The start_condition steps from `index`, then StartPre.
  void ConditionSteps(Slot& s, size_t index);
  // The start_pre steps from `index`, then the command.
  void StartPre(Slot& s, size_t index);
  // The step list a phase runs (start_condition, start_pre, start_post, reload, stop,
  // stop_post), else nullptr.
  static const std::vector<Command>* StepsOf(const ServiceSpec& spec, Phase phase);
  void StartPost(Slot& s);
  void BecameUp(Slot& s);
  void FailStart(Slot& s, const std::string& why);
  void SetState(Slot& s, ServiceState st, ChangeReason reason = ChangeReason::kNone,
                const std::string& why = {});
  std::chrono::milliseconds StopWait(const Slot& s) const;
  void RequestStop(Slot& s, bool transition);
  void StopDependents(const std::string& name, bool restart);
  void BeginStops();
  void BeginStop(Slot& s);
  void StopSteps(Slot& s, size_t index);
  void Terminate(Slot& s);
  void FinalKill(Slot& s);
  bool Terminated(const Slot& s);
  void AfterTerminate(Slot& s);
  void StopPost(Slot& s, size_t index);
  // The run is over (`ran`: it had processes, so AfterStop applies).
  void EndRun(Slot& s, bool ran = true);
  // A supervised service's run ended for good: it is no longer wanted. "Wanted" is computed
  // anew (a pass over every service) only when something may have been wanted through it.
  void DropDemand(Slot& s);
  void StopConflicts(Slot& s);
  // An explicit "not wanted" (Stop(), a conflict, a binds_to end).
  void NotWanted(Slot& s) {
    Touch(s);
    wanted_dirty_ = true;
    if (s.manual)
      s.demand = false;
    else
      s.override = false;
  }
  void Adopt(Slot& s, pid_t pid);
  void ReadPidFile(Slot& s);
  void OnMainExit(Slot& s, int status);
  void OnCtlExit(Slot& s, int status);
  void OnDeadline(Slot& s);
  void ArmWatchdog(Slot& s);
  void FireWatchdog(Slot& s);
  void Advance(Slot& s);  // re-checks a stop-signal wait after any child exit
  void DropForgotten();
  void OnTimerFor(Slot& s, Clock::time_point now);
  // Slots whose timers are due at `now`, in list order.
  std::vector<Slot*> DueSlots(Clock::time_point now);
  bool BootTransitions();  // true if it re-armed the S entries (staying in S)
  void EnterLevel(char level, char prev);
  void StopUnwanted(std::chrono::milliseconds kill_wait, Slots removed);
  void ForgetRespawnFailures();
  void RearmTimer();
  bool AnythingRunningExceptBoot() const;
  bool Settled();
  void LogBatch();

  SupervisorHost* host_;
  Slots slots_;
  Slots removed_;  // dropped by a reload, still being stopped
  // Name -> the slots that have it or name it, so that a lookup costs the same with 10 or
  // 2,000 services. Rebuilt by Reindex() whenever slots_ or removed_ gains, loses or reorders
  // services, except that a supervised service is entered and taken out alone (AddSlot,
  // RemoveSlot); the Slot pointers in all indexes stay valid until then.
  std::unordered_map<std::string, Named> named_;
  std::vector<Slot*> touched_;        // changed in this drain (Touch), cleared at its end
  std::vector<Slot*> waiting_;        // left waiting for their dependencies by the last walk
  std::vector<Slot*> blocking_;       // spec.blocking, in list order (they cut the walk)
  bool walk_all_ = true;              // the last walk did not look at every service it should
  uint64_t walks_ = 0;                // walk numbers (Slot::walk_mark)
  bool wanted_dirty_ = true;          // "wanted" must be computed again (ComputeWanted)
  bool maybe_transition_ = false;     // some slot may have `transition` set
  std::vector<Slot*> stop_requests_;  // may have a queued stop
  std::unordered_map<pid_t, Slot*> by_pid_;    // main and control processes
  std::unordered_map<pid_t, Slot*> by_group_;  // process groups
  std::vector<Slot*> group_waits_;             // may be in kStopSignal
  // Deadlines: `fixed` ones (deadline, poll_at) are kept when frozen, `live` ones (restart,
  // watchdog, end of a respawn pause) are not.
  std::multimap<Clock::time_point, Slot*> fixed_timers_, live_timers_;
  Stats stats_;
  char default_level_;
  char boot_level_;
  char boot_target_ = 0;
  char level_ = '#';
  char prev_ = 'N';
  bool did_boot_ = false;
  bool frozen_ = false;
  bool settled_reported_ = false;
  bool no_more_logged_ = false;
  std::chrono::milliseconds level_kill_wait_{3000};
  std::optional<Clock::time_point> stop_cap_;
  bool in_process_ = false;
  bool again_ = false;
  int depth_ = 0;                             // public calls under way (Entry)
  std::deque<std::function<void()>> queued_;  // calls made from host callbacks
  std::vector<std::string> batch_;  // signalled together in this pass (logged in one line)
};

}  // namespace ctinit
