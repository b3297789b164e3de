#include "init/runtime/utmp.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <utmp.h>

#include <cstring>

#include "init/base/log.h"

namespace ctinit {
namespace {

constexpr size_t kRecSize = sizeof(struct utmp);
static_assert(kRecSize == 384, "glibc x86_64 struct utmp");

// Owns a file descriptor; closing also drops our fcntl() lock.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

// Opens `path`, logging failures: a missing file is normal (debug), anything else is warned
// about once per file.
int OpenLogged(const std::string& path, int flags, bool* warned) {
  int fd = open(path.c_str(), flags | O_CLOEXEC, 0644);
  if (fd >= 0) return fd;
  int e = errno;
  if (e == ENOENT || e == ENOTDIR || *warned) {
    log::Debug("utmp: cannot open {}: {}", path, std::strerror(e));
  } else {
    log::Warn("utmp: cannot open {}: {} (not recording logins/runlevels there)", path,
              std::strerror(e));
    *warned = true;
  }
  return -1;
}

// Takes a whole-file fcntl() lock like glibc's utmp code, but never blocks PID 1 for long: a few
// short retries, then carry on unlocked.
void Lock(int fd, short type) {
  struct flock fl = {};
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  for (int i = 0; i < 10; ++i) {
    if (fcntl(fd, F_SETLK, &fl) == 0) return;
    if (errno != EAGAIN && errno != EACCES && errno != EINTR) break;
    timespec ts = {0, 2'000'000};
    nanosleep(&ts, nullptr);
  }
  log::Debug("utmp: could not lock fd {}: writing unlocked", fd);
}

off_t AlignedSize(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0) return -1;
  return st.st_size - st.st_size % static_cast<off_t>(kRecSize);
}

bool ReadRec(int fd, off_t off, struct utmp* u) {
  return pread(fd, u, kRecSize, off) == static_cast<ssize_t>(kRecSize);
}

bool WriteRec(int fd, off_t off, const struct utmp& u) {
  return pwrite(fd, &u, kRecSize, off) == static_cast<ssize_t>(kRecSize);
}

bool IsProcessType(int t) {
  return t == INIT_PROCESS || t == LOGIN_PROCESS || t == USER_PROCESS || t == DEAD_PROCESS;
}

// glibc's getutid() rule, which pututline() uses to pick the slot to overwrite.
bool SameSlot(const struct utmp& have, const struct utmp& want) {
  if (IsProcessType(want.ut_type)) {
    return IsProcessType(have.ut_type) &&
           std::strncmp(have.ut_id, want.ut_id, sizeof(want.ut_id)) == 0;
  }
  return have.ut_type == want.ut_type;
}

// pututline(): overwrite the matching record, else append at the end (dropping a partial
// trailing record). For DEAD_PROCESS the old record's line is kept and returned in *old_line.
bool PutLine(int fd, struct utmp rec, std::string* old_line) {
  off_t end = AlignedSize(fd);
  if (end < 0) return false;
  off_t slot = end;
  struct utmp have;
  for (off_t off = 0; off < end; off += kRecSize) {
    if (!ReadRec(fd, off, &have)) break;
    if (SameSlot(have, rec)) {
      slot = off;
      break;
    }
  }
  if (slot != end && rec.ut_type == DEAD_PROCESS) {
    std::memcpy(rec.ut_line, have.ut_line, sizeof(rec.ut_line));
    if (old_line != nullptr)
      *old_line = std::string(have.ut_line, strnlen(have.ut_line, sizeof(have.ut_line)));
  }
  return WriteRec(fd, slot, rec);
}

bool Append(int fd, const struct utmp& rec) {
  off_t end = AlignedSize(fd);
  return end >= 0 && WriteRec(fd, end, rec);
}

template <size_t N>
void CopyField(char (&dst)[N], const std::string& src) {
  std::strncpy(dst, src.c_str(), N);  // NUL-padded, not necessarily NUL-terminated (utmp rule)
}

struct utmp MakeRec(int type, const char* user, const std::string& id, pid_t pid,
                    const std::string& line, const timeval& tv) {
  struct utmp u;
  std::memset(&u, 0, sizeof(u));
  u.ut_type = static_cast<short>(type);
  u.ut_pid = pid;
  CopyField(u.ut_user, user);
  CopyField(u.ut_id, id);
  CopyField(u.ut_line, line);
  u.ut_tv.tv_sec = static_cast<decltype(u.ut_tv.tv_sec)>(tv.tv_sec);
  u.ut_tv.tv_usec = static_cast<decltype(u.ut_tv.tv_usec)>(tv.tv_usec);
  return u;
}

timeval Now() {
  timeval tv{};
  gettimeofday(&tv, nullptr);
  return tv;
}

int LevelPid(char now, char prev) {
  return static_cast<unsigned char>(now) + 256 * static_cast<unsigned char>(prev ? prev : 'N');
}

}  // namespace

UtmpWriter::UtmpWriter(std::string root) : root_(std::move(root)) {
  if (root_.empty() || root_.back() != '/') root_ += '/';
}

void UtmpWriter::Truncate() noexcept {
  try {
    Fd fd(OpenLogged(utmp_path(), O_WRONLY | O_CREAT | O_TRUNC, &warned_utmp_));
    utmp_pending_ = {};
  } catch (...) {
  }
}

void UtmpWriter::BootTime() noexcept {
  try {
    booted_ = true;
    boot_tv_ = Now();
    utmp_pending_.boot = false;
    wtmp_pending_.boot = false;
    utmp_pending_.boot = !WriteUtmp(BOOT_TIME, "reboot", "~~", 0, "~", boot_tv_, nullptr);
    wtmp_pending_.boot = !WriteWtmp(BOOT_TIME, "reboot", "~~", 0, "~", boot_tv_);
  } catch (...) {
  }
}

