#include "init/runtime/system.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <thread>

#include "init/base/files.h"
#include "init/base/log.h"
#include "init/base/text.h"
#include "init/runtime/service_dirs.h"

namespace ctinit {

namespace {

// An Asio steady_timer whose voided waits are never called (Asio would call a handler that was
// already queued when the timer was cancelled).
class AsioTimer : public Timer {
 public:
  explicit AsioTimer(boost::asio::io_context& io) : timer_(io) {}
  void At(Clock::time_point when, std::function<void()> fn) override {
    timer_.expires_at(when);
    Wait(std::move(fn));
  }
  void After(Clock::duration delay, std::function<void()> fn) override {
    timer_.expires_after(delay);
    Wait(std::move(fn));
  }
  void Cancel() override {
    ++generation_;
    timer_.cancel();
  }

 private:
  void Wait(std::function<void()> fn) {
    unsigned gen = ++generation_;
    timer_.async_wait([this, gen, fn = std::move(fn)](const boost::system::error_code& ec) {
      if (!ec && gen == generation_) fn();
    });
  }
  boost::asio::steady_timer timer_;
  unsigned generation_ = 0;
};

}  // namespace

std::unique_ptr<Timer> RealSystem::NewTimer() { return std::make_unique<AsioTimer>(io_); }

void RealSystem::Post(std::function<void()> fn) { boost::asio::post(io_, std::move(fn)); }

pid_t RealSystem::Spawn(const std::vector<std::string>& argv, const std::string& text,
                        const std::vector<std::string>& env, const ProcessContext& process,
                        const sys::SpawnOptions& opts, std::string* err) {
  return sys::Spawn(argv, text, env, process, opts, err);
}

int RealSystem::Kill(pid_t pid, int sig) { return ::kill(pid, sig) == 0 ? 0 : errno; }

pid_t RealSystem::Self() { return ::getpid(); }

pid_t RealSystem::ProcessGroupOf(pid_t pid) { return ::getpgid(pid); }

pid_t RealSystem::SessionOf(pid_t pid) { return ::getsid(pid); }

std::vector<uid_t> RealSystem::ProcessUids(pid_t pid) {
  // /proc is the kernel's: reading it cannot block on anything a service controls.
  std::string status;
  if (pid <= 0 || !files::ReadFile("/proc/" + std::to_string(pid) + "/status", &status)) return {};
  std::vector<uid_t> uids;
  for (const auto& line : text::Split(status, '\n')) {
    if (!line.starts_with("Uid:")) continue;
    for (const auto& word : text::Words(line.substr(4))) {
      auto n = text::ParseCount(word);
      if (!n) return {};
      uids.push_back(static_cast<uid_t>(*n));
    }
  }
  return uids;
}

std::optional<SupervisorHost::PidFile> RealSystem::ReadPidFile(const std::string& path) {
  uid_t owner = 0;
  auto pid = sys::ReadPidFile(path, &owner);
  if (!pid) return std::nullopt;
  return SupervisorHost::PidFile{*pid, owner};
}

std::string RealSystem::ProcessName(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/comm");
  std::string s;
  std::getline(f, s);
  return s.empty() ? std::to_string(pid) : s + "[" + std::to_string(pid) + "]";
}

std::optional<pid_t> RealSystem::GuessDaemon(pid_t launcher, const std::string& token) {
  return sys::GuessDaemon(launcher, ::getpid(), token);
}

namespace {
// The part of `dir.path` below `dir.base`; "" when it is not strictly below (then nothing is
// made or removed: the base itself is never the service's).
std::string RelativeToBase(const ServiceSpec::Directory& dir) {
  const std::string& b = dir.base;
  if (b.empty() || dir.path.size() <= b.size() + 1 || dir.path.compare(0, b.size(), b) != 0 ||
      dir.path[b.size()] != '/')
    return "";
  return dir.path.substr(b.size() + 1);
}
}  // namespace

bool RealSystem::MakeServiceDirectory(const ServiceSpec::Directory& dir, std::string* err) {
  return sys::MakeDirectoryBelow(dir.base, RelativeToBase(dir), dir.mode, dir.uid, dir.gid, err);
}

namespace {
// What PID 1 spends on removing a service's directory per turn of its loop: at most 1,000
// entries and about 5 ms, so a service that left a million files behind delays
// nothing else by more than that, on tmpfs or on a busy disk.
constexpr size_t kRemovalStep = 1000;
constexpr std::chrono::milliseconds kRemovalTime{5};

bool RemovalStep(sys::DirectoryRemoval& removal) {
  return removal.Step(kRemovalStep, std::chrono::steady_clock::now() + kRemovalTime);
}

// Goes on with `removal` on a later turn of the loop until it is over.
void ContinueRemoval(boost::asio::io_context& io, std::shared_ptr<sys::DirectoryRemoval> removal,
                     std::string path) {
  boost::asio::post(io, [&io, removal = std::move(removal), path = std::move(path)]() mutable {
    if (!RemovalStep(*removal)) return ContinueRemoval(io, std::move(removal), path);
    if (!removal->ok()) log::Warn("cannot remove {}: {}", path, removal->error());
  });
}
}  // namespace

// The first step happens now (the path is free when this returns: the tree was renamed away),
// the rest on later turns of the loop; problems met then are logged.
bool RealSystem::RemoveServiceDirectory(const ServiceSpec::Directory& dir, std::string* err) {
  auto removal = std::make_shared<sys::DirectoryRemoval>(dir.base, RelativeToBase(dir));
  if (RemovalStep(*removal)) {
    *err = removal->error();
    return removal->ok();
  }
  ContinueRemoval(io_, std::move(removal), dir.path);
  return true;
}

int RealSystem::Reboot() {
  ::reboot(RB_AUTOBOOT);
  return errno;
}

// sync() runs on a helper thread that is waited for at most `limit`.
bool RealSystem::Sync(std::chrono::milliseconds limit) {
  struct State {
    std::mutex m;
    std::condition_variable cv;
    bool done = false;
  };
  auto st = std::make_shared<State>();
  try {
    std::thread([st] {
      ::sync();
      std::lock_guard<std::mutex> l(st->m);
      st->done = true;
      st->cv.notify_all();
    }).detach();
  } catch (const std::exception&) {
    return false;
  }
  std::unique_lock<std::mutex> l(st->m);
  return st->cv.wait_for(l, limit, [&] { return st->done; });
}

int RealSystem::OpenFifo(const std::string& path, std::string* err, bool* serious) {
  *serious = false;
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && !S_ISFIFO(st.st_mode)) {
    *serious = true;
    *err = path + " is not a fifo: telinit will not work";
    return -1;
  }
  if (::stat(path.c_str(), &st) != 0) {
    auto slash = path.rfind('/');
    if (slash != std::string::npos && slash > 0) ::mkdir(path.substr(0, slash).c_str(), 0755);
    if (::mkfifo(path.c_str(), 0600) != 0) {
      *err = "cannot create " + path + ": " + strerror(errno) + ": telinit will not work";
      return -1;
    }
  }
  int fd = ::open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    *err = "cannot open " + path + ": " + strerror(errno);
    return -1;
  }
  // Only root talks to PID 1: whatever the image left there, the FIFO we read is root's, 0600.
  struct stat fst {};
  if (::fstat(fd, &fst) != 0 || !S_ISFIFO(fst.st_mode)) {
    *serious = true;
    *err = path + " is not a fifo: telinit will not work";
    ::close(fd);
    return -1;
  }
  if ((fst.st_uid != 0 && ::fchown(fd, 0, 0) != 0) ||
      ((fst.st_mode & 07777) != 0600 && ::fchmod(fd, 0600) != 0)) {
    *serious = true;
    *err = path + ": cannot make it root's with mode 0600: " + strerror(errno) + ": not listening";
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace ctinit
