#include "init/runtime/output_tap.h"

#include <fcntl.h>

#include <cerrno>
#include <cstring>

#include "init/base/log.h"

namespace ctinit {

struct OutputTap::Reader {
  explicit Reader(boost::asio::io_context& io, int fd) : sd(io, fd) {}
  boost::asio::posix::stream_descriptor sd;
  std::string name;
  std::string tag;      // "" = raw
  pid_t pid = -1;       // for the tag, from Spawned()
  int write_fd = -1;    // until Spawned()
  std::string partial;  // tagged: the line so far, at most kLineBytes
  char buf[4096];
};

OutputTap::~OutputTap() {
  for (auto& [p, w] : readers_)
    if (auto r = w.lock()) {
      try {
        Flush(*r);
      } catch (...) {
      }
      boost::system::error_code ec;
      r->sd.close(ec);
    }
}

int OutputTap::Tap(const std::string& name, const std::string& tag) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return -1;
  ::fcntl(fds[0], F_SETFL, ::fcntl(fds[0], F_GETFL) | O_NONBLOCK);
  std::shared_ptr<Reader> r;  // owns fds[0] once made
  try {
    r = std::make_shared<Reader>(io_, fds[0]);
    r->name = name;
    r->tag = tag;
    r->write_fd = fds[1];
    readers_[r.get()] = r;
    unspawned_[fds[1]] = r.get();
    by_name_.emplace(name, r.get());
    Read(r);
  } catch (const std::exception& e) {
    log::Debug("output tap for {}: {}", name, e.what());
    if (r) {
      r->write_fd = -1;  // closed below, not by Forget
      unspawned_.erase(fds[1]);
      Forget(r.get());
    } else {
      ::close(fds[0]);
    }
    ::close(fds[1]);
    return -1;
  }
  return fds[1];
}

void OutputTap::Spawned(int fd, pid_t pid) {
  if (fd < 0) return;
  if (auto it = unspawned_.find(fd); it != unspawned_.end()) {
    Reader* r = it->second;
    unspawned_.erase(it);
    r->write_fd = -1;
    r->pid = pid;
    by_pid_.emplace(pid, r);
  }
  ::close(fd);
}

void OutputTap::Forget(Reader* r) {
  auto drop = [r](auto& index, const auto& key) {
    auto [b, e] = index.equal_range(key);
    for (auto it = b; it != e; ++it)
      if (it->second == r) {
        index.erase(it);
        return;
      }
  };
  if (r->write_fd >= 0) unspawned_.erase(r->write_fd);
  if (r->pid > 0) drop(by_pid_, r->pid);
  drop(by_name_, r->name);
  readers_.erase(r);
}

void OutputTap::Read(std::shared_ptr<Reader> r) {
  r->sd.async_read_some(boost::asio::buffer(r->buf),
                        [this, r](const boost::system::error_code& ec, size_t n) {
                          try {
                            if (ec) {  // EOF: every writer is gone (or ctinit closed it)
                              Flush(*r);
                              Forget(r.get());
                              return;
                            }
                            Take(*r, n);
                            Read(r);
                          } catch (const std::exception& e) {
                            log::Debug("output tap for {}: {}", r->name, e.what());
                            Forget(r.get());
                          }
                        });
}

void OutputTap::Take(Reader& r, size_t n) {
  std::string& tail = tails_[r.name];
  tail.append(r.buf, n);
  if (tail.size() > kTailBytes) tail.erase(0, tail.size() - kTailBytes);
  if (r.tag.empty()) {
    // Passed through as it came: OpenRC's " * Starting x ... [ ok ]" spans two writes.
    Write(r.buf, n);
    return;
  }
  // Appends to the partial line; what goes beyond kLineBytes is written as lines of that size.
  auto hold = [&](const char* p, size_t len) {
    while (r.partial.size() + len > kLineBytes) {
      size_t take = kLineBytes - r.partial.size();
      r.partial.append(p, take);
      Line(r, r.partial.data(), r.partial.size());
      r.partial.clear();
      p += take;
      len -= take;
    }
    r.partial.append(p, len);
  };
  const char* p = r.buf;
  const char* end = r.buf + n;
  while (p < end) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', end - p));
    if (!nl) {
      hold(p, end - p);
      break;
    }
    hold(p, nl - p);
    Line(r, r.partial.data(), r.partial.size());
    r.partial.clear();
    p = nl + 1;
  }
}

void OutputTap::Line(const Reader& r, const char* p, size_t n) {
  std::string s = r.tag;
  if (r.pid > 0) s += "[" + std::to_string(r.pid) + "]";
  s += ": ";
  s.append(p, n);
  s += '\n';
  Write(s.data(), s.size());
}

void OutputTap::Flush(Reader& r) {
  if (r.tag.empty() || r.partial.empty()) return;
  Line(r, r.partial.data(), r.partial.size());
  r.partial.clear();
}

void OutputTap::Write(const char* p, size_t n) { out_.Write(std::string_view(p, n)); }

ConsolePump::ConsolePump(boost::asio::io_context& io, std::vector<console::Stream*> streams)
    : timer_(io), streams_(std::move(streams)) {
  for (auto* s : streams_) s->SetOnPending([this] { Arm(); });
  for (auto* s : streams_)
    if (s->pending()) Arm();
}

ConsolePump::~ConsolePump() {
  for (auto* s : streams_) {
    s->SetOnPending(nullptr);
    s->FlushFor(std::chrono::milliseconds(500));
  }
}

void ConsolePump::Arm() {
  if (armed_) return;
  armed_ = true;
  timer_.expires_after(std::chrono::milliseconds(kRetryMs));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled: the pump is going
    armed_ = false;
    bool again = false;
    for (auto* s : streams_) {
      s->Flush();
      again |= s->pending();
    }
    if (again) Arm();
  });
}

void OutputTap::ReadNow(Reader& r) {
  for (int i = 0; i < 64; ++i) {  // what is in the pipe now, bounded
    ssize_t n = ::read(r.sd.native_handle(), r.buf, sizeof(r.buf));
    if (n == 0) Flush(r);  // every writer is gone: the last line is complete
    if (n <= 0) break;
    Take(r, static_cast<size_t>(n));
  }
}

void OutputTap::Drain(const std::string& name) {
  try {
    auto [b, e] = by_name_.equal_range(name);
    for (auto it = b; it != e; ++it) ReadNow(*it->second);
  } catch (const std::exception& e) {
    log::Debug("output tap for {}: {}", name, e.what());
  }
}

void OutputTap::Exited(pid_t pid) {
  if (pid <= 0) return;
  try {
    auto [b, e] = by_pid_.equal_range(pid);
    for (auto it = b; it != e; ++it) ReadNow(*it->second);
  } catch (const std::exception& e) {
    log::Debug("output tap for pid {}: {}", pid, e.what());
  }
}

std::string OutputTap::Tail(const std::string& name) const {
  auto it = tails_.find(name);
  return it == tails_.end() ? "" : it->second;
}

}  // namespace ctinit
