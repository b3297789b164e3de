// utmp/wtmp records written as sysvinit's init writes them (sysvinit 3.14 src/utmp.c, init.c), so
// runlevel(8), who -b/-r, last and halt(8) work under ctinit.
//
// Files (under `root`, "/" in production):
//   var/run/utmp      current state: one record per ut_type for BOOT_TIME/RUN_LVL, one per
//                     inittab id for INIT_PROCESS/DEAD_PROCESS (glibc pututline() matching);
//                     created/truncated only by Truncate(), otherwise written only if present.
//   var/log/wtmp      history, append only; never created (like sysvinit: no wtmp, no log).
//   var/run/runlevel  the current level as a single byte, no newline (sysvinit
//                     Write_Runlevel_Log()); runlevel(8)/halt(8) fall back to it without utmp.
//
// Records (glibc struct utmp, 384 bytes on x86_64; time = now):
//   BootTime()          BOOT_TIME  user "reboot"   id "~~" line "~" pid 0          utmp+wtmp
//   Runlevel(now,prev)  RUN_LVL    user "runlevel" id "~~" line "~" pid now+256*prev utmp+wtmp
//                       (prev 0 is written as 'N', as sysvinit does at boot; runlevel(8) prints
//                       ut_pid/256 with 0 shown as 'N'), plus var/run/runlevel
//   InitProcess(pid,id) INIT_PROCESS user "" id line ""                           utmp+wtmp
//   DeadProcess(pid,id) DEAD_PROCESS user "" id; line copied from the id's utmp record, utmp+wtmp
//   wtmp records carry the kernel release in ut_host (sysvinit does the same).
//
// A record that cannot be written because the file is missing (e.g. /var not yet there) is
// remembered: the boot and runlevel records are written first the next time the file can be
// opened; likewise when utmp is found empty after boot (rc scripts truncate it), sysvinit's
// redo_utmp_wtmp().
//
// Never fails: missing directories, read-only file systems and locking problems are logged
// (log::Debug/log::Warn) and ignored. No NSS: the files are written with open/pread/pwrite, records
// are locked with fcntl() like glibc does. No exceptions escape. Not thread-safe.
#pragma once

#include <sys/time.h>
#include <sys/types.h>

#include <optional>
#include <string>
#include <utility>

namespace ctinit {

class UtmpWriter {
 public:
  // `root` prefixes every path ("/" = the real files; a temp dir in tests). /var/run is resolved
  // inside the prefix as a normal path, so an absolute /var/run -> /run symlink in a non-"/" root
  // points at the host's /run.
  explicit UtmpWriter(std::string root = "/");

  // At boot, before anything else: create or empty var/run/utmp (mode 0644).
  void Truncate() noexcept;
  void BootTime() noexcept;
  // `now`/`prev` are level chars ('2', 'S', ...); prev 0 means "none" and is stored as 'N'.
  void Runlevel(char now, char prev) noexcept;
  // `id` is the inittab id (at most 4 bytes are stored).
  void InitProcess(pid_t pid, const std::string& id) noexcept;
  void DeadProcess(pid_t pid, const std::string& id) noexcept;

  // What runlevel(8) prints, as {previous, current}: the first RUN_LVL record of var/run/utmp
  // (previous = ut_pid / 256, 0 shown as 'N'; current = ut_pid % 256), else {'N', first byte of
  // var/run/runlevel}, else nullopt.
  static std::optional<std::pair<char, char>> ReadRunlevel(const std::string& root = "/") noexcept;

  std::string utmp_path() const { return root_ + "var/run/utmp"; }
  std::string wtmp_path() const { return root_ + "var/log/wtmp"; }
  std::string runlevel_path() const { return root_ + "var/run/runlevel"; }

 private:
  struct Pending {
    bool boot = false;
    bool level = false;
  };
  // Each returns whether the record itself was written; pending boot/level records are
  // written first when the file can be opened.
  bool WriteUtmp(int type, const char* user, const std::string& id, pid_t pid,
                 const std::string& line, const timeval& tv, std::string* old_line) noexcept;
  bool WriteWtmp(int type, const char* user, const std::string& id, pid_t pid,
                 const std::string& line, const timeval& tv) noexcept;

  std::string root_;  // always ends in '/'
  bool booted_ = false;
  timeval boot_tv_{};
  bool have_level_ = false;
  char level_now_ = 0;
  char level_prev_ = 0;
  Pending utmp_pending_;
  Pending wtmp_pending_;
  // Warn once per file about unexpected open errors (EROFS, EACCES), debug afterwards.
  bool warned_utmp_ = false;
  bool warned_wtmp_ = false;
  bool warned_level_ = false;
};

}  // namespace ctinit
