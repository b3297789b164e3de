#include "openrc-shim/applets/service_state.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace ctinit::openrc {
namespace fs = std::filesystem;

namespace {

constexpr const char* kExclusiveStates[] = {"starting", "started", "stopping", "inactive"};

bool IsLink(const std::string& p) {
  struct stat st;
  return lstat(p.c_str(), &st) == 0 && S_ISLNK(st.st_mode);
}

// True when a daemon recorded under daemons/<svc> has a pidfile whose pid is not alive.
bool Crashed(const std::string& svcdir, const std::string& svc) {
  std::error_code ec;
  fs::path dir = fs::path(svcdir) / "daemons" / svc;
  if (!fs::is_directory(dir, ec)) return false;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::ifstream in(e.path());
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("pidfile=", 0) != 0 || line.size() == 8) continue;
      std::ifstream pf(line.substr(8));
      long pid = 0;
      if (!(pf >> pid) || pid <= 0) return true;
      if (kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) return true;
    }
  }
  return false;
}

}  // namespace

std::string SvcDirFromEnv() noexcept {
  try {
    const char* d = getenv("RC_SVCDIR");
    return d && *d ? d : kSvcDir;
  } catch (...) {
  }
  return kSvcDir;
}

bool EnsureSvcDir(const std::string& svcdir, std::string* error) noexcept {
  try {
    static const char* kDirs[] = {"starting",    "started",   "stopping",   "inactive",
                                  "wasinactive", "failed",    "hotplugged", "daemons",
                                  "options",     "exclusive", "scheduled",  "tmp"};
    for (const char* d : kDirs) {
      std::error_code ec;
      fs::path p = fs::path(svcdir) / d;
      if (fs::is_directory(p, ec)) continue;
      fs::create_directories(p, ec);
      if (ec) {
        if (error) *error = "cannot create " + p.string() + ": " + ec.message();
        return false;
      }
    }
    return true;
  } catch (...) {
    if (error) *error = "out of memory";
  }
  return false;
}

int GetState(const std::string& svcdir, const std::string& svc) noexcept {
  try {
    int state = 0;
    auto in = [&](const char* d) { return IsLink(svcdir + "/" + d + "/" + svc); };
    if (in("stopping")) {
      state |= kStateStopping;
    } else if (in("starting")) {
      state |= kStateStarting;
    } else if (in("inactive")) {
      state |= kStateInactive;
    } else if (in("started")) {
      state |= kStateStarted;
      if (Crashed(svcdir, svc)) state |= kStateCrashed;
    } else {
      state |= kStateStopped;
    }
    if (in("failed")) state |= kStateFailed;
    if (in("wasinactive")) state |= kStateWasInactive;
    if (in("hotplugged")) state |= kStateHotplugged;
    std::error_code ec;
    if (fs::is_directory(fs::path(svcdir) / "scheduled" / svc, ec)) state |= kStateScheduled;
    return state;
  } catch (...) {
  }
  return kStateStopped;
}

bool Mark(const std::string& svcdir, const std::string& svc, int state, const std::string& script,
          std::string* error) noexcept {
  try {
    if (svc.empty() || svc.find('/') != std::string::npos) {
      if (error) *error = "invalid service name \"" + svc + "\"";
      return false;
    }
    auto unlink_in = [&](const char* d) { unlink((svcdir + "/" + d + "/" + svc).c_str()); };
    auto link_in = [&](const char* d) {
      std::string p = svcdir + "/" + d + "/" + svc;
      unlink(p.c_str());
      if (symlink(script.c_str(), p.c_str()) != 0) {
        if (error) *error = "cannot create " + p + ": " + strerror(errno);
        return false;
      }
      return true;
    };
    const char* target = nullptr;
    switch (state) {
      case kStateStarted:
        target = "started";
        break;
      case kStateStarting:
        target = "starting";
        break;
      case kStateStopping:
        target = "stopping";
        break;
      case kStateInactive:
        target = "inactive";
        break;
      case kStateFailed:
        return link_in("failed");
      case kStateHotplugged:
        return link_in("hotplugged");
      case kStateWasInactive:
        return link_in("wasinactive");
      case kStateStopped:
        break;
      default:
        if (error) *error = "cannot mark state " + std::to_string(state);
        return false;
    }
    if (target == nullptr) {
      for (const char* d : kExclusiveStates) unlink_in(d);
      unlink_in("wasinactive");
      std::error_code ec;
      fs::remove_all(fs::path(svcdir) / "options" / svc, ec);
      fs::remove_all(fs::path(svcdir) / "daemons" / svc, ec);
      return true;
    }
    if (!link_in(target)) return false;
    for (const char* d : kExclusiveStates) {
      if (strcmp(d, target) != 0) unlink_in(d);
    }
    if (state == kStateStarted) unlink_in("failed");
    return true;
  } catch (...) {
    if (error) *error = "out of memory";
  }
  return false;
}

std::vector<std::string> ServicesIn(const std::string& svcdir, const std::string& dir) noexcept {
  std::vector<std::string> out;
  try {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(fs::path(svcdir) / dir, ec)) {
      out.push_back(e.path().filename().string());
    }
    std::sort(out.begin(), out.end());
  } catch (...) {
  }
  return out;
}

std::string CurrentRunlevel(const std::string& svcdir) noexcept {
  try {
    std::ifstream in(svcdir + "/softlevel");
    std::string level;
    if (in && std::getline(in, level) && !level.empty()) return level;
    return "sysinit";
  } catch (...) {
  }
  return "sysinit";
}

int LockService(const std::string& svcdir, const std::string& svc) noexcept {
  try {
    std::string p = svcdir + "/exclusive/" + svc;
    int fd = open(p.c_str(), O_WRONLY | O_CREAT | O_NONBLOCK | O_CLOEXEC, 0664);
    if (fd < 0) return -1;
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
      int e = errno;
      close(fd);
      errno = e;
      return -1;
    }
    return fd;
  } catch (...) {
    errno = ENOMEM;
  }
  return -1;
}

std::string StateName(int state) noexcept {
  if (state & kStateStopping) return "stopping";
  if (state & kStateStarting) return "starting";
  if (state & kStateInactive) return "inactive";
  if (state & kStateCrashed) return "crashed";
  if (state & kStateStarted) return "started";
  if (state & kStateFailed) return "failed";
  return "stopped";
}

}  // namespace ctinit::openrc
