// `systemctl` without a running init (systemctl(1), install.c), for Dockerfile lines such as
// `RUN systemctl enable nginx`: the verbs that only read or write unit files under a root.
// The online verbs (start, stop, status, ...) are the lead's part; offline they print systemd's
// "not booted" message and exit 1. `daemon-reload` is a no-op (exit 0) offline.
//
// Verbs:
//   enable UNIT...    for each [Install] WantedBy=T: /etc/systemd/system/T.wants/UNIT,
//   RequiredBy=T:
//                     T.requires/UNIT, Alias=A: /etc/systemd/system/A, each a symlink to the unit
//                     file's path; Also= units are enabled too. Specifiers (%i, %p, ...) expand.
//                     An instance foo@bar.service links to the template's file; a template uses
//                     DefaultInstance= (no DefaultInstance: nothing to do, as systemd). Messages
//                     on stderr: "Created symlink /etc/.../x.service → /lib/.../x.service."
//                     No [Install]: systemd's "no installation config" notice, exit 0. Unknown
//                     unit: "Failed to enable unit, unit x does not exist.", exit 1. A different
//                     file already there: "Failed to enable unit: File ... already exists.", 1.
//   disable UNIT...   removes every symlink in /etc/systemd/system (top level and *.wants/,
//                     *.requires/) named UNIT or one of its Alias= names, and those of Also=;
//                     `Removed "/etc/...".` Unknown unit: a message, exit 0 (as systemd 252).
//   mask UNIT...      /etc/systemd/system/UNIT -> /dev/null (refused if a file is there).
//   unmask UNIT...    removes that symlink if it points to /dev/null.
//   is-enabled UNIT... prints enabled | alias | static | indirect | disabled | masked per unit;
//                     exit 0 if one is enabled, alias, static or indirect, else 1. Unknown unit:
//                     "Failed to get unit file state for x: No such file or directory", exit 1.
//                     "enabled": a symlink named UNIT (or an Alias=) in /etc/systemd/system or
//                     /run/systemd/system or their .wants/.requires; for a template, an instance.
//   list-unit-files [PATTERN...]  systemd's table (UNIT FILE, STATE, PRESET), sorted by type
//                     then name; PRESET from the preset files (below), "-" for alias and static.
//   get-default       the unit default.target leads to ("graphical.target"), wherever in the
//                     search path; none: "Failed to get default target: ...", exit 1.
//   set-default T     /etc/systemd/system/default.target -> T's file (an old link is replaced).
//   preset UNIT...    enable or disable each as the preset files say (systemd.preset(5): *.preset
//                     in /etc, /run, /usr/local/lib, /usr/lib, /lib systemd/system-preset/, read
//                     by file name, a name in an earlier dir hides the later ones; the first
//                     "enable GLOB" / "disable GLOB" line matching wins; "enable foo@.service a b"
//                     enables those instances; no match: enable). --preset-mode=full (default),
//                     enable-only, disable-only. Units without [Install] are left alone.
//   preset-all        preset for every unit file of the search path.
//   add-wants T UNIT...  /etc/systemd/system/T.wants/UNIT -> UNIT's file; add-requires: .requires/.
//   verify [UNIT...]  load and translate units as PID 1 would, without booting, and print every
//                     warning (systemctl_verify.cc); exit 1 if one fails.
// Enabling what is enabled does nothing, also when the existing link leads to the same file by
// another path (/lib/systemd/system/x on a merged /usr, where the unit is found in /usr/lib).
//   cat UNIT...       "# path" and the contents of the fragment and each drop-in.
//   show [-p P,...] [--value] UNIT...   offline properties: Id Names Description LoadState
//                     UnitFileState FragmentPath DropInPaths Type Restart User Group
//                     ExecStart WantedBy RequiredBy After Before Wants Requires
//                     TimeoutStartUSec TimeoutStopUSec RestartUSec KillSignal KillMode PIDFile
//                     ActiveState (inactive) SubState (dead); a blank line between units.
// Names: bare names mean NAME.service for every verb, offline and online (systemctl's mangling:
// "nginx", "foo@bar", "foo.bar" get ".service"; set-default and add-wants' first argument get
// ".target"); a name ending in a unit type, a glob or a path is kept.
// Options: --root=DIR / --root DIR (default: the `root` argument), -q/--quiet, --no-pager,
// --no-reload, --system, --now (noted on stderr: nothing is started or stopped offline),
// --preset-mode=,
// -p/--property=, --value, -f/--force (enable/mask replace what is there).
// Exit codes as systemctl: 0 success, 1 failure or "not enabled".
//
// Online (ctinit running; the verbs go to its control socket):
//   start stop restart try-restart reload reload-or-restart UNIT...   wait until done (start:
//                     up, finished or skipped; stop: stopped), each bounded by --timeout-ish
//                     90 s; "Job for UNIT failed: why." and exit 1 on failure; an unknown unit
//                     "Failed to start UNIT: Unit UNIT not found." exit 5.
//   is-active / is-failed UNIT...   active|inactive|failed|activating|deactivating per unit;
//                     is-active exits 0 if one is active, else 3; is-failed 0 if one failed,
//                     else 1.
//   status [UNIT...]  systemd's layout (●, Loaded:, Active: … since …; …ago, Main PID:, Status:);
//                     exit 0 when all are active, 3 if one is not, 4 for an unknown unit.
//   list-units [--all] [PATTERN...]   UNIT LOAD ACTIVE SUB DESCRIPTION (active, failed or wanted
//                     ones; --all: every one), then the legend.
//   show              online properties too: ActiveState, SubState, MainPID, StatusText.
//   daemon-reload     ctinit runs the generators and reads every front end again (telinit q);
//                     returns once that is done (bounded by 90 s, as the reply is awaited).
//   enable/disable --now   also start/stop.
//   halt | poweroff | reboot   runlevel 0 (INIT_HALT=HALT / POWEROFF) or 6, as telinit would.
//   exit [N]          go to runlevel 0 and make N the container's exit code.
// ctinit also finds OpenRC and inittab services by their own names.
#pragma once

#include <chrono>
#include <functional>
#include <iosfwd>
#include <ostream>
#include <string>
#include <vector>

#include "init/protocol/control.h"

namespace ctinit::units {

// How online verbs reach the running ctinit (init/control.h control::Call in the applet; a fake
// in tests). nullptr: offline.
using ControlCall = std::function<control::Reply(const std::vector<std::string>& words,
                                                 std::chrono::milliseconds timeout)>;

// The applet: argv[0] is "systemctl" (ignored). Online when ctinit's control socket answers
// (and no --root is given). Never throws.
int SystemctlMain(int argc, char** argv, const std::string& root);

// Same, with the streams and the control connection given (for tests).
int Systemctl(const std::vector<std::string>& args, const std::string& root, std::ostream& out,
              std::ostream& err, ControlCall call = nullptr) noexcept;

}  // namespace ctinit::units
