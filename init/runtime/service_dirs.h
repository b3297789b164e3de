// A service's own directories (systemd's RuntimeDirectory=, StateDirectory=, CacheDirectory=,
// LogsDirectory=, ConfigurationDirectory=): made before it starts, removed after it stops.
//
// PID 1 does this as root in trees the service's user may write to, so nothing here may follow
// a link the service planted or reach outside `base`/`relative`:
//   - `base` (/run, /var/lib, ...) is the system's: made when missing (root, 0755) and entered
//     as it is, links included (/var/run -> /run is normal);
//   - below it every component of `relative` is entered with O_NOFOLLOW from the directory
//     before it (openat), so a symlink swapped in anywhere on the way stops the walk;
//   - the directory itself gets its owner and mode through its own descriptor (fchown/fchmod);
//   - removal descends by descriptors too (unlinkat/openat, never a path), never removes or
//     enters anything through a link, never removes `base`, and gives up below kMaxDepth levels
//     rather than running out of descriptors or stack.
// `relative` must be normalised as systemd requires for these settings: not empty, not
// absolute, no empty, "." or ".." component. Anything else is refused, whatever the front end
// let through.
#pragma once

#include <sys/types.h>

#include <string>

namespace ctinit::sys {

// Makes base/relative (missing parents below base: root, 0755) and gives it `mode`, `uid`,
// `gid`, also when it already existed. false with *err on failure.
bool MakeDirectoryBelow(const std::string& base, const std::string& relative, mode_t mode,
                        uid_t uid, gid_t gid, std::string* err) noexcept;

// Removes base/relative and everything below it. A missing directory is success; false with
// *err when something could not be removed (the rest is still removed).
bool RemoveDirectoryBelow(const std::string& base, const std::string& relative,
                          std::string* err) noexcept;

inline constexpr int kMaxDepth = 64;

}  // namespace ctinit::sys
