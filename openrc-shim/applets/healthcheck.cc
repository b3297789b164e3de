#include "openrc-shim/applets/healthcheck.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "init/base/files.h"
#include "init/protocol/control.h"
#include "openrc-shim/applets/einfo.h"

namespace ctinit::openrc {
namespace {

using std::chrono::seconds;

// The real world: ctinit's control socket, the shim's own openrc-run, signals.
class RealHealthcheckHost final : public HealthcheckHost {
 public:
  RealHealthcheckHost(const HealthcheckPlan& plan, std::string socket_path)
      : plan_(plan), socket_path_(std::move(socket_path)), self_(SelfExe()) {}

  pid_t DaemonPid() override {
    control::Reply r = control::Call({"status", plan_.svc}, std::chrono::seconds(5), socket_path_);
    if (r.code != 0 && r.code != 3) return -1;
    // `status` falls back to a service of the same name when none is supervised: only the
    // supervised one counts.
    if (r.text.find("\nname=supervise:" + plan_.svc + "\n") == std::string::npos) return -1;
    if (r.text.rfind("failed", 0) == 0) return -1;  // ctinit gave up on it
    if (r.text.rfind("running ", 0) != 0) return 0;
    return static_cast<pid_t>(atol(r.text.c_str() + 8));
  }

  int RunScript(const std::string& command) override {
    if (self_.empty()) return 1;
    pid_t pid = fork();
    if (pid < 0) return 1;
    if (pid == 0) {
      execl(self_.c_str(), self_.c_str(), "openrc-run", plan_.script.c_str(), command.c_str(),
            static_cast<char*>(nullptr));
      _exit(127);
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0) {
      if (errno != EINTR) return 1;
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
  }

  void StopDaemon(pid_t pid) override {
    if (kill(pid, plan_.stop_signal) != 0) return;
    auto deadline = std::chrono::steady_clock::now() + plan_.stop_timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (kill(pid, 0) != 0) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    kill(pid, SIGKILL);
  }

  void Sleep(seconds d) override { std::this_thread::sleep_for(d); }
  void Log(const std::string& text) override { syslog(LOG_WARNING, "%s", text.c_str()); }

 private:
  HealthcheckPlan plan_;
  std::string socket_path_;
  std::string self_;
};

std::string PidFile(const std::string& svcdir, const std::string& svc) {
  return svcdir + "/options/" + svc + "/" + kHealthcheckPidOption;
}

// The monitor: detached from the caller's session and output, no inherited descriptors.
[[noreturn]] void BecomeMonitor(const HealthcheckPlan& plan, const std::string& svcdir,
                                const std::string& socket_path) {
  signal(SIGTERM, SIG_DFL);
  signal(SIGPIPE, SIG_IGN);
  int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null >= 0) {
    dup2(null, 0);
    dup2(null, 1);
    dup2(null, 2);
  }
  std::ofstream(PidFile(svcdir, plan.svc)) << getpid() << "\n";
  // Closing everything else (the ready pipe included) tells the applet the pid file is there.
  if (syscall(SYS_close_range, 3U, ~0U, 0U) != 0) {
    for (int fd = 3; fd < 1024; ++fd) close(fd);
  }
  openlog("supervise-daemon", LOG_PID, LOG_DAEMON);
  RealHealthcheckHost host(plan, socket_path);
  RunHealthMonitor(plan, &host);
  std::string recorded;
  if (files::ReadFile(PidFile(svcdir, plan.svc), &recorded) && atol(recorded.c_str()) == getpid()) {
    unlink(PidFile(svcdir, plan.svc).c_str());
  }
  _exit(0);
}

}  // namespace

void RunHealthMonitor(const HealthcheckPlan& plan, HealthcheckHost* host) {
  if (plan.delay.count() <= 0 && plan.timer.count() <= 0) return;
  const seconds first = plan.delay.count() > 0 ? plan.delay : plan.timer;
  pid_t pid = host->DaemonPid();
  seconds left = first;  // until the next check of this run
  bool armed = true;     // false: no check until the next run (timer 0, or being restarted)
  while (pid >= 0) {
    host->Sleep(seconds(1));
    pid_t now = host->DaemonPid();
    if (now < 0) return;
    if (now != pid) {  // a new run (respawned) or between two runs
      pid = now;
      left = first;
      armed = true;
      continue;
    }
    if (!armed || pid == 0) continue;
    left -= seconds(1);
    if (left.count() > 0) continue;
    if (host->RunScript("healthcheck") == 0) {
      armed = plan.timer.count() > 0;
      left = plan.timer;
      continue;
    }
    host->Log("health check for " + plan.svc + " failed");
    host->RunScript("unhealthy");
    host->Log("stopping " + plan.svc + ", pid " + std::to_string(pid));
    host->StopDaemon(pid);
    armed = false;  // ctinit respawns it; the new run re-arms the checks
  }
}

bool StartHealthMonitor(const HealthcheckPlan& plan, const std::string& svcdir,
                        const std::string& socket_path) noexcept {
  try {
    std::error_code ec;
    std::filesystem::create_directories(svcdir + "/options/" + plan.svc, ec);
    int ready[2];
    if (pipe2(ready, O_CLOEXEC) != 0) return false;
    fflush(stdout);
    fflush(stderr);
    pid_t child = fork();
    if (child < 0) {
      close(ready[0]);
      close(ready[1]);
      return false;
    }
    if (child == 0) {
      close(ready[0]);
      setsid();
      pid_t monitor = fork();
      if (monitor == 0) BecomeMonitor(plan, svcdir, socket_path);
      _exit(monitor < 0 ? 1 : 0);
    }
    close(ready[1]);
    char c;
    while (read(ready[0], &c, 1) < 0 && errno == EINTR) {
    }
    close(ready[0]);
    int st = 0;
    while (waitpid(child, &st, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(st) && WEXITSTATUS(st) == 0;
  } catch (...) {
  }
  return false;
}

void StopHealthMonitor(const std::string& svcdir, const std::string& svc) noexcept {
  try {
    const std::string file = PidFile(svcdir, svc);
    std::string text, cmdline;
    if (!files::ReadFile(file, &text)) return;
    unlink(file.c_str());
    pid_t pid = static_cast<pid_t>(atol(text.c_str()));
    if (pid <= 1) return;
    // Only a process that is still a supervise-daemon applet of this service (not a reused pid).
    if (!files::ReadFile("/proc/" + std::to_string(pid) + "/cmdline", &cmdline)) return;
    for (char& ch : cmdline)
      if (ch == '\0') ch = ' ';
    if (cmdline.find("supervise-daemon") == std::string::npos ||
        cmdline.find(" " + svc + " ") == std::string::npos) {
      return;
    }
    kill(pid, SIGTERM);
  } catch (...) {
  }
}

}  // namespace ctinit::openrc
