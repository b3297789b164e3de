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
//                     then name; presets are not read (a unit with [Install] shows "enabled",
//                     Debian's default).
//   cat UNIT...       "# path" and the contents of the fragment and each drop-in.
//   show [-p P,...] [--value] UNIT...   offline properties: Id Names Description LoadState
//                     UnitFileState FragmentPath DropInPaths Type Restart User Group
//                     ExecStart WantedBy RequiredBy After Before Wants Requires
//                     TimeoutStartUSec TimeoutStopUSec RestartUSec KillSignal KillMode PIDFile
//                     ActiveState (inactive) SubState (dead); a blank line between units.
// Options: --root=DIR / --root DIR (default: the `root` argument), -q/--quiet, --no-pager,
// --no-reload, --system, --now (noted on stderr: nothing is started or stopped offline),
// -p/--property=, --value, -f/--force (enable/mask replace what is there).
// Exit codes as systemctl: 0 success, 1 failure or "not enabled".
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace ctinit::units {

// The applet: argv[0] is "systemctl" (ignored). Never throws.
int SystemctlMain(int argc, char** argv, const std::string& root);

// Same, with the streams given (for tests).
int Systemctl(const std::vector<std::string>& args, const std::string& root, std::ostream& out,
              std::ostream& err) noexcept;

}  // namespace ctinit::units
