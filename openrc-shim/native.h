// OpenRC native mode: ctinit reads the OpenRC runlevels itself (no inittab, no /sbin/openrc)
// and translates them into the shared service model.
//
// Runlevels
// ---------
// `<root>/etc/runlevels/<name>/` holds one entry per service (normally a symlink to
// /etc/init.d/<svc>; only the entry's name counts). An entry that is a directory (or a symlink
// to one) is a *stacked* runlevel: its services belong to the level too, recursively (a stack
// loop is cut with a diagnostic). Scripts come from <root>/etc/init.d and
// <root>/usr/local/etc/init.d (the first wins for a name, as rc_scriptdirs orders them).
//
// Numeric levels -> OpenRC runlevels (defaults; every entry configurable, Config::openrc_levels):
//   S, 1 -> single      2 -> nonetwork     3, 4, 5 -> default     0 -> shutdown   6 -> reboot
//   7, 8, 9 -> default
// "reboot" uses the `shutdown` runlevel's services (OpenRC maps reboot to shutdown with
// RC_REBOOT=YES): softlevel and RC_RUNLEVEL say "shutdown", RunlevelEnv() adds RC_REBOOT=YES and
// RC_GOINGDOWN=YES (also for shutdown and single), as `openrc reboot` does. The default level is
// the first numeric level (3 first, then 2-9) mapped to rc_default_runlevel from rc.conf (else
// "default").
//
// Translation (every OpenRC service is Kind::kScripted; ordering comes from graph.h)
//   sysinit runlevel  -> Trigger::kSysInit; kept in every level except those mapped to
//                        shutdown/reboot (OpenRC keeps sysinit services unless going down).
//   boot runlevel     -> Trigger::kBoot; kept in every level except single/shutdown/reboot.
//   other runlevels   -> Trigger::kRunlevel with `levels` = the numeric levels whose
//                        runlevel (with its stack, plus need/want pull-ins) starts it.
//   With the image's own OpenRC, the list starts with kDeptreeTask (`rc-update -u`, a blocking
//   sysinit task bounded by 30 s), as `openrc sysinit` caches the deptree before it starts
//   anything.
//   start  = <openrc-run> <script> start, stop = <openrc-run> <script> stop, where
//            <openrc-run> is the image's own (/sbin/openrc-run, /usr/sbin/openrc-run,
//            /usr/bin/openrc-run) unless that is ctinit itself, else ctinit's shim applet
//            (exec of `self_exe` with argv[0] "openrc-run").
//   LSB scripts (not openrc-run, with an LSB header: Debian's OpenRC runs them) are in the tree
//            with lsb_header.h's dependencies, all of init.d as Debian's gendepends.sh reads it,
//            so a `need` can pull one in; start/stop = `<script> start|stop` through the
//            lsb-run applet (exec of `self_exe` with argv[0] "lsb-run", applets/lsb_run.h),
//            which records OpenRC's state for it.
//   after  = graph.h start_after (need/want/use/after/before/provide resolved, masks applied,
//            cycles broken), merged over every level's graph.
//   needs  = the direct `need` names that are real services (a virtual name is satisfied by
//            any of its providers, so it does not propagate failure).
//   keyword -stop / nostop -> stop_on_level_change = false; -shutdown -> stop_on_shutdown = false.
//   stop_timeout = kStopTimeout (60 s) for every stop script; starts are not bounded (OpenRC
//            bounds neither).
// Services masked for rc_sys (keyword -docker, …) are left out, one diagnostic each ("masked"),
// and listed in ServiceSet::inactive ("masked: keyword -docker"). Scripts in a runlevel that are
// neither OpenRC nor LSB scripts (Debian's OpenRC does not run them either), runlevel entries
// without a script and scripts whose depend() cannot be read (depend.h failure rules) are left out
// with a diagnostic and listed as "skipped: …"; with strict_need the services graph.h calls broken
// are listed as "broken: …".
//
// State (/run/openrc): PrepareState() empties <root>/run/openrc and creates OpenRC's state
// directories, as init.sh does at boot; SetSoftlevel() writes `softlevel` and creates or removes
// `rc.starting`/`rc.stopping` (the markers by which openrc-run knows a runlevel change is under
// way and leaves the ordering to its caller).
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "init/model/service.h"
#include "openrc-shim/runner.h"

