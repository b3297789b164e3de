// ctinit's console streams (its stdout and stderr: the container's log) written without ever
// blocking PID 1. When whatever reads them stalls (a stuck `docker logs`, a terminal on XOFF, a
// pipe nobody drains), what cannot be written now waits in a bounded buffer; what does not fit
// is dropped whole (a log line is never cut), counted, and reported as
// "ctinit: warning: N bytes of console output dropped" once the buffer has drained.
//
// Not blocking must not change the stream for anyone else: O_NONBLOCK on an inherited fd would
// set it on an open file description that services (StandardOutput=inherit) and the container
// runtime share. So, by the kind of file behind the fd:
//   pipe, FIFO, terminal: a private description, reopened through /proc/self/fd/N with
//     O_NONBLOCK (a pipe's other end and a tty are the same; only the flags are ours);
//   socket: send(2) with MSG_DONTWAIT (a per-call flag);
//   regular file, block device: write(2) as it is (they do not wait for a reader);
//   when the reopen fails (no /proc): poll(2) for room, then at most PIPE_BUF bytes per write,
//     which a pipe with room takes without waiting (a writer racing us could still fill it).
// Write() writes what it can at once; Flush() retries the buffer; the runtime calls Flush() from
// its loop while pending() (see OutputTap's ConsolePump). Single-threaded; nothing throws.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

namespace ctinit::console {

class Stream {
 public:
  static constexpr size_t kBufferBytes = 256 * 1024;
  // `fd` is not owned (nor closed, nor its flags changed).
  explicit Stream(int fd, size_t buffer_bytes = kBufferBytes);
  ~Stream();
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  // Queues `text` behind what is pending and writes what the stream takes now; if the buffer
  // cannot hold the rest of `text`, `text` is dropped (after what could be written of it).
  void Write(std::string_view text) noexcept;
  // Writes what is pending as far as the stream takes it now.
  void Flush() noexcept;
  // Flush(), waiting for room at most `bound` in all (on the way out: the last lines).
  void FlushFor(std::chrono::milliseconds bound) noexcept;
  // Something waits to be written (text, or the report of dropped bytes).
  bool pending() const { return !buffer_.empty() || dropped_ > 0; }
  // Bytes dropped since the start (the report is not counted).
  uint64_t dropped_total() const { return dropped_total_; }
  int fd() const { return fd_; }
  // Called when the stream goes from nothing pending to pending (the loop arms a retry).
  void SetOnPending(std::function<void()> fn) { on_pending_ = std::move(fn); }

 private:
  enum class Mode { kPlain, kPrivate, kSocket, kPollFirst };
  // Bytes of [p, p+n) the stream took now (0 when it would block or is gone).
  size_t WriteSome(const char* p, size_t n) noexcept;

  int fd_;
  int private_fd_ = -1;
  Mode mode_ = Mode::kPlain;
  size_t capacity_;
  std::string buffer_;
  uint64_t dropped_ = 0;  // since the last report
  uint64_t dropped_total_ = 0;
  std::function<void()> on_pending_;
};

// ctinit's stderr, where log lines go (created on first use).
Stream& Err();

}  // namespace ctinit::console
