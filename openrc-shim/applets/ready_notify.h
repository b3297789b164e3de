// start-stop-daemon's --notify (OpenRC 0.63 src/shared/misc.c notify_parse/notify_wait): how the
// shim's start-stop-daemon waits until the daemon it started says it is ready.
//
//   fd:N          a pipe; the daemon gets its write end as descriptor N and writes a line
//                 (anything up to a newline) when ready. The end of the pipe without a newline
//                 (every holder closed it: the daemon died) is "not ready".
//   socket:ready  a datagram socket at $RC_SVCDIR/supervise-<svc>.sock (<svc> = $RC_SVCNAME,
//                 else "start-stop-daemon"), named in $NOTIFY_SOCKET for the daemon; a datagram
//                 holding READY=1 is "ready" (sd_notify(3)), and the socket is removed.
// Like OpenRC there is no time limit: the wait ends when the daemon is ready or (fd:N) gone.
// Nothing here throws but std::bad_alloc.
#pragma once

#include <string>

#include "openrc-shim/applets/start_stop_daemon_args.h"

namespace ctinit::openrc {

class ReadyChannel {
 public:
  ReadyChannel() = default;
  ReadyChannel(const ReadyChannel&) = delete;
  ReadyChannel& operator=(const ReadyChannel&) = delete;
  ~ReadyChannel();

  // Before the fork. False and *error when the pipe or socket cannot be made. For kSocket,
  // $NOTIFY_SOCKET is set in this process's environment (the child inherits it).
  bool Open(StartStopDaemonOptions::Notify kind, int fd, const std::string& svcdir,
            const std::string& svc, std::string* error);

  // The descriptor the child must keep open (the pipe's write end), -1 when none.
  int ChildEnd() const { return write_end_; }

  // In the child, after every other descriptor has been closed: the write end becomes the
  // daemon's descriptor N. `*errfd` (the child's error pipe) is moved out of the way first when
  // it is N. False (errno set) when dup2 fails.
  bool InstallInChild(int* errfd);

  // In the parent, once the child is forked: waits for the daemon's word. True when ready (and
  // when no notification was asked for).
  bool Wait();

 private:
  StartStopDaemonOptions::Notify kind_ = StartStopDaemonOptions::Notify::kNone;
  int target_fd_ = -1;
  int read_end_ = -1, write_end_ = -1;  // kFd
  int socket_ = -1;                     // kSocket
  std::string socket_path_;
};

}  // namespace ctinit::openrc
