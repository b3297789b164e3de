// Reading a file whose path a service (or its user) controls, from inside PID 1: a pid file in
// a directory the service owns, an EnvironmentFile=. Such a path may hold a FIFO (open(2) would
// wait for a writer for ever), a device, a directory, a symlink to anything, or gigabytes.
// ReadUntrustedFile opens with O_NONBLOCK (a FIFO or device open returns at once), optionally
// O_NOFOLLOW, accepts only a regular file (fstat) and at most `max_bytes` of it. PID 1 never
// waits on anything but the local file system.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>

namespace ctinit::files {

struct UntrustedRead {
  size_t max_bytes = 64 * 1024;  // a larger file is refused, not truncated
  bool follow_links = false;     // false: a symlink as the last component is refused (ELOOP)
  uid_t* owner = nullptr;        // when set: the file's owner (who may have written it)
};

// The whole of the regular file at `path`. False with *err ("not a regular file", "larger than
// 65536 bytes", strerror text) when it cannot be opened, is not a regular file or is too large.
bool ReadUntrustedFile(const std::string& path, const UntrustedRead& how, std::string* out,
                       std::string* err);

}  // namespace ctinit::files
