#include "init/base/untrusted_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ctinit::files {

namespace {

// Reads at most `limit` + 1 bytes, so that a file that grew since fstat is still caught.
bool ReadBounded(int fd, size_t limit, std::string* out, std::string* err) {
  out->clear();
  char buf[8192];
  while (out->size() <= limit) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *err = strerror(errno);
      return false;
    }
    if (n == 0) return true;
    out->append(buf, static_cast<size_t>(n));
  }
  *err = "larger than " + std::to_string(limit) + " bytes";
  return false;
}

}  // namespace

bool ReadUntrustedFile(const std::string& path, const UntrustedRead& how, std::string* out,
                       std::string* err) {
  int flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | (how.follow_links ? 0 : O_NOFOLLOW);
  int fd = ::open(path.c_str(), flags);
  if (fd < 0) {
    *err = errno == ELOOP && !how.follow_links ? "a symbolic link" : strerror(errno);
    return false;
  }
  struct stat st {};
  bool ok = false;
  if (::fstat(fd, &st) != 0) {
    *err = strerror(errno);
  } else if (!S_ISREG(st.st_mode)) {
    *err = "not a regular file";
  } else if (static_cast<unsigned long long>(st.st_size) > how.max_bytes) {
    *err = "larger than " + std::to_string(how.max_bytes) + " bytes";
  } else {
    ok = ReadBounded(fd, how.max_bytes, out, err);
    if (how.owner) *how.owner = st.st_uid;
  }
  ::close(fd);
  return ok;
}

}  // namespace ctinit::files
