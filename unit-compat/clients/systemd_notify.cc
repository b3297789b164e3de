// systemd-notify (see systemd_notify.h).
#include "unit-compat/clients/systemd_notify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "init/protocol/control.h"

namespace ctinit::units {

namespace {

bool Send(int fd, const sockaddr_un& addr, socklen_t len, const std::string& msg, pid_t as) {
  iovec iov{const_cast<char*>(msg.data()), msg.size()};
  msghdr mh{};
  mh.msg_name = const_cast<sockaddr_un*>(&addr);
  mh.msg_namelen = len;
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(ucred))] = {};
  if (as > 0) {
    mh.msg_control = control;
    mh.msg_controllen = sizeof(control);
    cmsghdr* c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_CREDENTIALS;
    c->cmsg_len = CMSG_LEN(sizeof(ucred));
    ucred cr{as, getuid(), getgid()};
    memcpy(CMSG_DATA(c), &cr, sizeof(cr));
  }
  return ::sendmsg(fd, &mh, MSG_NOSIGNAL) >= 0;
}

// The datagram for the arguments in *msg; an exit code when the arguments end the program
// (--booted, an unknown option).
std::optional<int> BuildMessage(const std::vector<std::string>& args, std::string* msg) {
  for (const auto& a : args) {
    if (a == "--ready") {
      *msg += "READY=1\n";
    } else if (a == "--stopping") {
      *msg += "STOPPING=1\n";
    } else if (a == "--reloading") {
      *msg += "RELOADING=1\n";
    } else if (a.starts_with("--status=")) {
      *msg += "STATUS=" + a.substr(9) + "\n";
    } else if (a == "--pid") {
      *msg += "MAINPID=" + std::to_string(getppid()) + "\n";
    } else if (a.starts_with("--pid=")) {
      std::string v = a.substr(6);
      if (v == "self") v = std::to_string(getpid());
      if (v == "parent") v = std::to_string(getppid());
      *msg += "MAINPID=" + v + "\n";
    } else if (a == "--booted") {
      return getpid() != 1 && ::access(control::kSocketPath, F_OK) == 0 ? 0 : 1;
    } else if (a == "--no-block" || a == "-q" || a == "--quiet") {
      // nothing to wait for
    } else if (!a.empty() && a[0] != '-' && a.find('=') != std::string::npos) {
      *msg += a + "\n";
    } else {
      fprintf(stderr, "systemd-notify: unknown option %s\n", a.c_str());
      return 1;
    }
  }
  return std::nullopt;
}

// $NOTIFY_SOCKET as an address ('@': the abstract namespace); false (reported) if unusable.
bool NotifyAddress(sockaddr_un* addr, socklen_t* len) {
  const char* path = getenv("NOTIFY_SOCKET");
  if (!path || !*path) {
    fprintf(stderr, "systemd-notify: No notification socket specified\n");
    return false;
  }
  *addr = {};
  addr->sun_family = AF_UNIX;
  size_t n = strlen(path);
  if (n >= sizeof(addr->sun_path)) {
    fprintf(stderr, "systemd-notify: socket path too long\n");
    return false;
  }
  memcpy(addr->sun_path, path, n);
  if (addr->sun_path[0] == '@') addr->sun_path[0] = '\0';
  *len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + n + (addr->sun_path[0] ? 1 : 0));
  return true;
}

// As the parent (the service's main process) if permitted. Else as ourselves, from an address
// of our own, and wait (bounded) for ctinit's ACK: ctinit matches us to the service by our
// process group, which it can only look up while we exist.
int Notify(const sockaddr_un& addr, socklen_t len, const std::string& msg, pid_t parent) {
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    fprintf(stderr, "systemd-notify: %s\n", strerror(errno));
    return 1;
  }
  if (Send(fd, addr, len, msg, parent)) {
    ::close(fd);
    return 0;
  }
  sa_family_t fam = AF_UNIX;
  ::bind(fd, reinterpret_cast<sockaddr*>(&fam), sizeof(fam));  // autobind
  bool ok = Send(fd, addr, len, msg, 0);
  int e = errno;
  if (ok) {
    timeval tv{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    char ack[8];
    (void)!::recv(fd, ack, sizeof(ack), 0);
  }
  ::close(fd);
  if (!ok) {
    fprintf(stderr, "systemd-notify: failed to notify: %s\n", strerror(e));
    return 1;
  }
  return 0;
}

}  // namespace

int SystemdNotifyMain(const std::vector<std::string>& args) noexcept {
  try {
    pid_t parent = getppid();  // before anything else: it is who we speak for
    std::string msg;
    if (auto exit_code = BuildMessage(args, &msg)) return *exit_code;
    if (msg.empty()) {
      fprintf(stderr, "systemd-notify: no status field specified\n");
      return 1;
    }
    sockaddr_un addr;
    socklen_t len = 0;
    if (!NotifyAddress(&addr, &len)) return 1;
    return Notify(addr, len, msg, parent);
  } catch (...) {
    fprintf(stderr, "systemd-notify: out of memory\n");
  }
  return 1;
}

}  // namespace ctinit::units
