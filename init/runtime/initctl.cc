#include "init/runtime/initctl.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>

#include "init/base/log.h"
#include "init/base/printable.h"

namespace ctinit {

namespace {

void ApplyRunlevelRequest(const InitRequest& request, InitctlTarget& target,
                          const std::string& source) {
  char level = static_cast<char>(toupper(static_cast<unsigned char>(request.runlevel)));
  auto wait = std::chrono::milliseconds(1000LL * std::max(0, request.sleeptime));
  log::Verbose("{}: runlevel request '{}' (sleep {} s)", source, level, request.sleeptime);
  if (level == 'Q') {
    target.ReloadServices();
  } else if (level == 'A' || level == 'B' || level == 'C') {
    target.DemandServices(level);
  } else if (level == 'U') {
    log::Info("re-exec requested: ctinit keeps running with its state");
  } else if (level == 'S' || (level >= '0' && level <= '9')) {
    target.RequestLevel(level, wait);
  } else {
    log::Warn("{}: bad runlevel: {}", source, text::Printable(std::string_view(&level, 1)));
  }
}

}  // namespace

void ApplyInitRequest(const InitRequest& request, InitctlTarget& target,
                      const std::string& source) {
  switch (request.cmd) {
    case InitRequest::Cmd::kRunlevel:
      ApplyRunlevelRequest(request, target, source);
      break;
    case InitRequest::Cmd::kPowerFail:
      target.PowerEvent('F');
      break;
    case InitRequest::Cmd::kPowerFailNow:
      target.PowerEvent('L');
      break;
    case InitRequest::Cmd::kPowerOk:
      target.PowerEvent('O');
      break;
    case InitRequest::Cmd::kSetEnv:
      for (const auto& [name, value] : request.env) target.SetInitEnv(name, value);
      break;
  }
}

InitctlFifo::InitctlFifo(boost::asio::io_context& io, System& system, InitctlTarget& target)
    : io_(io), system_(system), target_(target) {}

InitctlFifo::~InitctlFifo() { Close(); }

void InitctlFifo::Open(const std::string& path) {
  Close();
  path_ = path;
  std::string err;
  bool serious = false;
  int fd = system_.OpenFifo(path, &err, &serious);
  if (fd < 0) {
    if (serious)
      log::Error("{}", err);
    else
      log::Warn("{}", err);
    return;
  }
  fifo_ = std::make_unique<boost::asio::posix::stream_descriptor>(io_, fd);
  Wait();
}

void InitctlFifo::Close() {
  if (!fifo_) return;
  boost::system::error_code ec;
  fifo_->close(ec);
  fifo_.reset();
}

bool InitctlFifo::StillThere() const {
  struct stat ours {
  }, named{};
  return fifo_ && ::fstat(fifo_->native_handle(), &ours) == 0 &&
         ::stat(path_.c_str(), &named) == 0 && ours.st_dev == named.st_dev &&
         ours.st_ino == named.st_ino;
}

void InitctlFifo::Wait() {
  if (!fifo_) return;
  // The handler runs after a Close()/Open() only with an error (operation_aborted) or for the
  // new descriptor's own wait: a stale wake-up must not read from a closed fd.
  fifo_->async_wait(boost::asio::posix::stream_descriptor::wait_read,
                    [this, fd = fifo_->native_handle()](const boost::system::error_code& ec) {
                      if (ec || !fifo_ || fifo_->native_handle() != fd) return;
                      log::Guarded("control fifo", [this] { Read(); });
                      log::Guarded("control fifo re-arm", [this] { Wait(); });
                    });
}

void InitctlFifo::Read() {
  unsigned char buf[kInitRequestSize];
  for (;;) {
    if (!fifo_) return;
    ssize_t n = ::read(fifo_->native_handle(), buf, sizeof buf);
    if (n <= 0) return;
    InitRequest request;
    std::string err;
    if (!DecodeInitRequest(buf, static_cast<size_t>(n), &request, &err)) {
      log::Warn("{}: {}", path_, err);
      continue;
    }
    if (!err.empty()) log::Warn("{}: {}", path_, err);
    ApplyInitRequest(request, target_, path_);
  }
}

}  // namespace ctinit
