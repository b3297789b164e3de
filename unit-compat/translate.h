// Translation of one enabled unit (enable.h) into the shared service model (init/model/service.h).
// Everything the supervisor acts on lands in ServiceSpec; UnitOrdering carries the little that
// only the set-wide steps of unit_set.h need (Before= inversion, target ordering).
//
// Kind and readiness, from Type= (default: simple with ExecStart=, dbus with BusName=, else
// oneshot):
//   simple, exec, idle     kLongRun, readiness kSpawned / kExec / kIdle
//   notify, notify-reload  kLongRun, kNotify
//   forking                kLongRun, kForking, `pidfile` from PIDFile= (/var/run -> /run)
//   dbus                   kLongRun, kSpawned (a warning: no D-Bus name watching)
//   oneshot                kTask; kScripted with RemainAfterExit=yes. Several ExecStart= are
//                          allowed: all but the last are appended to `start_pre` (after
//                          ExecStartPre=), the last is `command` (runs in the same order and a
//                          failure without '-' ends the sequence). No ExecStart= (RemainAfterExit
//                          with only ExecStop=): `command` is `true` (PATH lookup).
//   A non-oneshot unit must have exactly one ExecStart= (else it is refused, as systemd does).
// Targets become kScripted grouping nodes that run nothing and only order
// (UnitOrdering::is_target, action_label "unit:target").
//
// Exec lines: ExecStartPre/ExecStartPost/ExecStop/ExecStopPost/ExecReload -> start_pre/start_post/
// stop/stop_post/reload. Prefixes: '-' ignore_failure, '+' '!' '!!' full_privileges (no
// User=/Group=), '@' Command::path is the executable and argv[0] the next word, ':' no variable
// expansion. Variables ($VAR split into words, ${VAR} kept whole, as values.h) are expanded here,
// at load time, against the unit's environment (below), except in commands that use a variable
// only known when the step runs (MAINPID, SERVICE_RESULT, EXIT_CODE, EXIT_STATUS, MONITOR_*,
// NOTIFY_SOCKET, LISTEN_*, INVOCATION_ID): those keep their argv unexpanded and get
// Command::argv_at_run, which runs ExpandExecArgv() with the step's environment ($MAINPID etc.).
// A line that does not parse makes systemd refuse the unit (the unit is left out, an error naming
// file:line), unless it has the '-' prefix (the line is dropped, a warning).
//
// Restart= (systemd default: no) -> restart. WatchdogSec= (0 / infinity: none) -> watchdog,
// WatchdogSignal= (default SIGABRT) -> watchdog_signal. RestartSec= (default 100 ms) ->
// restart_delay. SuccessExitStatus=, RestartPreventExitStatus= -> success_status /
// success_signals / restart_prevent_status (signals in RestartPreventExitStatus=: a warning).
// StartLimitIntervalSec= / StartLimitBurst= ([Unit], or the old [Service] names; defaults 10 s / 5)
// -> respawn_limit with give_up = true; an interval or burst of 0 disables it (max_starts = 0).
//
// Timeouts: TimeoutSec= sets both; TimeoutStartSec= / TimeoutStopSec= set one (the last
// assignment wins, in file order). Defaults 90 s, and no start timeout for oneshot. "infinity"
// and 0 map to 0 (start: unbounded; stop: the level's kill_wait; either way ctinit's shutdown
// budget caps it). KillSignal= -> stop_signal, SendSIGKILL= -> send_sigkill, SendSIGHUP= ->
// send_sighup, FinalKillSignal= -> final_kill_signal, KillMode= -> kill_mode, NotifyAccess= ->
// notify_access, GuessMainPID= -> guess_main_pid.
//
// Environment: spec.process.env = $RUNTIME_DIRECTORY & co (for the directories below), then
// Environment= (in order), then the contents of EnvironmentFile= files read now, under the root
// ('-' prefix: a missing file is fine; otherwise the unit fails to start in systemd: left out,
// an error). UnsetEnvironment=: "NAME" is removed from env and put in unset_env; "NAME=VALUE"
// removes that assignment only. PassEnvironment= needs nothing: ctinit passes its whole
// environment to every service (a note when a name is not set). Expansion sees, lowest first:
// ctinit's environment (TranslateContext::manager_env), USER/LOGNAME/HOME/SHELL of the unit's
// user, then spec.process.env.
//
// User=, Group=, SupplementaryGroups= -> credentials through passwd::Resolve (from the root's
// /etc/passwd and /etc/group); a name that does not resolve leaves the unit out (an error), as
// systemd fails it with status 217/USER. DynamicUser=yes: a warning; User= if it resolves, else
// nobody (65534). WorkingDirectory= ('-' kept; "~" is the user's home, /root without User=),
// UMask=, Nice=, Limit* -> rlimits. RootDirectory= -> root_directory (chroot; no mount set-up).
// StandardInput= null (default) | tty* -> console | file:PATH; StandardOutput= default journal;
// journal, syslog, kmsg (and +console) and tty -> console; inherit -> stdin's target when that is
// the console, else null (what systemd does as PID 1); file: -> kFile, append: -> kAppend,
// truncate: -> kTruncate; socket, fd -> a warning and the default. StandardError= default
// inherit = whatever stdout is.
// SyslogIdentifier= names the unit's log lines (default: the unit name without its type, e.g.
// "nginx", "getty@tty1"). A stream that goes to the journal (journal, syslog, kmsg and their
// +console, the default) is tagged: spec.log_tag = that name and tag_stdout/tag_stderr say which
// (inherit, tty, null, file:, append:, truncate: are not; StandardError=inherit follows stdout);
// the front end clears log_tag when the config says so (units.tag_output: false).
//
// RuntimeDirectory= StateDirectory= CacheDirectory= LogsDirectory= ConfigurationDirectory=
// (+ *DirectoryMode=, default 0755) -> spec.directories: created before the first step runs,
// under /run /var/lib /var/cache /var/log /etc, owned by the unit's user and group
// (ConfigurationDirectory: root), parents root-owned 0755. RuntimeDirectory is removed after stop
// unless RuntimeDirectoryPreserve=yes|restart.
//
// [Unit]: Description= -> description. After= -> after. Requires=/BindsTo= (and the .requires/
// directories) of a unit that is also After= -> needs / binds_to (systemd fails the dependent
// only when it is ordered after the failed unit); without After= both start in parallel, so they
// become wants + part_of (a stop or restart carries over). Wants= -> wants, Requisite= ->
// requisite, Conflicts= -> conflicts, PartOf= -> part_of, OnFailure= -> on_failure: the
// supervisor acts on all of them (init/model/service.h). Before= -> UnitOrdering::before
// (unit_set.h turns it into the other unit's `after`). Conditions and asserts (conditions.h) are
// evaluated here when a probe is given: a failed condition leaves the unit out with a note (it
// counts as done for its dependents), a failed assert leaves it out with an error (unit_set.h
// drops what needs it); with a runtime probe they become ServiceSpec::condition / ::assertion.
// ExecCondition= -> start_condition (exit 1-254 skips the start, supervisor.h). PermissionsStart
// Only=yes: every step but ExecStart= gets full_privileges. CapabilityBoundingSet= and
// AmbientCapabilities= (merged over their lines as systemd does: "" empties, "~" inverts) ->
// process.capability_bounding_set / ambient_capabilities; NoNewPrivileges= ->
// no_new_privileges; IgnoreSIGPIPE= (default yes) -> ignore_sigpipe; OOMScoreAdjust= ->
// oom_score_adjust. What a container cannot apply (PrivateTmp=, Protect*=, ReadWritePaths= &
// co, SystemCallFilter=, RestrictNamespaces=, cgroup limits such as MemoryMax=, LSM labels; a
// value that asks for nothing, "no", is not counted) is one warning for the whole unit:
// "NAME: not applied in a container: PrivateTmp, ProtectSystem, …". Type=forking without
// PIDFile= guesses the main pid (GuessMainPID=, default yes); only with GuessMainPID=no is it a
// warning.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "init/model/service.h"
#include "unit-compat/conditions.h"
#include "unit-compat/enable.h"
#include "unit-compat/values.h"

