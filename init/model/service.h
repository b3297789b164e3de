// The service model shared by every front end (inittab, OpenRC, systemd units).
//
// A front end *translates* its files into a ServiceSet; the supervisor (supervisor.h) runs a
// ServiceSet and knows nothing about file formats.
//
// Model
// -----
// A ServiceSet is an ordered list of ServiceSpec. Order matters: the supervisor walks the list
// from the front and starts what is wanted in the current stage, and it stops walking at the first
// service that is `blocking` and still running (sysvinit's rule: "starting stops at the first
// entry still being waited for"). Front ends that have dependency graphs (OpenRC, units) express
// ordering with `after` instead and leave `blocking` false.
//
// When a service is wanted is given by its Trigger plus its `levels`:
//   kSysInit   runs first, before any runlevel (sysvinit's fake level '#').
//   kBoot      runs after sysinit when the first real multi-user level is entered (level '*').
//   kRunlevel  runs in every level of `levels` ("0123456789S"), and in demand levels a/b/c
//              (lower case in `levels`) after `telinit a|b|c`.
//   kPowerFail, kPowerWait, kPowerOkWait, kPowerFailNow, kCtrlAltDel, kKbRequest
//              run only when that event happens and the current level is in `levels`.
//
// What "running" means is given by Kind:
//   kLongRun   a daemon: `command` is the main process; restarted when it exits as `restart`
//              says (sysvinit respawn: always), rate limited by RespawnLimit.
//   kTask      runs to completion once per entry into its stage/level/event.
//   kScripted  a service with a start and a stop script (OpenRC, systemd oneshot with
//              RemainAfterExit): `command` runs to completion; exit 0 makes the service
//              *started* (no process is supervised); any other end makes it *failed*. It is
//              stopped by running `stop` (nothing to run = just marked stopped).
//
// Dependencies (graph front ends; the supervisor's rules are in supervisor.h):
//   after      ordering only: start after those, stop before them (when both are wanted).
//   needs      pull-in + ordering + failure: wanting this service wants those too; this one
//              starts after them and fails without running when one of them failed; stopping
//              one of them on request stops this one first (OpenRC need, systemd Requires= with
//              After=).
//   wants      pull-in only (OpenRC want, systemd Wants=/Requires= without After=).
//   binds_to   as needs, and this one is stopped when one of them goes down for any reason.
//   part_of    a stop or restart of one of them is applied to this one too.
//   requisite  must already be up when this one starts, else this one fails (not pulled in).
//   conflicts  starting this one stops those (and the other way round).
//   on_failure started when this one fails.
// Names that are not defined are ignored. Only services that are wanted at the same time are
// ordered.
//
// A ServiceSpec with no `argv` is invalid, except a kScripted one: that is a grouping node (a
// systemd target) that is up as soon as its dependencies allow. Front ends report bad input as
// Diagnostics and leave the offending entry out.
#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ctinit {

enum class Trigger {
  kSysInit,
  kBoot,
  kRunlevel,
  kPowerFail,
  kPowerWait,
  kPowerOkWait,
  kPowerFailNow,
  kCtrlAltDel,
  kKbRequest,
  kManual,  // wanted only on request: Supervisor::Start(), socket activation, supervise-daemon
};

enum class Kind {
  kLongRun,
  kTask,
  kScripted,
};

// kLongRun: when the main process ends, is it started again? (systemd's Restart=; sysvinit's
// respawn is kAlways.) A "clean" end is exit 0 (or a `success_status`), or SIGHUP/SIGINT/
// SIGTERM/SIGPIPE; the service being stopped on purpose never restarts.
enum class Restart {
  kAlways,
  kNo,
  kOnSuccess,   // clean end only
  kOnFailure,   // unclean exit code, any signal but the clean four, timeout
  kOnAbnormal,  // signal (not the clean four) or timeout
  kOnAbort,     // signal (not the clean four)
  kOnWatchdog,  // the watchdog fired, nothing else
};

// How a service's processes are signalled when it is stopped.
enum class KillMode {
  kGroup,         // stop_signal to the main process's group; its leader's end ends the wait
                  // (sysvinit, OpenRC)
  kControlGroup,  // the group, and wait until the whole group is gone (systemd's default;
                  // ctinit's "control group" is the process group the service was started in)
  kProcess,       // the main process only
  kMixed,         // stop_signal to the main process, the final SIGKILL to the whole group
  kNone,          // no signals: stopped once its stop steps have run
};

