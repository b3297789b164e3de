// ctinit's own settings: which signal means what, the shutdown time budget, how a reboot ends,
// and where the inittab and the control FIFO live. Read once at start and again on reload.
//
// File
// ----
// (Every key can also be set by an environment variable, CTINIT_ + the key path in upper case
// with '.' as '_': CTINIT_SHUTDOWN_BUDGET=25s. Rules in config_env.h.)
//
// A YAML mapping (default path chosen by the caller, e.g. /etc/ctinit.yaml). A missing file
// means "all defaults" and is not an error; so is an empty file. Example with every key at its
// default (see contrib/ctinit.yaml):
//
//   log_level: normal        # quiet | normal | verbose | debug
//   fifo: /run/initctl       # sysvinit control FIFO (absolute path)
//   default_runlevel: 3      # 1-5, 7-9 or S; overrides inittab's initdefault. Default: unset
//   shutdown:
//     budget: 8s             # the whole stop sequence; keep it under the runtime's stop
//                            # timeout. Default: by runtime (container_runtime.h): Docker,
//                            # podman 8 s (they kill at 10 s), incus/LXC 50 s
//     final_grace: 2s        # final sweep kill(-1, SIGTERM) → wait → SIGKILL, part of budget.
//                            # If not given: min(2s, budget)
//     kill_wait: 3s          # TERM→KILL wait on a runlevel change when the request gives
//                            # none (sysvinit's WAIT_BETWEEN_SIGNALS)
//   reboot: auto             # auto | restart | exit | syscall (see RebootMode)
//   reboot_exit_code: 129    # 0-255, exit status for `reboot: exit`
//   signals:                 # merged over the default map below, per signal
//     SIGTERM: halt
//     SIGUSR2: runlevel 1
//     RTMIN+3: poweroff
// The front ends' keys (read by them, see init/model/front_end.h):
//   inittab: /etc/inittab    # absolute path (inittab/front_end.h)
//   inittab_d: /etc/inittab.d  # directory of extra inittab fragments (absolute path)
//   openrc:                  # OpenRC front end (docs/openrc.md, openrc-shim/front_end.h)
//     mode: auto             # auto | native | inittab
//     levels: {3: default}   # numeric level -> OpenRC runlevel, merged over the default map
//     strict_need: false     # a missing `need` target leaves its dependents out
//   units:                   # systemd units front end (docs/units.md, unit-compat/front_end.h)
//     mode: auto             # auto | off
//     skip: [...]            # replaces the default skip list (glob patterns)
//     skip_also: [...]       # added to the skip list
//     strict: false          # any warning about a unit is an error (the unit is left out)
//     init_scripts_win: true # NAME.service is left to /etc/init.d/NAME when rc/OpenRC runs it
//     tag_output: true       # a unit's journal output reaches the log as "IDENT[PID]: line"
//
// Durations: a non-negative decimal number with an optional unit: ms, s (the default unit), m or
// min, h. "8s", "500ms", "1.5s", "2", "1min". Rounded to milliseconds; at most 24h.
//
// Signals (keys of `signals`): "SIGTERM", "TERM", "term", "SIGRTMIN+3", "RTMIN+3", "SIGRTMIN",
// "SIGRTMAX-2" or a raw number 1..SIGRTMAX ("37"). Refused: SIGKILL and SIGSTOP (cannot be
// caught), SIGCHLD (the reaper's), glibc's internal 32/33, and in the file also the fault signals
// SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS (left at default so a crash is a
// crash).
// Actions (values): halt | poweroff | reboot | ctrlaltdel | reload | kbrequest | reopen-fifo |
// close-fifo | powerfail | runlevel <0-9|S|a|b|c> | default | ignore | exit.
//
// Default signal map (DefaultConfig):
//   SIGTERM → halt          docker/podman stop
//   SIGPWR → halt           lxc-stop, incus stop and incus restart (lxc.signal.halt; incus
//                           starts the container again itself after a restart)
//   SIGRTMIN+3 → halt       podman systemd mode, STOPSIGNAL 37, LXC when RTMIN+3 is blocked
//   SIGRTMIN+4 → poweroff   machinectl stop (sysvinit ≥ 2024)
//   SIGRTMIN+5 → reboot     systemd convention
//   SIGINT → ctrlaltdel     lxc-stop -r (lxc.signal.reboot)
//   SIGHUP → reload   SIGWINCH → kbrequest   SIGUSR1 → reopen-fifo   SIGUSR2 → close-fifo
//   ignore: SIGQUIT SIGPIPE SIGALRM SIGSTKFLT SIGTSTP SIGTTIN SIGTTOU SIGXCPU SIGXFSZ SIGVTALRM
//           SIGPROF SIGIO and every other SIGRTMIN+n — each would stop or kill ctinit when it is
//           not PID 1 (e.g. under `docker run --init`). Whoever installs SIG_IGN must reset
//           these to SIG_DFL in children before exec.
//
// Errors
// ------
// LoadConfig never throws. Problems go to *errors as "<path>:<line>:<column>: <message>" (or
// "<path>: <message>" where there is no position). A YAML syntax error or a top level that is
// not a mapping gives all defaults; any other bad key or value keeps that key's default (a bad
// `signals` entry keeps that signal's default) and everything valid still applies. Unknown and
// duplicate keys are errors. An explicit final_grace larger than budget is an error and falls
// back to min(2s, budget); without a budget it is checked against the smallest runtime default
// (8 s), so one file works under every runtime.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "init/base/log.h"
#include "init/model/front_end.h"
#include "init/runtime/signal_actions.h"

