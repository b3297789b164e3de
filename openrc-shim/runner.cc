#include "openrc-shim/runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ctinit::openrc {
namespace {

using Clock = std::chrono::steady_clock;

// A pipe whose ends are close-on-exec and numbered >= 10, so that the dup2() file actions onto
// 0..3 can never collide with them even when ctinit runs with some of fds 0-2 closed.
bool HighPipe(int fds[2]) {
  int raw[2];
  if (pipe2(raw, O_CLOEXEC) != 0) return false;
  for (int i = 0; i < 2; ++i) {
    fds[i] = fcntl(raw[i], F_DUPFD_CLOEXEC, 10);
    close(raw[i]);
  }
  if (fds[0] >= 0 && fds[1] >= 0) return true;
  if (fds[0] >= 0) close(fds[0]);
  if (fds[1] >= 0) close(fds[1]);
  return false;
}

// Reads what is available; returns false at EOF or on a hard error.
bool Drain(int fd, std::string* into, size_t cap) {
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) {
      size_t room = into->size() < cap ? cap - into->size() : 0;
      into->append(buf, std::min(room, static_cast<size_t>(n)));
      continue;
    }
    if (n == 0) return false;
    if (errno == EINTR) continue;
    return errno == EAGAIN || errno == EWOULDBLOCK;
  }
}

int WaitFor(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

pid_t SpawnChild(const RunRequest& req, int out_w, int fd3_w, std::string* error) {
  std::vector<char*> argv, envp;
  for (const auto& a : req.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : req.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  posix_spawnattr_t attr;
  posix_spawn_file_actions_t fa;
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_init(&fa);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, out_w, 1);
  posix_spawn_file_actions_adddup2(&fa, out_w, 2);
  posix_spawn_file_actions_adddup2(&fa, fd3_w, 3);
  posix_spawn_file_actions_addclosefrom_np(&fa, 4);
  posix_spawn_file_actions_addchdir_np(&fa, req.cwd.c_str());
  pid_t pid = -1;
  int rc = posix_spawn(&pid, argv[0], &fa, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    *error = "cannot execute \"" + req.argv[0] + "\": " + std::strerror(rc);
    return -1;
  }
  return pid;
}

// Reads the child's output and fd 3 until both are closed, the child exits (`pidfd` readable) or
// `deadline` passes (res->timed_out). *out_open / *fd3_open say which pipes are still open.
void Collect(int out_fd, int fd3_fd, int pidfd, Clock::time_point deadline, RunResult* res,
             bool* out_open, bool* fd3_open) {
  bool exited = false;
  while ((*out_open || *fd3_open) && !exited) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      res->timed_out = true;
      break;
    }
    pollfd p[3] = {{*out_open ? out_fd : -1, POLLIN, 0},
                   {*fd3_open ? fd3_fd : -1, POLLIN, 0},
                   {pidfd, POLLIN, 0}};
    int n = poll(p, 3, static_cast<int>(left.count()));
    if (n < 0 && errno != EINTR) break;
    if (n <= 0) continue;
    if (p[0].revents) *out_open = Drain(out_fd, &res->output, SpawnScriptRunner::kMaxOutputBytes);
    if (p[1].revents) *fd3_open = Drain(fd3_fd, &res->fd3, SpawnScriptRunner::kMaxFd3Bytes);
    if (p[2].revents) exited = true;
  }
}

}  // namespace

RunResult SpawnScriptRunner::Run(const RunRequest& req) noexcept {
  RunResult res;
  try {
    if (req.argv.empty()) {
      res.error = "empty command";
      return res;
    }
    int out[2], fd3[2];
    if (!HighPipe(out)) {
      res.error = std::string("pipe: ") + std::strerror(errno);
      return res;
    }
    if (!HighPipe(fd3)) {
      res.error = std::string("pipe: ") + std::strerror(errno);
      close(out[0]);
      close(out[1]);
      return res;
    }
    pid_t pid = SpawnChild(req, out[1], fd3[1], &res.error);
    close(out[1]);
    close(fd3[1]);
    if (pid < 0) {
      close(out[0]);
      close(fd3[0]);
      return res;
    }
    res.spawned = true;
    fcntl(out[0], F_SETFL, O_NONBLOCK);
    fcntl(fd3[0], F_SETFL, O_NONBLOCK);
    int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
    bool out_open = true, fd3_open = true;
    Collect(out[0], fd3[0], pidfd, Clock::now() + req.timeout, &res, &out_open, &fd3_open);
    // Whatever happened, nothing of this run may survive it: kill the group (the child itself is
    // alive or an unreaped zombie, so its pid and group id are still ours), then collect what the
    // pipes still hold and reap the child.
    kill(-pid, SIGKILL);
    if (res.timed_out) kill(pid, SIGKILL);
    if (out_open) Drain(out[0], &res.output, kMaxOutputBytes);
    if (fd3_open) Drain(fd3[0], &res.fd3, kMaxFd3Bytes);
    res.status = WaitFor(pid);
    if (pidfd >= 0) close(pidfd);
    close(out[0]);
    close(fd3[0]);
  } catch (...) {
    res.error = "out of memory";
  }
  return res;
}

}  // namespace ctinit::openrc
