#include "init/output_tap.h"

#include <fcntl.h>
#include <unistd.h>

#include "init/log.h"

namespace ctinit {

struct OutputTap::Reader {
  explicit Reader(boost::asio::io_context& io, int fd) : sd(io, fd) {}
  boost::asio::posix::stream_descriptor sd;
  std::string name;
  char buf[4096];
};

OutputTap::~OutputTap() {
  for (auto& [p, w] : readers_)
    if (auto r = w.lock()) {
      boost::system::error_code ec;
      r->sd.close(ec);
    }
}

int OutputTap::Tap(const std::string& name) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return -1;
  ::fcntl(fds[0], F_SETFL, ::fcntl(fds[0], F_GETFL) | O_NONBLOCK);
  try {
    auto r = std::make_shared<Reader>(io_, fds[0]);
    r->name = name;
    readers_[r.get()] = r;
    Read(r);
  } catch (const std::exception& e) {
    log::Debug("output tap for {}: {}", name, e.what());
    ::close(fds[0]);
    ::close(fds[1]);
    return -1;
  }
  return fds[1];
}

void OutputTap::Read(std::shared_ptr<Reader> r) {
  r->sd.async_read_some(boost::asio::buffer(r->buf),
                        [this, r](const boost::system::error_code& ec, size_t n) {
                          if (ec) {  // EOF: every writer is gone (or ctinit closed it)
                            readers_.erase(r.get());
                            return;
                          }
                          Take(*r, n);
                          Read(r);
                        });
}

void OutputTap::Take(Reader& r, size_t n) {
  // Passed through as it came: OpenRC's " * Starting x ... [ ok ]" spans two writes.
  size_t off = 0;
  while (off < n) {
    ssize_t w = ::write(STDOUT_FILENO, r.buf + off, n - off);
    if (w <= 0) break;
    off += static_cast<size_t>(w);
  }
  std::string& tail = tails_[r.name];
  tail.append(r.buf, n);
  if (tail.size() > kTailBytes) tail.erase(0, tail.size() - kTailBytes);
}

void OutputTap::Drain(const std::string& name) {
  for (auto& [p, w] : readers_) {
    auto r = w.lock();
    if (!r || r->name != name) continue;
    for (int i = 0; i < 64; ++i) {  // what is in the pipe now, bounded
      ssize_t n = ::read(r->sd.native_handle(), r->buf, sizeof(r->buf));
      if (n <= 0) break;
      Take(*r, static_cast<size_t>(n));
    }
  }
}

std::string OutputTap::Tail(const std::string& name) const {
  auto it = tails_.find(name);
  return it == tails_.end() ? "" : it->second;
}

}  // namespace ctinit
