#include "init/runtime/notify.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "init/base/log.h"

namespace ctinit {

NotifySocket::NotifySocket(boost::asio::io_context& io, Handler handler)
    : NotifySocket(io,
                   UserHandler([h = std::move(handler)](pid_t sender, uid_t,
                                                        const std::vector<std::string>& fields) {
                     h(sender, fields);
                   })) {}

NotifySocket::NotifySocket(boost::asio::io_context& io, UserHandler handler)
    : io_(io), handler_(std::move(handler)) {}

NotifySocket::~NotifySocket() { Close(); }

std::vector<std::string> NotifySocket::Fields(const std::string& datagram) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < datagram.size()) {
    size_t nl = datagram.find('\n', pos);
    if (nl == std::string::npos) nl = datagram.size();
    if (nl > pos) out.push_back(datagram.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return out;
}

bool NotifySocket::Open(const std::string& path) {
  Close();
  path_ = path;
  sockaddr_un addr{};
  if (path.size() >= sizeof(addr.sun_path)) {
    log::Warn("notify socket {}: path too long", path);
    return false;
  }
  std::string dir = path.substr(0, path.rfind('/'));
  if (!dir.empty()) ::mkdir(dir.c_str(), 0755);
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    log::Warn("notify socket: {}", strerror(errno));
    return false;
  }
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one));
  addr.sun_family = AF_UNIX;
  memcpy(addr.sun_path, path.c_str(), path.size());
  ::unlink(path.c_str());
  // The mode comes from the umask at bind(): a chmod by path afterwards could be sent elsewhere
  // by whatever replaced the socket file in between.
  mode_t old_umask = ::umask(0111);
  int bound = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  int bind_errno = errno;
  ::umask(old_umask);
  if (bound != 0) {
    log::Warn("notify socket {}: {}; Type=notify services will time out", path,
              strerror(bind_errno));
    ::close(fd);
    return false;
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    dev_ = st.st_dev;
    ino_ = st.st_ino;
  }
  try {
    sd_ = std::make_unique<boost::asio::posix::stream_descriptor>(io_, fd);
  } catch (const std::exception& e) {
    log::Warn("notify socket: {}", e.what());
    ::close(fd);
    return false;
  }
  Wait();
  return true;
}

void NotifySocket::Close() {
  if (!sd_) return;
  boost::system::error_code ec;
  sd_->close(ec);
  sd_.reset();
}

bool NotifySocket::StillThere() const {
  struct stat st {};
  return sd_ && ::stat(path_.c_str(), &st) == 0 && st.st_dev == dev_ && st.st_ino == ino_;
}

void NotifySocket::Wait() {
  if (!sd_) return;
  sd_->async_wait(boost::asio::posix::stream_descriptor::wait_read,
                  [this](const boost::system::error_code& ec) {
                    if (ec || !sd_) return;
                    try {
                      Read();
                    } catch (const std::exception& e) {
                      log::Error("notify socket: {}", e.what());
                    }
                    Wait();
                  });
}

void NotifySocket::Read() {
  for (int i = 0; i < 64 && sd_; ++i) {  // bounded: the loop gets its turn back
    char buf[kMaxDatagram + 1];
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(ucred)) + CMSG_SPACE(sizeof(int) * 16)];
    iovec iov{buf, kMaxDatagram};
    sockaddr_un from{};
    msghdr msg{};
    msg.msg_name = &from;
    msg.msg_namelen = sizeof(from);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    ssize_t n = ::recvmsg(sd_->native_handle(), &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    if (n < 0) return;  // EAGAIN: drained
    pid_t sender = 0;
    uid_t uid = 0;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level != SOL_SOCKET) continue;
      if (c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len >= CMSG_LEN(sizeof(ucred))) {
        ucred cr;
        memcpy(&cr, CMSG_DATA(c), sizeof(cr));
        sender = cr.pid;
        uid = cr.uid;
      } else if (c->cmsg_type == SCM_RIGHTS) {  // fd store is not supported: close them
        size_t nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t k = 0; k < nfd; ++k) {
          int fd;
          memcpy(&fd, CMSG_DATA(c) + k * sizeof(int), sizeof(int));
          ::close(fd);
        }
      }
    }
    if (sender <= 0 || (msg.msg_flags & MSG_TRUNC)) {
      log::Debug("notify socket: dropped a datagram without credentials or too long");
      continue;
    }
    auto fields = Fields(std::string(buf, static_cast<size_t>(n)));
    if (!fields.empty()) handler_(sender, uid, fields);
    // A sender with an address of its own (ctinit's systemd-notify) waits for this, so that it
    // still exists while its process group is looked up (NotifyAccess=all).
    if (msg.msg_namelen > sizeof(sa_family_t))
      ::sendto(sd_->native_handle(), "ACK", 3, MSG_DONTWAIT | MSG_NOSIGNAL,
               reinterpret_cast<sockaddr*>(&from), msg.msg_namelen);
  }
}

}  // namespace ctinit