namespace ctinit::units {

// What the set-wide steps (unit_set.h) need besides the spec.
struct UnitOrdering {
  bool is_target = false;
  bool default_dependencies = true;  // DefaultDependencies=
  std::vector<std::string> before;   // Before=, canonical names
};

struct TranslatedUnit {
  ServiceSpec spec;
  UnitOrdering ordering;
};

struct TranslateContext {
  std::string root = "/";                 // EnvironmentFile=, /etc/passwd, /etc/group
  std::map<char, std::string> host;       // HostSpecifiers(root)
  EnvList manager_env;                    // ctinit's own environment
  const ConditionProbe* probe = nullptr;  // conditions are evaluated now (nullptr: not at all)
  // When set (PID 1), conditions and asserts become ServiceSpec::condition / ::assertion,
  // evaluated when each start begins; `probe` is then not used.
  std::shared_ptr<const ConditionProbe> runtime_probe;
  // Canonical names: alias -> id, for After=/Requires= names (unit_set.h fills it).
  std::map<std::string, std::string> canonical;
};

enum class TranslateOutcome { kOk, kConditionFailed, kAssertFailed, kRefused };

// A .socket unit -> SocketSpec (service.h), for the common case: ListenStream=,
// ListenDatagram=, ListenSequentialPacket= (a UNIX path, "PORT", "ADDR:PORT", "[ADDR6]:PORT"),
// Service= (default: the socket's name with .service), SocketUser=/SocketGroup= (from the
// root's /etc/passwd and /etc/group), SocketMode= (default 0666), FileDescriptorName=,
// Backlog=, "@name" (abstract). Accept=yes (with MaxConnections=, MaxConnectionsPerSource=):
// the template NAME@.service, translated with the instance "connection", is the socket's
// per_connection spec (StandardInput=socket & co as the connection flags), and its
// `instantiate` translates the template again for each connection's instance id; a template that
// cannot be loaded or translated, Service= or a datagram address refuse the socket. Netlink
// addresses are refused per line; other [Socket] directives are ignored with a warning.
// nullopt (with an error) when nothing can be listened on.
std::optional<SocketSpec> TranslateSocket(const EnabledUnit& unit, const TranslateContext& ctx,
                                          std::vector<Diagnostic>* diags) noexcept;

// Never throws. Appends diagnostics (file:line) to *diags. *outcome says why nullopt.
std::optional<TranslatedUnit> TranslateUnit(const EnabledUnit& unit, const TranslateContext& ctx,
                                            std::vector<Diagnostic>* diags,
                                            TranslateOutcome* outcome = nullptr) noexcept;

}  // namespace ctinit::units
