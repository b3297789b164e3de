#include "init/base/console.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace ctinit::console {

Stream::Stream(int fd, size_t buffer_bytes) : fd_(fd), capacity_(buffer_bytes) {
  struct stat st {};
  if (::fstat(fd, &st) != 0 || S_ISREG(st.st_mode) || S_ISBLK(st.st_mode)) return;
  if (S_ISSOCK(st.st_mode)) {
    mode_ = Mode::kSocket;
    return;
  }
  std::string self = "/proc/self/fd/" + std::to_string(fd);
  private_fd_ = ::open(self.c_str(), O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  mode_ = private_fd_ >= 0 ? Mode::kPrivate : Mode::kPollFirst;
}

Stream::~Stream() {
  Flush();
  if (private_fd_ >= 0) ::close(private_fd_);
}

size_t Stream::WriteSome(const char* p, size_t n) noexcept {
  size_t done = 0;
  while (done < n) {
    ssize_t w;
    switch (mode_) {
      case Mode::kSocket:
        w = ::send(fd_, p + done, n - done, MSG_DONTWAIT | MSG_NOSIGNAL);
        break;
      case Mode::kPrivate:
        w = ::write(private_fd_, p + done, n - done);
        break;
      case Mode::kPollFirst: {
        pollfd pf{fd_, POLLOUT, 0};
        if (::poll(&pf, 1, 0) != 1) return done;
        if (pf.revents & (POLLERR | POLLNVAL)) return n;  // nobody reads: nothing to wait for
        if (!(pf.revents & POLLOUT)) return done;
        w = ::write(fd_, p + done, std::min<size_t>(n - done, PIPE_BUF));
        break;
      }
      default:
        w = ::write(fd_, p + done, n - done);
        break;
    }
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return done;
    if (w <= 0) return n;  // nobody reads (EPIPE) or a dead stream: nothing to wait for
    done += static_cast<size_t>(w);
  }
  return done;
}

void Stream::Write(std::string_view text) noexcept {
  try {
    const bool was_pending = pending();
    Flush();
    if (!pending()) {
      text.remove_prefix(WriteSome(text.data(), text.size()));
      if (text.empty()) return;
    }
    if (buffer_.size() + text.size() > capacity_) {
      dropped_ += text.size();
      dropped_total_ += text.size();
    } else {
      buffer_.append(text);
    }
    if (!was_pending && on_pending_) on_pending_();
  } catch (...) {  // bad_alloc: the text is lost, PID 1 goes on
  }
}

void Stream::Flush() noexcept {
  try {
    for (;;) {
      if (buffer_.empty()) {
        if (dropped_ == 0) return;
        // Drained: say what was lost, once (queued like any other line).
        buffer_ =
            "ctinit: warning: " + std::to_string(dropped_) + " bytes of console output dropped\n";
        dropped_ = 0;
      }
      buffer_.erase(0, WriteSome(buffer_.data(), buffer_.size()));
      if (!buffer_.empty()) return;
    }
  } catch (...) {
  }
}

void Stream::FlushFor(std::chrono::milliseconds bound) noexcept {
  const auto end = std::chrono::steady_clock::now() + bound;
  for (Flush(); pending(); Flush()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        end - std::chrono::steady_clock::now());
    if (left.count() <= 0) return;
    pollfd pf{private_fd_ >= 0 ? private_fd_ : fd_, POLLOUT, 0};
    if (::poll(&pf, 1, static_cast<int>(left.count())) < 0 && errno != EINTR) return;
  }
}

Stream& Err() {
  static Stream* err = new Stream(STDERR_FILENO);  // never destroyed: logging until the end
  return *err;
}

}  // namespace ctinit::console