// kLongRun: when is it up (dependents may start)?
enum class Readiness {
  kSpawned,  // as soon as the process exists (systemd Type=simple; sysvinit)
  kExec,     // once exec succeeded (Type=exec); ctinit's spawn is synchronous so = kSpawned
  kNotify,   // when it sends READY=1 on $NOTIFY_SOCKET (Type=notify)
  kForking,  // `command` exits 0 having forked the daemon; main pid from `pidfile` (Type=forking)
  kIdle,     // Type=idle: like kSpawned
};

// sysvinit's respawn limiter: more than `max_starts` starts within `interval` disables the
// service for `disable_for` ("respawning too fast"). Cleared by a runlevel change or reload.
// `max_starts` = 0: no limit. `give_up`: when the limit is hit the service stays failed until
// it is started again explicitly or the level changes (OpenRC supervise-daemon respawn_max,
// systemd StartLimitBurst) instead of sysvinit's disable-then-retry.
struct RespawnLimit {
  int max_starts = 10;
  std::chrono::seconds interval{120};
  std::chrono::seconds disable_for{300};
  bool give_up = false;
};

// How the command is run: the launcher execs `argv` as given (argv[0] looked up in PATH); the
// front end decides whether that is a shell. `text` is kept for logs and for the ENOEXEC retry.
struct Command {
  std::string text;               // the command as written in the source file
  std::vector<std::string> argv;  // what is exec'd (argv[0] looked up in PATH)

  // When non-empty, the file exec'd instead of looking up argv[0] (argv[0] is then only the
  // name the program sees, e.g. "openrc-run" for ctinit's own applet).
  std::string path;
  // systemd Exec prefixes: '-' a failure is not a failure; '+'/'!' full privileges (no
  // User=/Group=). ctinit does not sandbox, so '+' and '!' only drop the credentials.
  bool ignore_failure = false;
  bool full_privileges = false;
  // When set, the argv actually exec'd is computed when the step runs, from its environment
  // (systemd's $MAINPID in ExecStop=): the front end keeps its own expansion rules.
  std::function<std::vector<std::string>(const std::vector<std::string>& env)> argv_at_run;
};

// Who a service runs as, resolved by the front end from the image's /etc/passwd and /etc/group
// (a static binary has no NSS).
struct Credentials {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary groups (setgroups)
  std::string user_name;      // for USER/LOGNAME and logs
  std::string home;           // HOME
  std::string shell;          // SHELL
};

// Where a service's fd 0/1/2 go. kFile writes from the start without truncating (systemd
// file:), kTruncate truncates first, kAppend appends.
struct StdioTarget {
  enum class Kind { kInherit, kNull, kFile, kTruncate, kAppend, kConsole } kind = Kind::kInherit;
  std::string path;  // kFile, kTruncate, kAppend
};

// The context every process of a service is started in; defaults mean "as ctinit itself"
// (sysvinit behaviour). The spawner (init/runtime/sys.h) takes it as it is, so a front end
// directive that sets a process attribute adds a field here, sets it in the front end, and
// applies it in the spawner's child.
struct ProcessContext {
  // K=V added to (and overriding) ctinit's environment, and names removed from it. The runtime
  // applies both when it composes the environment it hands the spawner.
  std::vector<std::string> env;
  std::vector<std::string> unset_env;
  // false: the processes get `env` (and what the runtime must add, e.g. $NOTIFY_SOCKET) only,
  // not ctinit's environment nor the level's (OpenRC's supervise-daemon passes its own).
  bool inherit_environment = true;
  std::optional<Credentials> credentials;
  std::string root_directory;     // "" = none; else chroot there first (systemd RootDirectory=)
  std::string working_directory;  // "" = "/"; a leading '-' = ignore if missing
  std::optional<mode_t> umask;
  std::optional<int> nice;
  // /proc/self/oom_score_adj, -1000..1000 (systemd's OOMScoreAdjust=). A container that may not
  // lower it (no CAP_SYS_RESOURCE) keeps the inherited value: the service still starts.
  std::optional<int> oom_score_adjust;
  // Capabilities (capabilities(7); bit N of a mask is capability N). `capability_bounding_set`:
  // all the processes may ever have (systemd's CapabilityBoundingSet=), nullopt = ctinit's own.
  // `ambient_capabilities`: raised into the ambient set, so that a service run as a user keeps
  // them across setuid and exec (AmbientCapabilities=, e.g. CAP_NET_BIND_SERVICE for port 53).
  // One the container itself lacks is left out (the runtime says so once). Steps with
  // full_privileges get neither, nor no_new_privileges.
  std::optional<uint64_t> capability_bounding_set;
  uint64_t ambient_capabilities = 0;
  bool no_new_privileges = false;  // PR_SET_NO_NEW_PRIVS (NoNewPrivileges=)
  bool ignore_sigpipe = false;     // SIGPIPE ignored (IgnoreSIGPIPE=, systemd's default)
  struct Limit {
    int resource;  // RLIMIT_*
    rlim_t soft, hard;
  };
  std::vector<Limit> rlimits;
  StdioTarget stdin_target, stdout_target, stderr_target;
};

