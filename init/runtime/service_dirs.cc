#include "init/runtime/service_dirs.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>  // renameat2, RENAME_NOREPLACE
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string_view>
#include <vector>

#include "init/base/files.h"
#include "init/base/text.h"

namespace ctinit::sys {
namespace {

// Closes a descriptor when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  void Reset(int fd) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

constexpr int kDirFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK;

// Why openat(dir, name, kDirFlags) failed, naming a link as such (the kernel says ELOOP or
// ENOTDIR for one, depending on the flags).
std::string OpenError(int dir, const std::string& name, int err) {
  struct stat st {};
  if ((err == ELOOP || err == ENOTDIR) &&
      ::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
    return name + ": is a symbolic link";
  return name + ": " + strerror(err);
}

// mkdir -p for the base, following links (it is the system's directory, e.g. /run).
bool MakeBase(const std::string& base, std::string* err) {
  if (base.empty() || base[0] != '/') {
    *err = "\"" + base + "\" is not an absolute path";
    return false;
  }
  for (size_t pos = 1;; ++pos) {
    pos = base.find('/', pos);
    std::string prefix = base.substr(0, pos);
    if (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) {
      *err = prefix + ": " + strerror(errno);
      return false;
    }
    if (pos == std::string::npos) return true;
  }
}

// Enters `name` below `dir` without following a link; makes it (root, 0755) when `make`.
int EnterChild(int dir, const std::string& name, bool make, std::string* err) {
  if (make && ::mkdirat(dir, name.c_str(), 0755) == 0) {
    int fd = ::openat(dir, name.c_str(), kDirFlags);
    if (fd >= 0) (void)::fchmod(fd, 0755);  // despite the umask
    if (fd < 0) *err = name + ": " + strerror(errno);
    return fd;
  }
  if (make && errno != EEXIST) {
    *err = name + ": " + strerror(errno);
    return -1;
  }
  int fd = ::openat(dir, name.c_str(), kDirFlags);
  if (fd < 0) *err = OpenError(dir, name, errno);
  return fd;
}

// A hidden name, unique within this process, for a tree whose removal has begun.
std::string RemovingName() {
  static unsigned long counter = 0;
  return ".ctinit-removing." + std::to_string(::getpid()) + "." + std::to_string(++counter);
}

}  // namespace

bool MakeDirectoryBelow(const std::string& base, const std::string& relative, mode_t mode,
                        uid_t uid, gid_t gid, std::string* err) noexcept {
  try {
    if (!files::IsNormalisedRelativePath(relative)) {
      *err = "\"" + relative + "\" is not a normalised relative path";
      return false;
    }
    if (!MakeBase(base, err)) return false;
    Fd dir(::open(base.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir.get() < 0) {
      *err = base + ": " + strerror(errno);
      return false;
    }
    std::vector<std::string> parts = text::Split(relative, '/');
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
      dir.Reset(EnterChild(dir.get(), parts[i], true, err));
      if (dir.get() < 0) return false;
    }
    const std::string& last = parts.back();
    if (::mkdirat(dir.get(), last.c_str(), mode) != 0 && errno != EEXIST) {
      *err = strerror(errno);
      return false;
    }
    Fd self(::openat(dir.get(), last.c_str(), kDirFlags));
    if (self.get() < 0) {
      *err = OpenError(dir.get(), last, errno);
      return false;
    }
    if (::fchown(self.get(), uid, gid) != 0 || ::fchmod(self.get(), mode) != 0) {
      *err = strerror(errno);
      return false;
    }
    return true;
  } catch (...) {
    *err = "out of memory";
    return false;
  }
}

DirectoryRemoval::DirectoryRemoval(const std::string& base, const std::string& relative) noexcept {
  try {
    levels_.reserve(kMaxDepth + 1);  // so that pushing a level never throws and leaks its DIR
    Begin(base, relative);
  } catch (...) {
    Fail("out of memory");
  }
}

DirectoryRemoval::~DirectoryRemoval() {
  for (auto& level : levels_) ::closedir(level.dir);
  if (parent_ >= 0) ::close(parent_);
}

void DirectoryRemoval::Fail(const std::string& why) {
  if (error_.empty()) error_ = why;
}

// Finds base/relative's parent by descriptors, opens the directory itself and moves it out of
// the way. Leaves levels_ empty when there is nothing (more) to do.
void DirectoryRemoval::Begin(const std::string& base, const std::string& relative) {
  if (!files::IsNormalisedRelativePath(relative))
    return Fail("\"" + relative + "\" is not a normalised relative path");
  parent_ = ::open(base.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (parent_ < 0) {
    if (errno != ENOENT) Fail(base + ": " + strerror(errno));
    return;
  }
  std::vector<std::string> parts = text::Split(relative, '/');
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    int next = ::openat(parent_, parts[i].c_str(), kDirFlags);
    if (next < 0) {
      if (errno != ENOENT) Fail(OpenError(parent_, parts[i], errno));
      return;
    }
    ::close(parent_);
    parent_ = next;
  }
  const std::string& last = parts.back();
  int fd = ::openat(parent_, last.c_str(), kDirFlags);
  if (fd < 0) {
    int open_errno = errno;
    if (open_errno == ENOENT) return;
    // A link or a file where the directory should be: it goes, what it points at stays.
    if ((open_errno == ELOOP || open_errno == ENOTDIR) &&
        ::unlinkat(parent_, last.c_str(), 0) == 0) {
      ++removed_;
      return;
    }
    return Fail(last + ": " + strerror(open_errno));
  }
  DIR* dir = ::fdopendir(fd);
  if (!dir) {
    ::close(fd);
    return Fail(last + ": " + strerror(errno));
  }
  // Never over anything (RENAME_NOREPLACE): the parent may be the service user's.
  std::string name = last;
  for (int attempt = 0; attempt < 4; ++attempt) {
    std::string hidden = RemovingName();
    if (::renameat2(parent_, last.c_str(), parent_, hidden.c_str(), RENAME_NOREPLACE) == 0) {
      name = hidden;
      break;
    }
    if (errno != EEXIST) break;  // e.g. EINVAL from a file system without the flag: in place
  }
  levels_.push_back({dir, name});
}

bool DirectoryRemoval::Step(size_t budget, std::chrono::steady_clock::time_point until) noexcept {
  const bool timed = until != std::chrono::steady_clock::time_point::max();
  try {
    for (size_t looked = 0; looked < budget && !levels_.empty(); ++looked) {
      // The clock is read every 16 entries (never before the first: every step gets somewhere).
      if (timed && looked > 0 && looked % 16 == 0 && std::chrono::steady_clock::now() >= until)
        break;
      errno = 0;
      struct dirent* entry = ::readdir(levels_.back().dir);
      if (!entry) {
        if (errno != 0) Fail(levels_.back().name + ": " + strerror(errno));
        Leave();
        continue;
      }
      std::string_view name = entry->d_name;
      if (name != "." && name != "..") Visit(entry->d_name);
    }
  } catch (...) {
    Fail("out of memory");
    while (!levels_.empty()) {
      ::closedir(levels_.back().dir);
      levels_.pop_back();
    }
  }
  return levels_.empty();
}

// One entry of the directory being emptied: unlinked, or (a directory) entered.
void DirectoryRemoval::Visit(const char* name) {
  int dir = ::dirfd(levels_.back().dir);
  if (::unlinkat(dir, name, 0) == 0) {
    ++removed_;
    return;
  }
  if (errno == ENOENT) return;
  if (errno != EISDIR && errno != EPERM) return Fail(std::string(name) + ": " + strerror(errno));
  if (levels_.size() >= static_cast<size_t>(kMaxDepth))
    return Fail(std::string(name) + ": deeper than " + std::to_string(kMaxDepth) + " levels");
  int fd = ::openat(dir, name, kDirFlags);
  DIR* child = fd >= 0 ? ::fdopendir(fd) : nullptr;
  if (!child) {
    Fail(std::string(name) + ": " + strerror(errno));
    if (fd >= 0) ::close(fd);
    return;
  }
  levels_.push_back({child, name});
}

// The directory on top is empty (or as empty as it gets): closed and removed from its parent.
void DirectoryRemoval::Leave() {
  Level top = std::move(levels_.back());
  levels_.pop_back();
  ::closedir(top.dir);
  int up = levels_.empty() ? parent_ : ::dirfd(levels_.back().dir);
  if (::unlinkat(up, top.name.c_str(), AT_REMOVEDIR) == 0)
    ++removed_;
  else if (errno != ENOENT)
    Fail(top.name + ": " + strerror(errno));
}

bool RemoveDirectoryBelow(const std::string& base, const std::string& relative,
                          std::string* err) noexcept {
  DirectoryRemoval removal(base, relative);
  while (!removal.Step(SIZE_MAX)) {
  }
  *err = removal.error();
  return removal.ok();
}

}  // namespace ctinit::sys
