// The command line of the shim's start-stop-daemon (start_stop_daemon.h), as OpenRC 0.63
// src/start-stop-daemon/start-stop-daemon.c reads it.
//
// Options: -S/--start -K/--stop -x/--exec -p/--pidfile -m/--make-pidfile -b/--background
// -u/--user USER[:GROUP] -c/--chuid (deprecated alias of --user, warns) -g/--group -d/--chdir
// -r/--chroot -1/--stdout -2/--stderr -R/--retry -s/--signal -w/--wait MS -n/--name
// -a/--startas (deprecated, warns) -i/--interpreted -k/--umask -o/--oknodo (deprecated, warns)
// -t/--test -N/--nicelevel -e/--env K=V -P/--progress -q/--quiet -v/--verbose (and -C/--nocolor,
// which does nothing here), -0/--stdin FILE, -3/--stdout-logger CMD, -4/--stderr-logger CMD (the
// output goes to `sh -c CMD`'s stdin when no --stdout/--stderr file is given), --no-new-privs,
// --capabilities IAB and --secbits N (capability_iab.h; "Could not parse iab: …" for a bad
// text), --notify fd:N|socket:ready (--ready is the same; `socket` with anything but `:ready`
// is no notification, as OpenRC; anything else: "invalid ready `X'");
// `--` ends the options, the rest is the daemon's arguments. GNU
// getopt rules: `--opt=V`, `--opt V`, `-xV`, `-x V`, bundled flags `-bm`, and non-option words
// before
// `--` are arguments too.
//
// Errors follow OpenRC's words ("start-stop-daemon: --stop needs --exec, --pidfile, --name or
// --user", "--make-pidfile is only relevant with --pidfile", …). Nothing here throws but
// std::bad_alloc.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "openrc-shim/applets/capability_iab.h"

namespace ctinit::openrc {

inline constexpr const char* kStartStopDaemon = "start-stop-daemon";

struct StartStopDaemonOptions {
  bool start = false, stop = false, background = false, make_pidfile = false;
  bool oknodo = false, test = false, interpreted = false, progress = false;
  bool quiet = false, verbose = false, no_new_privs = false;
  std::string exec, startas, name, pidfile, user, group, chdir, chroot, stdout_path, stderr_path;
  std::string stdin_path, stdout_logger, stderr_logger;
  std::optional<std::string> retry;
  int signal = -1;  // -1: none given
  std::optional<int> nice;
  mode_t umask = 022;
  unsigned wait_ms = 0;
  std::vector<std::string> env;   // --env K=V, in order
  std::vector<std::string> args;  // positional words (after `--`, or before it)
  std::vector<std::string> warnings;
  std::optional<CapabilityIab> capabilities;  // --capabilities
  std::optional<unsigned> secbits;            // --secbits (0 is not applied, as OpenRC)
  // --notify: how the daemon says it is ready; kNone also for `socket` without `:ready`.
  enum class Notify { kNone, kFd, kSocket } notify = Notify::kNone;
  int notify_fd = -1;  // kFd: the daemon's descriptor number
};

// OpenRC's notify_parse(): "fd:N" (N >= 0), "socket:ready"; "socket…" otherwise means none.
// False and *error ("invalid ready `X'") for anything else.
bool ParseNotify(const std::string& text, StartStopDaemonOptions::Notify* kind, int* fd,
                 std::string* error);

// Parses the arguments after argv[0]. False and *error ("start-stop-daemon: …" without the
// " * ") for an unknown option, a missing value, a bad number/mode/signal, or a combination
// OpenRC refuses.
bool ParseStartStopDaemonArgs(const std::vector<std::string>& args, StartStopDaemonOptions* out,
                              std::string* error);

// A decimal number 0..2^32-1 (the --wait value, and SSD_STARTWAIT); false for anything else.
bool ParseUnsigned(const std::string& text, unsigned* out);

// `text' — how OpenRC quotes names in its messages.
std::string Quoted(const std::string& text);

}  // namespace ctinit::openrc