struct ServiceSpec {
  std::string name;    // unique id (inittab id, OpenRC service name, unit name)
  std::string origin;  // where it came from, for logs: "/etc/inittab:12"
  Trigger trigger = Trigger::kRunlevel;
  Kind kind = Kind::kTask;
  bool blocking = false;  // later services in the list wait until this one has finished
  std::string levels;     // runlevels it belongs to: subset of "0123456789Sabc"
  Command command;
  bool utmp = true;  // write INIT_PROCESS/DEAD_PROCESS utmp records ('+' prefix clears it)
  RespawnLimit respawn_limit;
  // Dependencies (see above).
  std::vector<std::string> after, needs, wants, binds_to, part_of, requisite, conflicts, on_failure;

  // How it is stopped. kScripted: `stop` runs (in order; the first failing step without
  // ignore_failure ends it). kLongRun: `stop` runs first with $MAINPID set, then what is left
  // of the process group gets `stop_signal`, then SIGKILL after `stop_timeout`.
  std::vector<Command> stop;
  // Run first when a start begins (systemd's ExecCondition=): exit 1-254 skips the start
  // without failing it, 255 or a signal fails it (supervisor.h, kCondition).
  std::vector<Command> start_condition;
  std::vector<Command> start_pre;   // kLongRun/kScripted: run in order before `command`
  std::vector<Command> start_post;  // after `command` is up (kLongRun) / succeeded
  std::vector<Command> stop_post;   // after the service has stopped, whatever the reason
  std::vector<Command> reload;      // `reload` requests; $MAINPID set
  int stop_signal = 15;             // SIGTERM
  int final_kill_signal = 9;        // SIGKILL, sent when stop_timeout has passed
  bool send_sighup = false;         // SIGHUP right after stop_signal (SendSIGHUP=)
  bool send_sigkill = true;         // final_kill_signal after stop_timeout (SendSIGKILL=)
  KillMode kill_mode = KillMode::kGroup;
  // Each step's bound. Zero: the level's kill_wait for stopping, unbounded for starting. The
  // shutdown budget caps all of them anyway.
  std::chrono::milliseconds start_timeout{0};
  std::chrono::milliseconds stop_timeout{0};

  Restart restart = Restart::kAlways;  // kLongRun only
  std::chrono::milliseconds restart_delay{0};
  std::vector<int> success_status;          // exit codes besides 0 that count as clean
  std::vector<int> success_signals;         // signals that count as clean too
  std::vector<int> restart_prevent_status;  // exit codes that never restart
  Readiness readiness = Readiness::kSpawned;
  std::string pidfile;         // kForking: read after `command` exits 0
  bool guess_main_pid = true;  // kForking without pidfile: guess the daemon (GuessMainPID=)
  enum class NotifyAccess { kNone, kMain, kExec, kAll } notify_access = NotifyAccess::kMain;
  // The watchdog (systemd's WatchdogSec=): once its start is complete, a long-run must send
  // WATCHDOG=1 on $NOTIFY_SOCKET at least every `watchdog` ($WATCHDOG_USEC, $WATCHDOG_PID tell
  // it so); if it does not, watchdog_signal goes to its main process and the run ends as a
  // "watchdog" failure (its stop_post steps run, then `restart` decides). Zero: no watchdog.
  std::chrono::milliseconds watchdog{0};
  int watchdog_signal = 6;  // SIGABRT
  // Whether the service is given $NOTIFY_SOCKET and may send notifications.
  bool Notifies() const {
    return readiness == Readiness::kNotify ||
           (watchdog.count() > 0 && notify_access != NotifyAccess::kNone);
  }

  // Checked when a start begins; false skips the start without failing it (systemd's
  // Condition*=): the service counts as done for its dependents. `why` names the failed check.
  std::function<bool(std::string* why)> condition;
  // Checked right after `condition`; false fails the start (systemd's Assert*=), `why` says
  // which.
  std::function<bool(std::string* why)> assertion;

  // Stop behaviour on level changes (OpenRC keywords -stop, -shutdown).
  bool stop_on_level_change = true;
  bool stop_on_shutdown = true;

