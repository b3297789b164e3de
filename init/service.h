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
//   kLongRun   a daemon: restarted whenever it exits (rate limited, see RespawnLimit).
//   kTask      runs to completion once per entry into its stage/level/event.
//
// A ServiceSpec with no `argv` is invalid; front ends report bad input as Diagnostics and leave
// the offending entry out.
#pragma once

#include <chrono>
#include <optional>
#include <string>
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
};

enum class Kind {
  kLongRun,
  kTask,
};

// sysvinit's respawn limiter: more than `max_starts` starts within `interval` disables the
// service for `disable_for` ("respawning too fast"). Cleared by a runlevel change or reload.
struct RespawnLimit {
  int max_starts = 10;
  std::chrono::seconds interval{120};
  std::chrono::seconds disable_for{300};
};

// How the command is run: the launcher execs `argv` as given (argv[0] looked up in PATH); the
// front end decides whether that is a shell. `text` is kept for logs and for the ENOEXEC retry.
struct Command {
  std::string text;               // the command as written in the source file
  std::vector<std::string> argv;  // what is exec'd (argv[0] looked up in PATH)

  // sysvinit's rule (init.c spawn()): a process field containing any of
  // ~`!$^&*()=|\{}[];"'<>? (and not starting with '@') runs as /bin/sh -c "exec <text>"; else
  // it is split on blanks into at most 14 words, a word starting with '#' ends it, and exec'd
  // directly (on ENOEXEC the launcher retries with /bin/sh -c "exec <text>").
  // `text` must already have the '+'/'@' prefixes stripped; `no_shell` is the '@' prefix.
  static Command FromSysvLine(const std::string& text, bool no_shell);
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
  std::vector<std::string> after;  // names that must have started (or finished, for tasks) first
  // Identity of the definition: when a reload yields a spec with the same name but a different
  // `kind`/`trigger`, the running process is killed (sysvinit: "changed action").
  std::string action_label;  // e.g. "respawn", "wait" (for logs and reload comparison)
};

// A problem found in an input file. The entry it names has been skipped.
struct Diagnostic {
  std::string file;
  int line = 0;  // 0 when the whole file is concerned
  std::string message;
  std::string ToString() const;  // "/etc/inittab:12: duplicate ID field \"x\""
};

struct ServiceSet {
  std::vector<ServiceSpec> services;
  // The level entered after boot (inittab's initdefault), if the source names one.
  std::optional<char> default_level;
  std::vector<Diagnostic> diagnostics;
};

}  // namespace ctinit