namespace ctinit {

// "halt", "poweroff", ..., "runlevel" (without the level), "ignore", "exit".
std::string_view SignalActionName(SignalAction action);
// The file form of a rule: "halt", "runlevel 1".
std::string SignalRuleName(const SignalRule& rule);
// Parses the file form, case-insensitive: "halt", "reopen-fifo", "runlevel 1", "Runlevel s".
std::optional<SignalRule> ParseSignalRule(std::string_view text);

// See "Signals" above. Returns nullopt for unknown names and refused signals (the fault signals
// are accepted here; LoadConfig refuses them).
std::optional<int> ParseSignal(std::string_view text);
// "SIGTERM", "SIGRTMIN", "SIGRTMIN+3"; a number ("32") for signals that have no name.
std::string SignalName(int sig);

// How a reboot request (runlevel 6, kReboot) ends.
enum class RebootMode {
  kAuto,     // reboot(RB_AUTOBOOT) when $container is "lxc" and permitted, else kRestart
  kRestart,  // restart the boot sequence in place (the runtime never sees a stop)
  kExit,     // exit with reboot_exit_code (let the runtime's restart policy act)
  kSyscall,  // always try reboot(RB_AUTOBOOT); on failure fall back to kRestart
};

struct Config {
  std::map<int, SignalRule> signals;  // empty here; DefaultConfig() fills the default map
  // Unset: the default of the runtime ctinit runs under (container_runtime.h), chosen at start.
  std::optional<std::chrono::milliseconds> shutdown_budget;
  std::chrono::milliseconds final_grace{2000};
  std::chrono::milliseconds kill_wait{3000};
  RebootMode reboot = RebootMode::kAuto;
  // 129 = 128 + SIGHUP, what the parent sees after reboot(2) in a pid namespace; non-zero so
  // Docker's `--restart on-failure` restarts the container while a halt (exit 0) stays down.
  int reboot_exit_code = 129;
  log::Level log_level = log::Level::kNormal;
  std::string fifo = "/run/initctl";
  std::optional<char> default_runlevel;  // overrides inittab's initdefault
  // The values of the keys that belong to the front ends (FrontEnd::ConfigKeys(): "inittab",
  // "inittab_d", "openrc", "units"), as written; each front end reads its own.
  Settings front_ends;
  friend bool operator==(const Config&, const Config&) = default;
};

// Config{} plus the default signal map.
Config DefaultConfig();

// Reads `path` (see "File" and "Errors" above), then applies the CTINIT_* variables
// TakeConfigEnvironment() took over it (config_env.h). `errors` may be null. `front_end_keys`
// are the top-level keys the front ends read (Config::front_ends); any other unknown key is an
// error.
Config LoadConfig(const std::string& path, std::vector<std::string>* errors,
                  const std::vector<std::string>& front_end_keys = {}) noexcept;

// Parses `yaml` as if it were the contents of `path` (the test hook).
Config ParseConfig(std::string_view yaml, const std::string& path, std::vector<std::string>* errors,
                   const std::vector<std::string>& front_end_keys = {}) noexcept;
// ParseConfig, then the CTINIT_* entries of `environment` ("NAME=VALUE") over it
// (config_env.h). LoadConfig reads the file and calls this.
Config ParseConfigWithEnvironment(std::string_view yaml, const std::string& path,
                                  const std::vector<std::string>& environment,
                                  std::vector<std::string>* errors,
                                  const std::vector<std::string>& front_end_keys = {}) noexcept;

// See "Durations" above. nullopt for anything else (negative, unknown unit, too large).
std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text);

// The signals whose rule is kIgnore / anything else, ascending.
std::vector<int> SignalsToIgnore(const Config& config);
std::vector<int> SignalsToHandle(const Config& config);

}  // namespace ctinit