  // How its processes are started (every step: command, start_pre, stop, ...).
  ProcessContext process;
  // syslog's ident (systemd's SyslogIdentifier=). When non-empty, what the service's processes
  // (the command and every step) write to the console (kInherit/kConsole) on stdout if
  // tag_stdout, on stderr if tag_stderr, goes through a pipe ctinit reads and reaches ctinit's
  // stdout line by line as "TAG[PID]: line", PID the process spawned for that step (what
  // journald shows). Streams to a file or /dev/null are untouched.
  std::string log_tag;
  bool tag_stdout = true, tag_stderr = true;
  // Made (parents root-owned 0755) before a start begins, owned as given; removed after the
  // service has stopped when remove_after_stop (systemd's RuntimeDirectory= and friends).
  // `path` is `base` + "/" + a normalised relative path; `base` (/run, /var/lib, ...) itself is
  // never chowned or removed (init/runtime/service_dirs.h).
  struct Directory {
    std::string base;
    std::string path;
    mode_t mode = 0755;
    uid_t uid = 0;
    gid_t gid = 0;
    bool remove_after_stop = false;
  };
  std::vector<Directory> directories;
  // Identity of the definition: when a reload yields a spec with the same name but a different
  // `kind`/`trigger`, the running process is killed (sysvinit: "changed action").
  std::string action_label;  // e.g. "respawn", "wait" (for logs and reload comparison)
  // Log every state change ("nginx: started in 0.120 s"). The inittab front end turns it off:
  // sysvinit says nothing about its entries.
  bool report_states = true;
  std::string description;  // for status output
};

// A problem found in an input file. The entry it names has been skipped.
struct Diagnostic {
  std::string file;
  int line = 0;  // 0 when the whole file is concerned
  std::string message;
  std::string ToString() const;  // "/etc/inittab:12: duplicate ID field \"x\""
};

// Listening sockets held by ctinit for a service (socket activation, systemd's .socket with
// Accept=no): opened at boot, and on the first connection or datagram the service is started
// with them as fds 3, 4, ... ($LISTEN_FDS, $LISTEN_PID, $LISTEN_FDNAMES). While the service
// runs ctinit does not watch them; when it stops they are watched again.
//
// With `accept` (systemd's Accept=yes) the socket never goes to a service: ctinit accepts each
// connection itself and runs a fresh, transient instance of `per_connection` for it, with the
// connection as fd 3 ($LISTEN_FDS=1, $LISTEN_FDNAMES=connection) and, as the flags say, as its
// stdin/stdout/stderr. An instance is named by putting the connection's id after the '@' of
// `per_connection.name` ("echo@.service" -> "echo@0-127.0.0.1:7-127.0.0.1:40000.service", as
// systemd); `instantiate`, when set, makes the instance's whole spec for that instance id (a
// template applied anew, so that its %i is the id). An instance is a service of its own until
// it ends (not restarted), stopped on request or at shutdown; closing its socket does not stop
// it. At most `max_connections` instances of a socket run at a time, and at most
// `max_connections_per_source` for one peer IP address (0: no such limit); a connection over a
// limit is closed at once.
struct SocketSpec {
  std::string name;     // "foo.socket"
  std::string origin;   // for logs
  std::string service;  // the ServiceSpec started on activity
  struct Listen {
    enum class Kind { kStream, kDatagram, kSeqPacket } kind = Kind::kStream;
    // "/run/foo.sock" (a UNIX socket path), "@name" (an abstract UNIX address: no file, so
    // `uid`, `gid` and `mode` do not apply), "80" (every address), "127.0.0.1:80", "[::1]:80"
    std::string address;
  };
  std::vector<Listen> listens;
  std::string fd_name;       // $LISTEN_FDNAMES entry for each fd (default: the socket's name)
  std::optional<uid_t> uid;  // owner of UNIX socket files
  std::optional<gid_t> gid;
  mode_t mode = 0666;  // of UNIX socket files
  int backlog = 4096;
  bool accept = false;
  std::optional<ServiceSpec> per_connection;  // set when `accept`
  // Accept=yes: the spec of instance `id` ("0-127.0.0.1:7-127.0.0.1:40000"), its name included;
  // nullopt with *err when it cannot be made. Unset: per_connection, renamed.
  std::function<std::optional<ServiceSpec>(const std::string& id, std::string* err)> instantiate;
  int max_connections = 64;
  int max_connections_per_source = 0;
  bool connection_on_stdin = false, connection_on_stdout = false, connection_on_stderr = false;
};

struct ServiceSet {
  std::vector<ServiceSpec> services;
  std::vector<SocketSpec> sockets;
  // The level entered after boot (inittab's initdefault), if the source names one.
  std::optional<char> default_level;
  std::vector<Diagnostic> diagnostics;
  // Services the front end knows of but does not run here (masked for this system, on a skip
  // list), with the reason: status output lists them (e.g. "masked: keyword -docker").
  std::vector<std::pair<std::string, std::string>> inactive;
};

}  // namespace ctinit
