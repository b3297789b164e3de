#include "openrc-shim/applets/ready_notify.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

namespace ctinit::openrc {

using Notify = StartStopDaemonOptions::Notify;

ReadyChannel::~ReadyChannel() {
  for (int fd : {read_end_, write_end_, socket_})
    if (fd >= 0) close(fd);
  if (!socket_path_.empty()) unlink(socket_path_.c_str());
}

bool ReadyChannel::Open(Notify kind, int fd, const std::string& svcdir, const std::string& svc,
                        std::string* error) {
  kind_ = kind;
  target_fd_ = fd;
  if (kind == Notify::kFd) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) {
      *error = std::string("pipe: ") + strerror(errno);
      return false;
    }
    read_end_ = p[0];
    write_end_ = p[1];
    return true;
  }
  if (kind != Notify::kSocket) return true;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string path = svcdir + "/supervise-" + svc + ".sock";
  if (path.size() >= sizeof(addr.sun_path)) {
    *error = "socket path '" + path + "' too long.";
    return false;
  }
  memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  socket_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (socket_ < 0) {
    *error = std::string("socket: ") + strerror(errno);
    return false;
  }
  unlink(path.c_str());  // a socket left by an earlier start that never got READY=1
  if (bind(socket_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    *error = std::string("bind: ") + strerror(errno);
    return false;
  }
  socket_path_ = path;
  setenv("NOTIFY_SOCKET", path.c_str(), 1);
  return true;
}

bool ReadyChannel::InstallInChild(int* errfd) {
  if (kind_ != Notify::kFd) return true;
  if (*errfd == target_fd_) {
    int moved = fcntl(*errfd, F_DUPFD_CLOEXEC, target_fd_ + 1);
    if (moved < 0) return false;
    *errfd = moved;
  }
  if (write_end_ == target_fd_) return fcntl(target_fd_, F_SETFD, 0) == 0;
  if (dup2(write_end_, target_fd_) < 0) return false;  // dup2 leaves the copy open across exec
  close(write_end_);
  return true;
}

bool ReadyChannel::Wait() {
  if (kind_ == Notify::kNone) return true;
  int fd = socket_;
  if (kind_ == Notify::kFd) {
    close(write_end_);  // only the daemon's copy is left: its end is the pipe's end
    write_end_ = -1;
    fd = read_end_;
  }
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    if (kind_ == Notify::kFd) {
      if (memchr(buf, '\n', static_cast<size_t>(n)) != nullptr) return true;
      continue;
    }
    buf[n] = '\0';
    if (strstr(buf, "READY=1") != nullptr) return true;  // the destructor removes the socket
  }
}

}  // namespace ctinit::openrc
