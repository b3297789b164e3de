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
//     rather than running out of descriptors or stack;
//   - removal is done in steps of bounded work (DirectoryRemoval), because the service's user
//     decides how many entries there are and PID 1 must not stop answering while it deletes a
//     million of them.
// `relative` must be normalised as systemd requires for these settings: not empty, not
// absolute, no empty, "." or ".." component. Anything else is refused, whatever the front end
// let through.
#pragma once

#include <dirent.h>
#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace ctinit::sys {

// Makes base/relative (missing parents below base: root, 0755) and gives it `mode`, `uid`,
// `gid`, also when it already existed. false with *err on failure.
bool MakeDirectoryBelow(const std::string& base, const std::string& relative, mode_t mode,
                        uid_t uid, gid_t gid, std::string* err) noexcept;

inline constexpr int kMaxDepth = 64;

// Removes base/relative and everything below it, a bounded piece of work at a time, so that
// PID 1 can do it between the other events of its loop:
//
//   DirectoryRemoval r(base, relative);   // base/relative is out of the way already
//   while (!r.Step(1000)) { ...handle other events... }
//   if (!r.ok()) log(r.error());
//
// The constructor opens the directory (by descriptor, O_NOFOLLOW) and renames it within its
// parent to a hidden name (".ctinit-removing.<pid>.<n>", never replacing anything), so the
// path is free at once: a service started again gets a new, empty directory while the old
// tree is still being deleted. When the rename is refused (e.g. a read-only parent) the
// directory is emptied where it is. A link or file at base/relative is unlinked, not followed.
// A missing directory is success.
class DirectoryRemoval {
 public:
  DirectoryRemoval(const std::string& base, const std::string& relative) noexcept;
  ~DirectoryRemoval();
  DirectoryRemoval(const DirectoryRemoval&) = delete;
  DirectoryRemoval& operator=(const DirectoryRemoval&) = delete;

  // Looks at no more than `budget` directory entries (each one at most one unlink, or one
  // open of a subdirectory), and at no more once `until` has passed (a loaded disk can make a
  // thousand unlinks take long); true when the removal is over (done, or given up).
  bool Step(size_t budget, std::chrono::steady_clock::time_point until =
                               std::chrono::steady_clock::time_point::max()) noexcept;
  bool done() const { return levels_.empty(); }
  // Whether everything could be removed, and else why not (the first problem met).
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  // Entries removed so far (files, links and directories), for tests and logs.
  size_t removed() const { return removed_; }

 private:
  // A directory being emptied: its stream, and its name in the directory one level up.
  struct Level {
    DIR* dir;
    std::string name;
  };
  void Begin(const std::string& base, const std::string& relative);
  void Fail(const std::string& why);
  void Visit(const char* name);
  void Leave();

  int parent_ = -1;  // the directory holding base/relative (and its hidden new name)
  std::vector<Level> levels_;
  std::string error_;
  size_t removed_ = 0;
};

// DirectoryRemoval in one go (no bound): for callers outside PID 1's loop and for tests.
bool RemoveDirectoryBelow(const std::string& base, const std::string& relative,
                          std::string* err) noexcept;

}  // namespace ctinit::sys
