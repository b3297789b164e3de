// The $NOTIFY_SOCKET of services with Readiness::kNotify (sd_notify(3)'s protocol): one
// datagram socket for all of them, whose messages arrive with the sender's credentials
// (SO_PASSCRED), so ctinit knows which process sent what. A datagram is newline-separated
// "KEY=VALUE" fields ("READY=1\nSTATUS=Serving"); at most kMaxDatagram bytes, fds sent along are
// closed. The handler gets the sender's pid and the fields. A sender that bound an address of
// its own gets "ACK" back once its datagram was handled (ctinit's systemd-notify waits for
// it, so that it is still alive when ctinit looks at its process group).
//
// The socket is made mode 0666 (a service running as any user may notify; what it may say is
// decided by the supervisor's NotifyAccess rules), in a world-searchable directory.
// Nothing here throws.
#pragma once

#include <sys/types.h>

#include <boost/asio.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ctinit {

class NotifySocket {
 public:
  static constexpr size_t kMaxDatagram = 4096;
  using Handler = std::function<void(pid_t sender, const std::vector<std::string>& fields)>;
  // With the sender's user too (SCM_CREDENTIALS gives it with the pid): what a sender may say
  // depends on it (a non-root MAINPID= must name one of the service's processes).
  using UserHandler =
      std::function<void(pid_t sender, uid_t uid, const std::vector<std::string>& fields)>;

  NotifySocket(boost::asio::io_context& io, Handler handler);
  NotifySocket(boost::asio::io_context& io, UserHandler handler);
  ~NotifySocket();
  // Creates the socket at `path` (replacing a stale one). False (logged) if it cannot.
  bool Open(const std::string& path);
  void Close();
  bool open() const { return sd_ != nullptr; }
  // True while `path` still names our socket (a tmpfs mounted on /run hides it).
  bool StillThere() const;
  const std::string& path() const { return path_; }

  // Splits a datagram into its fields (empty lines dropped). Exposed for tests.
  static std::vector<std::string> Fields(const std::string& datagram);

 private:
  void Wait();
  void Read();

  boost::asio::io_context& io_;
  UserHandler handler_;
  std::unique_ptr<boost::asio::posix::stream_descriptor> sd_;
  std::string path_;
  dev_t dev_ = 0;
  ino_t ino_ = 0;
};

}  // namespace ctinit
