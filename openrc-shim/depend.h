// OpenRC dependency extraction: what `depend()` of one init script declares.
//
// This does for one service what OpenRC's gendepends.sh does for every script (OpenRC 0.63
// sh/gendepends.sh.in, sh/rc-functions.sh `_depend`, src/librc/librc-depend.c phase 1):
//
//  1. The script must be an executable regular file whose first line is an OpenRC shebang:
//     `#!<dir>/openrc-run`, `#!<dir>/runscript`, the same with a blank after `#!`, or
//     `#!<dir>/env openrc-run|runscript` (trailing words are ignored). Anything else is rejected
//     with a Diagnostic and the service is skipped (gendepends skips it silently).
//  2. A shell — bash when the image has one (`<root>/bin/bash`, `<root>/usr/bin/bash`), else
//     `<root>/bin/sh`, else `/bin/sh`; DependOptions::shell overrides — runs in the script's
//     directory (so an unquoted `after *` expands to the scripts there, exactly as in gendepends)
//     with RC_SVCNAME, SVCNAME, RC_SERVICE, RC_SYS, RC_UNAME, RC_LIBEXECDIR and PATH set. It
//     defines the stubs need use want after before provide keyword config (each writes one line to
//     fd 3), no-op `input` and `reexport`, `depend(){ :; }`, quiet e-functions (einfo … to stderr),
//     `yesno`, `shell_var`, `need_if_exists` and false `service_*` state tests, and sources, in
//     gendepends' order:
//        <initdir>/../conf.d/<prefix>   (multi-instance `prefix.inst` only)
//        <initdir>/../conf.d/<svc>
//        <root>/etc/rc.conf, then <root>/etc/rc.conf.d/*.conf
//        the script
//     Note: gendepends sources rc.conf *after* conf.d, so rc.conf wins for a variable set in both
//     (the runtime openrc-run.sh has the opposite order; the dependency tree uses this one).
//     The script's stdout and stderr both go to the captured output, never to fd 3, so whatever
//     depend() prints cannot become a dependency.
//  3. If the script sourced without error, depend is called, then for each type the overrides
//     are appended: the first non-empty of $rc_<v>_<type>, $rc_<type>, $RC_<v>_<TYPE>, $RC_<TYPE>
//     where <v> is shell_var(<svc>) (`net.eth0` -> `net_eth0`) and <type> is one of config need
//     use want after before provide keyword.
//  4. The fd 3 lines are folded like librc-depend.c: empty words dropped; self-references and
//     `*.sh` names dropped; `!name` deletes name from that type; `before x` deletes x from after;
//     after/need/want/use x delete x from before; keyword `-containers` expands to the Linux
//     container masks (and `!-containers` to their negations). Duplicates are dropped.
//
// Failure rules (what OpenRC does, and so what ctinit does):
//  * The script cannot be sourced (syntax error, a top-level `exit`/`return` non-zero): gendepends
//    prints nothing for it, so it is **not in the dependency tree**. `loaded` is false, one
//    Diagnostic names the file and quotes the shell's last error line; the caller skips it.
//  * depend() returns non-zero or the shell dies inside it: gendepends ignores depend's status and
//    keeps what was already printed. `loaded` is true with those dependencies, plus a Diagnostic.
//  * The run exceeds DependOptions::timeout: the process group is killed; handled like the two
//    cases above depending on whether the script had finished sourcing, plus a Diagnostic.
//
// Paths: `root` prefixes rc.conf/rc.conf.d and the shell lookup; conf.d is found next to the
// script's directory. Absolute paths *inside* scripts and conf.d files are not re-rooted (ctinit
// runs this with root "/"; tests use fixture scripts that only read relative to their conf.d).
//
// Nothing here throws; the shell runs through a caller-supplied ScriptRunner (runner.h).
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "init/model/service.h"
#include "openrc-shim/runner.h"

namespace ctinit::openrc {

struct OpenrcDeps {
  std::vector<std::string> need{}, use{}, want{}, after{}, before{}, provide{}, keywords{};
  std::vector<std::string> config{};  // extra files OpenRC watches for deptree regeneration
  bool operator==(const OpenrcDeps&) const = default;
};

struct DependOptions {
  std::string root = "/";
  std::string shell;   // "" = ChooseShell(root)
  std::string rc_sys;  // exported as RC_SYS ("DOCKER", "LXC", … or "")
  std::string path = "/lib/rc/bin:/bin:/sbin:/usr/bin:/usr/sbin";
  std::chrono::milliseconds timeout{5000};
};

struct DependResult {
  bool loaded = false;  // false: the service is not part of the dependency tree (see above)
  OpenrcDeps deps;
  std::string output;  // what the script and depend() printed (stdout and stderr)
  std::vector<Diagnostic> diagnostics;
};

// Extracts the dependencies of `service` (its name as in init.d, e.g. "dnsmasq.eth1") from
// `script` (its path, e.g. "<root>/etc/init.d/dnsmasq.eth1").
DependResult ExtractDepends(const std::string& service, const std::string& script,
                            const DependOptions& options, ScriptRunner& runner) noexcept;

// True for the shebang lines described in rule 1 above.
bool IsOpenrcShebang(std::string_view first_line) noexcept;

// The text of the init.d script at `path` (its host path), as PID 1 may read it: a regular
// file (a FIFO or device put there is not waited on; links are followed) of at most 1 MiB.
// False when it is anything else or cannot be read.
bool ReadInitScript(const std::string& path, std::string* text);
// Its first line, at most 256 bytes (for the shebang and for messages).
std::string_view FirstLineOf(std::string_view text);

// bash in the image if it has one, else its /bin/sh, else the host's /bin/sh.
std::string ChooseShell(const std::string& root) noexcept;

// OpenRC's shell_var(): every character that is not [A-Za-z0-9_] becomes '_'.
std::string ShellVar(std::string_view name) noexcept;

// The Linux expansion of keyword `-containers`.
const std::vector<std::string>& ContainerKeywords() noexcept;

// Folds the fd 3 protocol of the extraction shell (one "<type> word…" line per stub call) into
// OpenrcDeps with the rules of step 4. Exposed for tests.
OpenrcDeps FoldDependLines(const std::string& service, std::string_view fd3) noexcept;

}  // namespace ctinit::openrc