void UtmpWriter::Runlevel(char now, char prev) noexcept {
  try {
    have_level_ = true;
    level_now_ = now;
    level_prev_ = prev;
    timeval tv = Now();
    int pid = LevelPid(now, prev);
    utmp_pending_.level = false;
    wtmp_pending_.level = false;
    utmp_pending_.level = !WriteUtmp(RUN_LVL, "runlevel", "~~", pid, "~", tv, nullptr);
    wtmp_pending_.level = !WriteWtmp(RUN_LVL, "runlevel", "~~", pid, "~", tv);
    Fd fd(OpenLogged(runlevel_path(), O_WRONLY | O_CREAT | O_TRUNC, &warned_level_));
    if (fd.get() >= 0 && write(fd.get(), &now, 1) != 1) {
      log::Debug("utmp: cannot write {}: {}", runlevel_path(), std::strerror(errno));
    }
  } catch (...) {
  }
}

void UtmpWriter::InitProcess(pid_t pid, const std::string& id) noexcept {
  try {
    timeval tv = Now();
    WriteUtmp(INIT_PROCESS, "", id, pid, "", tv, nullptr);
    WriteWtmp(INIT_PROCESS, "", id, pid, "", tv);
  } catch (...) {
  }
}

void UtmpWriter::DeadProcess(pid_t pid, const std::string& id) noexcept {
  try {
    timeval tv = Now();
    std::string old_line;
    WriteUtmp(DEAD_PROCESS, "", id, pid, "", tv, &old_line);
    WriteWtmp(DEAD_PROCESS, "", id, pid, old_line, tv);
  } catch (...) {
  }
}

bool UtmpWriter::WriteUtmp(int type, const char* user, const std::string& id, pid_t pid,
                           const std::string& line, const timeval& tv,
                           std::string* old_line) noexcept {
  try {
    Fd fd(OpenLogged(utmp_path(), O_RDWR, &warned_utmp_));
    if (fd.get() < 0) return false;
    Lock(fd.get(), F_WRLCK);
    // Emptied since boot (rc scripts do `: > /var/run/utmp`): put boot and level back first.
    if (booted_ && AlignedSize(fd.get()) == 0) utmp_pending_ = {true, have_level_};
    if (utmp_pending_.boot && type != BOOT_TIME &&
        PutLine(fd.get(), MakeRec(BOOT_TIME, "reboot", "~~", 0, "~", boot_tv_), nullptr)) {
      utmp_pending_.boot = false;
    }
    if (utmp_pending_.level && type != RUN_LVL &&
        PutLine(fd.get(),
                MakeRec(RUN_LVL, "runlevel", "~~", LevelPid(level_now_, level_prev_), "~", tv),
                nullptr)) {
      utmp_pending_.level = false;
    }
    if (PutLine(fd.get(), MakeRec(type, user, id, pid, line, tv), old_line)) return true;
    log::Debug("utmp: cannot write {}: {}", utmp_path(), std::strerror(errno));
  } catch (...) {
  }
  return false;
}

bool UtmpWriter::WriteWtmp(int type, const char* user, const std::string& id, pid_t pid,
                           const std::string& line, const timeval& tv) noexcept {
  try {
    Fd fd(OpenLogged(wtmp_path(), O_WRONLY, &warned_wtmp_));
    if (fd.get() < 0) return false;
    Lock(fd.get(), F_WRLCK);
    struct utsname un;
    std::string host = uname(&un) == 0 ? un.release : "";
    auto rec = [&](int t, const char* u, const std::string& i, int p, const std::string& l,
                   const timeval& when) {
      struct utmp r = MakeRec(t, u, i, p, l, when);
      CopyField(r.ut_host, host);
      return r;
    };
    if (wtmp_pending_.boot && type != BOOT_TIME &&
        Append(fd.get(), rec(BOOT_TIME, "reboot", "~~", 0, "~", boot_tv_))) {
      wtmp_pending_.boot = false;
    }
    if (wtmp_pending_.level && type != RUN_LVL &&
        Append(fd.get(),
               rec(RUN_LVL, "runlevel", "~~", LevelPid(level_now_, level_prev_), "~", tv))) {
      wtmp_pending_.level = false;
    }
    if (Append(fd.get(), rec(type, user, id, pid, line, tv))) return true;
    log::Debug("utmp: cannot write {}: {}", wtmp_path(), std::strerror(errno));
  } catch (...) {
  }
  return false;
}

std::optional<std::pair<char, char>> UtmpWriter::ReadRunlevel(const std::string& root) noexcept {
  try {
    UtmpWriter paths(root);
    Fd fd(open(paths.utmp_path().c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() >= 0) {
      struct utmp u;
      for (off_t off = 0; ReadRec(fd.get(), off, &u); off += kRecSize) {
        if (u.ut_type != RUN_LVL) continue;
        unsigned pid = static_cast<unsigned>(u.ut_pid);
        char prev = static_cast<char>((pid / 256) & 0xff);
        return std::make_pair(prev == 0 ? 'N' : prev, static_cast<char>(pid % 256));
      }
    }
    Fd lf(open(paths.runlevel_path().c_str(), O_RDONLY | O_CLOEXEC));
    char c = 0;
    if (lf.get() >= 0 && read(lf.get(), &c, 1) == 1) return std::make_pair('N', c);
  } catch (...) {
  }
  return std::nullopt;
}

}  // namespace ctinit
