// The shim's checkpath (OpenRC's /lib/rc/bin/checkpath, OpenRC 0.63 man/checkpath.8): make sure
// paths exist with a type, mode and owner. Scripts call it from start_pre; the shell function
// `checkpath` runs `ctinit checkpath …`.
//
//   checkpath {-d|-D|-f|-F|-p|-W} [-m MODE] [-o OWNER[:GROUP]] [-q] PATH…
//   -d directory, -f file, -p fifo: created when missing (mode -m, else 0775 / 0644 / 0600;
//      parents are not created) with " * PATH: creating directory|file|fifo".
//   -D / -F: as -d / -f, and an existing directory is emptied / file truncated
//      ("truncating directory|file").
//   -m MODE (octal): an existing path whose permission bits differ is chmod'ed ("correcting
//      mode"). -o USER[:GROUP] (names or ids from the image's /etc/passwd and /etc/group): a
//      path owned otherwise is chown'ed ("correcting owner"); a new path gets it too.
//   -W: only test that each PATH is writable (exit 1 if one is not).
//   -q: no informational messages. A path of the wrong type: "PATH: is not a directory" (or
//   file/fifo), exit 1. Symbolic links are not followed when changing mode or owner.
// Nothing here throws.
#pragma once

#include <string>
#include <vector>

namespace ctinit::openrc {

// `root` prefixes /etc/passwd and /etc/group ("/" normally). Returns the exit code.
int CheckpathMain(const std::vector<std::string>& args, const std::string& root = "/") noexcept;

}  // namespace ctinit::openrc