namespace ctinit::openrc {

struct NativeOptions {
  std::string root = "/";
  std::string rc_sys;                  // as DetectRcSys found it
  std::map<char, std::string> levels;  // overrides of the default map above
  std::string self_exe;                // ctinit's own binary, for the shim applet
  bool strict_need = false;
  // ctinit's own environment ("K=V"), which its children inherit: filtered as OpenRC does.
  std::vector<std::string> environ;
};

// The default numeric level map with `overrides` applied.
std::map<char, std::string> LevelMap(const std::map<char, std::string>& overrides);

// Services of runlevel `name` under <root>/etc/runlevels, stacks included, sorted.
std::vector<std::string> RunlevelServices(const std::string& root, const std::string& name,
                                          std::vector<Diagnostic>* diags);

// The image's own openrc-run, or "" when it has none (or only a link to ctinit).
std::string FindOpenrcRun(const std::string& root, const std::string& self_exe);
// The image's own /sbin|/usr/sbin|/usr/bin|/bin/<name>, "" when absent or ctinit itself.
std::string FindImageTool(const std::string& root, const std::string& name,
                          const std::string& self_exe);

// The blocking sysinit task that refreshes the image's OpenRC dependency cache (`rc-update -u`)
// before any script runs; only when the image has its own openrc-run and rc-update.
inline constexpr const char* kDeptreeTask = "openrc:deptree";

// True when native mode applies to this image for `mode` ("auto", "native", "inittab").
bool UseNative(const std::string& root, const std::string& mode, const std::string& inittab);

ServiceSet LoadNative(const NativeOptions& options, ScriptRunner& runner) noexcept;

// Every stop script's own bound (ServiceSpec::stop_timeout): OpenRC bounds none, and the level's
// kill_wait is 0 when openrc-shutdown asked for the level. The shutdown budget caps it anyway.
inline constexpr std::chrono::milliseconds kStopTimeout{60000};

// What <svcdir>/softlevel says while `runlevel` runs: "reboot" runs as "shutdown".
std::string SoftlevelName(const std::string& runlevel);
// shutdown, reboot and single: OpenRC's rc sets RC_GOINGDOWN=YES for them.
bool GoingDown(const std::string& runlevel);
// The level part of the environment `openrc <runlevel>` gives the scripts it runs (OpenRC 0.63
// src/openrc/rc.c; checked against Debian's openrc 0.45): RC_RUNLEVEL (SoftlevelName),
// RC_GOINGDOWN=YES going down, RC_REBOOT=YES for reboot. openrc-run keeps the caller's environment
// as it is when RC_RUNLEVEL is set (it only filters and configures it itself when run by hand), so
// the rest comes with each service: OpenrcScriptEnv().
std::vector<std::string> RunlevelEnv(const std::string& runlevel);

inline constexpr const char* kScriptPathPrefix = "/lib/rc/bin:/bin:/sbin:/usr/bin:/usr/sbin";
// The PATH given to scripts: kScriptPathPrefix, then the rest of `path` without repeats or
// empty entries.
std::string ScriptPath(const std::string& path) noexcept;

// What `openrc` does to its own environment before it runs scripts (OpenRC 0.63 src/shared/misc.c
// env_filter(), env_config()), as ServiceSpec::unset_env / env for every OpenRC service:
//   unset  every variable of `environ` (and what PID 1 adds for sysvinit: SHELL, RUNLEVEL,
//          PREVLEVEL, CONSOLE, INIT_VERSION) that is not on OpenRC's allow-list (EERROR_QUIET
//          EINFO_QUIET IN_BACKGROUND IN_DRYRUN IN_HOTPLUG RC_DEBUG RC_NODEPS LANG LC_MESSAGES
//          TERM EINFO_COLOR EINFO_VERBOSE) or in rc.conf's rc_env_allow (a plain
//          `rc_env_allow="A B"` line; "*" keeps everything);
//   set    the plain assignments of /etc/profile.env that are not kept, PATH =
//          kScriptPathPrefix + the rest of the kept/profile PATH, RC_VERSION (/lib/rc/version),
//          RC_LIBEXECDIR=/lib/rc, RC_SVCDIR=/run/openrc, RC_TMPDIR, RC_BOOTLEVEL=boot,
//          RC_DEFAULTLEVEL=default, RC_SYS (when detected), RC_UNAME.
// Not done: rc.conf's rc_quiet/rc_verbose/rc_color (rc.conf is shell; only plain lines are read).
struct ScriptEnvironment {
  std::vector<std::string> set, unset;
};
ScriptEnvironment OpenrcScriptEnv(const std::string& root, const std::string& rc_sys,
                                  const std::vector<std::string>& environ);

void PrepareState(const std::string& root) noexcept;
// `name` is the OpenRC runlevel being entered; `transition` whether a change is under way.
void SetSoftlevel(const std::string& root, const std::string& name, bool transition) noexcept;

}  // namespace ctinit::openrc
