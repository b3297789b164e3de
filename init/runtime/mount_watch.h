// MountWatch: a call whenever this mount namespace's mount table changes.
//
// PID 1's own sockets and FIFO (/run/initctl, /run/ctinit-control, /run/ctinit-notify) can stop
// being reachable by their paths without anyone telling us: Debian's rcS mounts a fresh tmpfs on
// /run after ctinit made them. sysvinit re-checks every 5 s; ctinit waits for the kernel's
// mount-table change notification instead (POLLPRI/POLLERR on /proc/self/mountinfo), so it
// never wakes up while idle and answers a mount at once.
#pragma once

#include <boost/asio.hpp>
#include <functional>
#include <memory>

namespace ctinit {

class MountWatch {
 public:
  MountWatch(boost::asio::io_context& io, std::function<void()> changed);
  ~MountWatch();
  // Starts watching; logs (debug) and does nothing when /proc is not mounted.
  void Start();

 private:
  void Wait();

  boost::asio::io_context& io_;
  std::function<void()> changed_;
  std::unique_ptr<boost::asio::posix::stream_descriptor> mountinfo_;
};

}  // namespace ctinit
