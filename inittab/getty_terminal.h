// Gettys on terminals the container does not have. incus sets lxc.tty.max = 0 and Docker gives no
// /dev/ttyN, so Debian's stock `1:2345:respawn:/sbin/getty 38400 tty1` ... `6:23:respawn:...`
// exit at once and would be respawned every 10 s, each time with a log line, for ever. sysvinit
// is as noisy about it only after its respawn limiter fires; here such an entry is left out once,
// at load, with one diagnostic naming its file:line, and listed as inactive. A getty whose
// terminal exists is kept unchanged (a console getty, a serial line the runtime passed in).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "init/model/service.h"

namespace ctinit::inittab {

// The terminal a getty command runs on, as a /dev path: "/dev/tty1" for
// "/sbin/getty --noclear 38400 tty1", "/dev/ttyS0" for "/sbin/agetty -L ttyS0 9600 vt100",
// "/dev/tty2" for "getty 38400 /dev/tty2". The command's first word must be a *getty (getty,
// agetty, mingetty, fgetty, ...); the terminal is its first argument that is not an option and
// starts with "/dev/", "tty", "hvc" or "console". nullopt for anything else.
std::optional<std::string> GettyTerminal(const Command& command);

// Takes out of `set` the respawn entries whose GettyTerminal does not exist according to
// `exists` (a seam: the real one looks at the image's /dev), adding for each a Diagnostic
// "<file>:<line>: getty on /dev/tty1 disabled: no such terminal here (...)" and an inactive entry.
void DropGettysWithoutTerminal(ServiceSet* set,
                               const std::function<bool(const std::string& dev_path)>& exists);

}  // namespace ctinit::inittab
