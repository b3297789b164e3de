// The inittab front end: translates sysvinit's /etc/inittab (and /etc/inittab.d/*.tab) into a
// ServiceSet (init/service.h). It only reads text; it never runs anything, never throws and
// never aborts, whatever the input (binary junk, NULs, huge lines).
//
// Grammar (sysvinit 3.14, init.c read_inittab())
// ----------------------------------------------
// One entry per line: `id:runlevels:action:process`. The first three fields end at ':'; the
// process field is the rest of the line (it may contain ':'). A line whose first character after
// leading blanks/tabs is '#', or that is blank, is skipped. There are no mid-line comments and no
// continuation lines. A trailing '\r' is removed. A line of 255 bytes or more does not fit
// sysvinit's 256-byte line buffer: it is dropped with a "Possibly too long" diagnostic (comment
// lines are skipped silently whatever their length). A NUL byte ends the line's text, as it does
// for sysvinit's C strings.
//
// Validation, in sysvinit's order; when several apply, the last one listed is the one reported:
//   missing id field | missing runlevel field | missing process field | missing action field |
//   id field too long (max 4 characters) | rlevel field too long (max 11 characters) |
//   process field too long (max 256 characters) | action field too long
// then `<action>: unknown action field` (action names are case-insensitive), then
// `duplicate ID field "<id>"` (the later line is ignored; the id `~~` may repeat).
// Every Diagnostic names its file and line; the entry is left out.
//
// Translation (action -> ServiceSpec)
//   sysinit      kSysInit   kTask     blocking      levels ""   (runlevels field ignored)
//   boot         kBoot      kTask     not blocking  levels ""   (runlevels field ignored)
//   bootwait     kBoot      kTask     blocking      levels ""   (runlevels field ignored)
//   wait         kRunlevel  kTask     blocking
//   once         kRunlevel  kTask     not blocking
//   respawn      kRunlevel  kLongRun
//   ondemand     kRunlevel  kLongRun
//   powerwait    kPowerWait     kTask blocking       powerfail  kPowerFail  kTask not blocking
//   powerokwait  kPowerOkWait   kTask blocking       ctrlaltdel kCtrlAltDel kTask blocking
//   powerfailnow kPowerFailNow  kTask blocking       kbrequest  kKbRequest  kTask not blocking
//   initdefault  no service: ServiceSet::default_level (see below)
//   off          no service (the supervisor stops entries that disappeared, which is what
//                sysvinit does to an entry whose action changed to off)
// name = id (a repeated `~~` is named "~~:2", "~~:3"... so names stay unique), origin =
// "file:line", action_label = the action in lower case.
//
// Order: entries keep file order, except powerwait/powerfail/powerokwait/powerfailnow/ctrlaltdel
// (sysvinit's ISPOWER set), which go to the front of the list, in file order among themselves.
// kbrequest is NOT in that set: sysvinit appends it in file order like any other entry.
//
// Runlevels: an empty field means "0123456789", or "S0123456789" for the ISPOWER actions.
// Otherwise the field is stored normalized: digits and 'S' kept, A/B/C and a/b/c stored as
// a/b/c, duplicates and every other character dropped, order of first appearance kept.
// Quirk kept from sysvinit: a lower-case 's' is NOT single-user. sysvinit's s->S mapping is
// overwritten by the strncpy that follows it, so 's' is stored as-is and never matches runlevel
// S; here it is dropped (an entry whose only level is 's' never runs, as in sysvinit).
//
// Process field: a leading '+' clears `utmp`, a leading '@' (also after '+': "+@") means "never
// use a shell"; the rest goes to SysvCommand(). An entry whose command has no word to
// exec (empty, only a prefix, or starting with '#') is reported ("process field has no command").
//
// initdefault: the first initdefault entry gives default_level = the highest character of its
// runlevels field, upper-cased; it must be one of 0-9 or S, else the diagnostic
// `Initdefault level 'X' is invalid` and no default. An empty field gives no default, silently
// (sysvinit would prompt on the console).
//
// Single user: if, after /etc/inittab, no entry (initdefault and off included; sysinit and boot
// entries count as levels "#" and "*") has 'S' in its runlevels, `~~:S:wait:/sbin/sulogin` is
// appended with origin "<builtin>".
//
// Busybox inittabs (`::sysinit:...`, `tty2::askfirst:...`) are rejected line by line by the rules
// above (missing id field / unknown action field ...), and one extra line-0 Diagnostic says the
// file looks like a busybox inittab.
#pragma once

#include <string>
#include <string_view>

#include "init/model/service.h"

namespace ctinit::inittab {

// Parses one inittab text. `file` names it in diagnostics ("/etc/inittab:12: ..."). Appends the
// built-in `~~` sulogin entry when no entry has S in its levels.
ServiceSet Parse(std::string_view text, const std::string& file);

// sysvinit's rule for the process field (init.c spawn()): a field containing any of
// ~`!$^&*()=|\{}[];"'<>? (and not starting with '@') runs as /bin/sh -c "exec <text>"; else
// it is split on blanks into at most 14 words, a word starting with '#' ends it, and exec'd
// directly (on ENOEXEC the launcher retries with /bin/sh -c "exec <text>").
// `text` must already have the '+'/'@' prefixes stripped; `no_shell` is the '@' prefix.
Command SysvCommand(const std::string& text, bool no_shell);

// Parses `inittab_path` (as Parse), then each entry of `inittab_d_dir` whose name has at least 5
// characters and ends in ".tab", sorted by name: only the first non-comment line of each such
// file is read (sysvinit's /etc/inittab.d rule). Ids must be unique across all the files.
// An inittab that cannot be read gives one Diagnostic "<path>: cannot open: <strerror>" (line 0)
// and an otherwise empty set. A missing or empty-named directory is not an error.
ServiceSet Load(const std::string& inittab_path, const std::string& inittab_d_dir);

}  // namespace ctinit::inittab
