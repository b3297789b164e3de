// System: the seam between PID 1 and the kernel. Every process syscall, the clock, timers and
// deferred calls PID 1 makes go through one object, so that a test can put a fake in its place
// (system_fake.h) and drive PID 1 on a virtual clock, as ninja's tests use DiskInterface and
// dinit's swap bp_sys. RealSystem (below) is the kernel behind Boost.Asio; sys.h holds the
// free functions it is built from.
#pragma once

#include <sys/types.h>

#include <boost/asio.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "init/engine/supervisor.h"
#include "init/model/service.h"
#include "init/runtime/sys.h"

namespace ctinit {

// A one-shot timer. Arming it again or cancelling it voids the wait before: `fn` of a voided
// wait is never called.
class Timer {
 public:
  virtual ~Timer() = default;
  virtual void At(Clock::time_point when, std::function<void()> fn) = 0;
  virtual void After(Clock::duration delay, std::function<void()> fn) = 0;
  virtual void Cancel() = 0;
};

class System {
 public:
  virtual ~System() = default;

  // Time. `Post` runs `fn` later on the event loop, after the handler that posts it.
  virtual Clock::time_point Now() = 0;
  virtual std::unique_ptr<Timer> NewTimer() = 0;
  virtual void Post(std::function<void()> fn) = 0;

  // Processes (see sys.h for the contracts).
  virtual pid_t Spawn(const std::vector<std::string>& argv, const std::string& text,
                      const std::vector<std::string>& env, const ProcessContext& process,
                      const sys::SpawnOptions& opts, std::string* err) = 0;
  // kill(2): 0, or the errno (ESRCH: no such process or group; EPERM: exists, not ours).
  virtual int Kill(pid_t pid, int sig) = 0;
  virtual std::optional<sys::Reaped> ReapOne() = 0;
  virtual std::vector<pid_t> LiveProcesses(pid_t descendants_of) = 0;
  virtual pid_t Self() = 0;
  virtual pid_t ProcessGroupOf(pid_t pid) = 0;  // <= 0 when unknown
  virtual pid_t SessionOf(pid_t pid) = 0;       // getsid(2), <= 0 when unknown
  // The real, effective, saved and filesystem uids of `pid` (/proc/PID/status); empty when
  // unknown.
  virtual std::vector<uid_t> ProcessUids(pid_t pid) = 0;
  virtual std::string ProcessName(pid_t pid) = 0;  // "sleep[42]" for logs, else "42"
  // A service's pid file: the pid and the file's owner. Never blocks and never follows a
  // link (O_NONBLOCK|O_NOFOLLOW): only a regular file of at most 64 bytes is read.
  virtual std::optional<SupervisorHost::PidFile> ReadPidFile(const std::string& path) = 0;
  // sys::GuessDaemon: `token` is the launcher's "INVOCATION_ID=..." entry ("" if none).
  virtual std::optional<pid_t> GuessDaemon(pid_t launcher, const std::string& token) = 0;

  // A service's RuntimeDirectory= and friends (service_dirs.h): made before it starts,
  // removed after it stops; never `dir.base` itself, never through a link. Removal does a
  // bounded piece of work now and the rest on later turns of the loop (the path is free at
  // once); false with *err only for what failed in the part done now.
  virtual bool MakeServiceDirectory(const ServiceSpec::Directory& dir, std::string* err) = 0;
  virtual bool RemoveServiceDirectory(const ServiceSpec::Directory& dir, std::string* err) = 0;

  // The machine. Reboot returns only when reboot(2) failed, with its errno. Sync waits for
  // sync(2) at most `limit` (it can hang on a dead mount) and says whether it finished.
  virtual int Reboot() = 0;
  virtual bool Sync(std::chrono::milliseconds limit) = 0;

  // The initctl FIFO at `path`: made (mode 0600, parent 0755) when missing, opened read-write
  // non-blocking, made root's 0600. The fd, or -1 with *err; *serious when something else sits
  // at `path` (worth an error, not a warning).
  virtual int OpenFifo(const std::string& path, std::string* err, bool* serious) = 0;
};

// The kernel, with timers and posts on `io`.
class RealSystem : public System {
 public:
  explicit RealSystem(boost::asio::io_context& io) : io_(io) {}
  Clock::time_point Now() override { return Clock::now(); }
  std::unique_ptr<Timer> NewTimer() override;
  void Post(std::function<void()> fn) override;
  pid_t Spawn(const std::vector<std::string>& argv, const std::string& text,
              const std::vector<std::string>& env, const ProcessContext& process,
              const sys::SpawnOptions& opts, std::string* err) override;
  int Kill(pid_t pid, int sig) override;
  std::optional<sys::Reaped> ReapOne() override { return sys::ReapOne(); }
  std::vector<pid_t> LiveProcesses(pid_t descendants_of) override {
    return sys::LiveProcesses(descendants_of);
  }
  pid_t Self() override;
  pid_t ProcessGroupOf(pid_t pid) override;
  pid_t SessionOf(pid_t pid) override;
  std::vector<uid_t> ProcessUids(pid_t pid) override;
  std::string ProcessName(pid_t pid) override;
  std::optional<SupervisorHost::PidFile> ReadPidFile(const std::string& path) override;
  std::optional<pid_t> GuessDaemon(pid_t launcher, const std::string& token) override;
  bool MakeServiceDirectory(const ServiceSpec::Directory& dir, std::string* err) override;
  bool RemoveServiceDirectory(const ServiceSpec::Directory& dir, std::string* err) override;
  int Reboot() override;
  bool Sync(std::chrono::milliseconds limit) override;
  int OpenFifo(const std::string& path, std::string* err, bool* serious) override;

 private:
  boost::asio::io_context& io_;
};

}  // namespace ctinit
