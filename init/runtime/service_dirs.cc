#include "init/runtime/service_dirs.h"

#include <dirent.h>
#include <fcntl.h>
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

// Removes `name` (below `dir`) and its contents; false when something stayed.
bool RemoveAt(int dir, const char* name, int depth, std::string* err) {
  if (::unlinkat(dir, name, 0) == 0 || errno == ENOENT) return true;
  if (errno != EISDIR && errno != EPERM) {
    *err = std::string(name) + ": " + strerror(errno);
    return false;
  }
  if (depth >= kMaxDepth) {
    *err = std::string(name) + ": deeper than " + std::to_string(kMaxDepth) + " levels";
    return false;
  }
  int fd = ::openat(dir, name, kDirFlags);
  if (fd < 0) {
    *err = std::string(name) + ": " + strerror(errno);
    return false;
  }
  DIR* d = ::fdopendir(fd);
  if (!d) {
    ::close(fd);
    *err = std::string(name) + ": " + strerror(errno);
    return false;
  }
  bool ok = true;
  while (struct dirent* e = ::readdir(d)) {
    std::string_view n = e->d_name;
    if (n == "." || n == "..") continue;
    ok = RemoveAt(::dirfd(d), e->d_name, depth + 1, err) && ok;
  }
  ::closedir(d);
  if (::unlinkat(dir, name, AT_REMOVEDIR) != 0 && errno != ENOENT) {
    if (ok) *err = std::string(name) + ": " + strerror(errno);
    return false;
  }
  return ok;
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

bool RemoveDirectoryBelow(const std::string& base, const std::string& relative,
                          std::string* err) noexcept {
  try {
    if (!files::IsNormalisedRelativePath(relative)) {
      *err = "\"" + relative + "\" is not a normalised relative path";
      return false;
    }
    Fd dir(::open(base.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir.get() < 0) return errno == ENOENT;
    std::vector<std::string> parts = text::Split(relative, '/');
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
      int next = ::openat(dir.get(), parts[i].c_str(), kDirFlags);
      if (next < 0) {
        if (errno == ENOENT) return true;
        *err = OpenError(dir.get(), parts[i], errno);
        return false;
      }
      dir.Reset(next);
    }
    return RemoveAt(dir.get(), parts.back().c_str(), 0, err);
  } catch (...) {
    *err = "out of memory";
    return false;
  }
}

}  // namespace ctinit::sys
