#include "init/runtime/mount_watch.h"

#include <fcntl.h>

#include <cerrno>
#include <cstring>

#include "init/base/log.h"

namespace ctinit {

MountWatch::MountWatch(boost::asio::io_context& io, std::function<void()> changed)
    : io_(io), changed_(std::move(changed)) {}

MountWatch::~MountWatch() = default;

void MountWatch::Start() {
  if (mountinfo_) return;
  int fd = ::open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    log::Debug("cannot watch mounts: {}", strerror(errno));
    return;
  }
  mountinfo_ = std::make_unique<boost::asio::posix::stream_descriptor>(io_, fd);
  Wait();
}

void MountWatch::Wait() {
  // The kernel reports a change of the mount table as an exceptional condition (POLLPRI and
  // POLLERR), which Asio's wait_error waits for.
  mountinfo_->async_wait(boost::asio::posix::stream_descriptor::wait_error,
                         [this](const boost::system::error_code& ec) {
                           if (ec) return;
                           log::Guarded("mount change", [this] { changed_(); });
                           log::Guarded("mount watch re-arm", [this] { Wait(); });
                         });
}

}  // namespace ctinit
